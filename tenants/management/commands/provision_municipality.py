from typing import Any

from django.core.management.base import BaseCommand, CommandError

from paco.errors import ApplicationError
from tenants.services import AdminSpec, MunicipalitySpec, municipality_provision


class Command(BaseCommand):
    help = "Provision (or complete) a municipality: schema cloned from the template, domain, branding, admin."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--slug", required=True)
        parser.add_argument("--name", required=True)
        parser.add_argument("--display-name")
        parser.add_argument("--ibge-code", required=True)
        parser.add_argument("--state", required=True)
        parser.add_argument("--population", type=int)
        parser.add_argument("--primary-color", default="#1351b4")
        parser.add_argument("--secondary-color", default="#ffcd07")
        parser.add_argument("--hostname")
        parser.add_argument("--admin-email")
        parser.add_argument("--admin-name", default="Administrador")
        parser.add_argument("--method", choices=["pool", "blueprint", "clone", "migrate"], default="pool")

    def handle(self, *args: Any, **options: Any) -> None:
        admin = None
        if options["admin_email"]:
            admin = AdminSpec(email=options["admin_email"], full_name=options["admin_name"])
        spec = MunicipalitySpec(
            slug=options["slug"],
            name=options["name"],
            display_name=options["display_name"] or f"Prefeitura Municipal de {options['name']}",
            ibge_code=options["ibge_code"],
            state=options["state"].upper(),
            population=options["population"],
            primary_color=options["primary_color"],
            secondary_color=options["secondary_color"],
            hostname=options["hostname"],
            admin=admin,
        )

        def report(step: str, seconds: float) -> None:
            self.stdout.write(f"  {step:10} {seconds * 1000:8.1f} ms")

        try:
            municipality = municipality_provision(spec=spec, method=options["method"], on_step=report)
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.stdout.write(self.style.SUCCESS(f"{municipality} is ready (schema {municipality.schema_name})"))
