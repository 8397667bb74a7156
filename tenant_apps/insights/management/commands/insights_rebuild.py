"""Rebuild every daily aggregate of one city (or all) from the history."""

from typing import Any

from django.core.management.base import BaseCommand
from django_tenants.utils import tenant_context

from tenant_apps.insights.services import aggregates_rebuild
from tenants.models import Municipality


class Command(BaseCommand):
    help = "Recalcula os indicadores diários a partir do histórico (uma cidade ou todas)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--schema", help="o schema da cidade (todas, se omitido)")

    def handle(self, *args: Any, **options: Any) -> None:
        cities = Municipality.objects.exclude(schema_name="public")
        if options.get("schema"):
            cities = cities.filter(schema_name=options["schema"])
        for city in cities:
            with tenant_context(city):
                run = aggregates_rebuild()
            seconds = f"{run.seconds:.1f}" if run else "0"
            self.stdout.write(f"{city.schema_name}: {seconds} s")
