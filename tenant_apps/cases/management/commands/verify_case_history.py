"""Check the hash chain of one case's history, or of every case of a municipality."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import get_tenant_model, tenant_context

from tenant_apps.cases.history import history_verify
from tenant_apps.cases.models import Case


class Command(BaseCommand):
    help = "Verify the append-only, hash-chained history of a case (--nup) or of all cases (--all)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--schema", required=True, help="the municipality's schema, e.g. aracaju")
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--nup", help="e.g. 10005.000001/2026-13")
        target.add_argument("--all", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = get_tenant_model().objects.filter(schema_name=options["schema"]).first()
        if municipality is None:
            raise CommandError(f"Município desconhecido: {options['schema']}")
        broken = 0
        with tenant_context(municipality):
            cases = Case.objects.order_by("id")
            if options["nup"]:
                cases = cases.filter(nup=options["nup"])
                if not cases.exists():
                    raise CommandError(f"Protocolo {options['nup']} não encontrado em {options['schema']}.")
            for case in cases.iterator():
                report = history_verify(case)
                if report.is_valid:
                    self.stdout.write(f"{case.nup}: íntegro ({report.events} registros)")
                else:
                    broken += 1
                    where = report.first_broken_sequence
                    message = f"{case.nup}: ADULTERADO no registro {where}: {report.reason}"
                    self.stdout.write(self.style.ERROR(message))
        if broken:
            raise CommandError(f"{broken} protocolo(s) com histórico adulterado.")
