"""Publish a service on Open311, or withdraw it (the same as the button on the service's admin page)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tenants.utils import get_tenant_model, schema_context

from paco.errors import ApplicationError
from tenant_apps.catalog.models import Service
from tenant_apps.open311.services import service_publish


class Command(BaseCommand):
    help = (
        "Publish a service on Open311 (listed, open to POST, its requests readable without personal data),"
        " or withdraw it with --remove."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schema", required=True, help="schema of the municipality, e.g. aracaju")
        parser.add_argument("--code", required=True, help="service code, e.g. poda-de-arvore")
        parser.add_argument("--remove", action="store_true", help="withdraw the service from Open311")

    def handle(self, *args: Any, **options: Any) -> None:
        schema = options["schema"]
        if schema == "public" or not get_tenant_model().objects.filter(schema_name=schema).exists():
            raise CommandError(f"Município não encontrado: {schema}.")
        with schema_context(schema):
            service = Service.objects.filter(code=options["code"]).first()
            if service is None:
                raise CommandError(f"Serviço não encontrado: {options['code']}.")
            try:
                service_publish(service=service, published=not options["remove"])
            except ApplicationError as error:
                raise CommandError(error.message) from error
        self.stdout.write("ok")
