from typing import Any

from django.core.management.base import BaseCommand

from tenants.services import template_schema_sync


class Command(BaseCommand):
    help = "Create and migrate the template schema that new municipalities are cloned from."

    def handle(self, *args: Any, **options: Any) -> None:
        template_schema_sync(verbosity=options["verbosity"])
        self.stdout.write(self.style.SUCCESS("template schema is up to date"))
