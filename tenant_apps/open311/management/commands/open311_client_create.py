"""Create an Open311 API client of one municipality and print its key (shown only this once)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tenants.utils import get_tenant_model, schema_context

from paco.errors import ApplicationError
from tenant_apps.open311.services import api_client_create


class Command(BaseCommand):
    help = "Create an Open311 API client (api_key for POST requests); the key is printed once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schema", required=True, help="schema of the municipality, e.g. aracaju")
        parser.add_argument("--name", required=True, help="who uses the key, e.g. 'App Zeladoria'")

    def handle(self, *args: Any, **options: Any) -> None:
        schema = options["schema"]
        if schema == "public" or not get_tenant_model().objects.filter(schema_name=schema).exists():
            raise CommandError(f"Município não encontrado: {schema}.")
        with schema_context(schema):
            try:
                _client, key = api_client_create(name=options["name"])
            except ApplicationError as error:
                raise CommandError(error.message) from error
        self.stdout.write(key)
