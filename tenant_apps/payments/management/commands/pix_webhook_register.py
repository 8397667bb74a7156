"""Register a city's webhook at its PSP (`PUT /v2/webhook/{chave}`), as the admin page's button does."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tenants.utils import get_tenant_model, tenant_context

from paco.errors import ApplicationError
from tenant_apps.payments.services import psp_webhook_register, psp_webhook_url
from tenants.selectors import municipality_base_url


class Command(BaseCommand):
    help = "Register the city's Pix webhook at its PSP (the PSP will POST to <url>/pix)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schema", required=True, help="schema of the municipality, e.g. aracaju")

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = get_tenant_model().objects.filter(schema_name=options["schema"]).first()
        if municipality is None or options["schema"] == "public":
            raise CommandError(f"Município não encontrado: {options['schema']}.")
        with tenant_context(municipality):
            url = psp_webhook_url(slug=municipality.slug, base_url=municipality_base_url(municipality))
            try:
                psp_webhook_register(url=url)
            except ApplicationError as error:
                raise CommandError(error.message) from error
        self.stdout.write(f"{url}/pix")
