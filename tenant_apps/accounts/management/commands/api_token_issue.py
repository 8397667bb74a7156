"""Issue (or rotate) the REST API token of one account of one municipality."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tenants.utils import get_tenant_model, schema_context

from paco.errors import ApplicationError
from tenant_apps.accounts.models import User
from tenant_apps.accounts.services import api_token_issue


class Command(BaseCommand):
    help = (
        "Issue a REST API token for an account of a municipality (replaces the previous one). "
        "Staff need a confirmed second factor (TOTP)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schema", required=True, help="schema of the municipality, e.g. aracaju")
        parser.add_argument("--email", required=True, help="e-mail of the account in that municipality")

    def handle(self, *args: Any, **options: Any) -> None:
        schema = options["schema"]
        if schema == "public" or not get_tenant_model().objects.filter(schema_name=schema).exists():
            raise CommandError(f"Município não encontrado: {schema}.")
        with schema_context(schema):
            user = User.objects.filter(email=options["email"].strip().lower()).first()
            if user is None:
                raise CommandError(f"Não há conta com o e-mail {options['email']} em {schema}.")
            try:
                token = api_token_issue(user=user)
            except ApplicationError as error:
                raise CommandError(error.message) from error
        self.stdout.write(token.key)
