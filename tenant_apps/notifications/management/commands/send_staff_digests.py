"""Send each staff member one e-mail with their unread notifications (once per period and person)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import dramatiq
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import tenant_context
from dramatiq.brokers.stub import StubBroker

from paco.jobs import jobs_drain
from tenant_apps.notifications.services import staff_digests_send
from tenants.enums import MunicipalityStatus
from tenants.selectors import municipality_list


class Command(BaseCommand):
    help = "Envia a cada servidor um resumo por e-mail das notificações não lidas (uma vez por dia)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--schema", action="append", default=[], help="só estes municípios (schema)")
        parser.add_argument("--date", default="", help="período (AAAA-MM-DD); padrão: hoje")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = dt.date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError as error:
            raise CommandError("Data inválida: use AAAA-MM-DD.") from error
        schemas = set(options["schema"])
        for municipality in municipality_list():
            if schemas and municipality.schema_name not in schemas:
                continue
            if municipality.status == MunicipalityStatus.SUSPENDED:
                continue
            with tenant_context(municipality):
                runs = staff_digests_send(period=period)
            self.stdout.write(f"{municipality.schema_name}: {len(runs)} resumo(s) enviado(s)")
        if settings.JOBS_IN_PROCESS_WORKER and isinstance(dramatiq.get_broker(), StubBroker):
            jobs_drain()  # no broker configured: deliver before this process exits
