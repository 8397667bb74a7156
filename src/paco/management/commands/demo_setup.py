"""`make demo`: migrate, provision Aracaju and Gravataí with their demo people, print how to log in.

Safe to run again: every step only adds what is missing.
"""

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django_tenants.utils import schema_context, tenant_context

from paco import demo
from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.services import totp_device_ensure, user_ensure
from tenant_apps.org.enums import Role
from tenant_apps.org.models import OrgUnit
from tenant_apps.org.services import membership_ensure
from tenants.services import municipality_provision, template_schema_sync


class Command(BaseCommand):
    help = "Prepare the demo: migrations, the two demo municipalities, demo logins."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", default="8000")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate_schemas", interactive=False, verbosity=0)
        template_schema_sync()
        for spec in demo.DEMO_MUNICIPALITIES:
            municipality = municipality_provision(spec=spec)
            with tenant_context(municipality), transaction.atomic():
                self._people(municipality.slug)
        with schema_context("public"), transaction.atomic():
            support = user_ensure(
                email=demo.SUPPORT_EMAIL, full_name="Equipe de Suporte Paço", kind=UserKind.SUPPORT,
                password=demo.DEMO_PASSWORD,
            )
            totp_device_ensure(user=support, key_hex=demo.DEMO_TOTP_KEY_HEX)
        self._print(options["port"])

    def _people(self, slug: str) -> None:
        citizen = demo.DEMO_CITIZEN
        user_ensure(
            email=citizen["email"], full_name=citizen["full_name"], cpf=citizen["cpf"], kind=UserKind.CITIZEN,
            password=demo.CITIZEN_PASSWORD,
        )
        staff_spec = demo.DEMO_STAFF[slug]
        staff = user_ensure(
            email=staff_spec["email"], full_name=staff_spec["full_name"], kind=UserKind.STAFF,
            password=demo.DEMO_PASSWORD,
        )
        membership_ensure(user_id=staff.pk, unit=OrgUnit.objects.get(acronym=staff_spec["unit"]), role=Role.STAFF)
        totp_device_ensure(user=staff, key_hex=demo.DEMO_TOTP_KEY_HEX)
        spec = next(spec for spec in demo.DEMO_MUNICIPALITIES if spec.slug == slug)
        if spec.admin:
            admin = user_ensure(email=spec.admin.email, full_name=spec.admin.full_name, kind=UserKind.STAFF)
            totp_device_ensure(user=admin, key_hex=demo.DEMO_TOTP_KEY_HEX)

    def _print(self, port: str) -> None:
        write = self.stdout.write
        write("")
        write(self.style.SUCCESS("Paço demo is ready."))
        write(f"  Control plane:  http://localhost:{port}/")
        for spec in demo.DEMO_MUNICIPALITIES:
            write(f"  {spec.name + ' (' + spec.state + '):':16}http://{spec.slug}.localhost:{port}/")
        write("")
        write("Logins (the same citizen exists separately in each city):")
        write(f"  citizen        {demo.DEMO_CITIZEN['email']} / {demo.CITIZEN_PASSWORD}  (at /entrar/)")
        for spec in demo.DEMO_MUNICIPALITIES:
            staff = demo.DEMO_STAFF[spec.slug]
            write(f"  staff {spec.slug:9}{staff['email']} / {demo.DEMO_PASSWORD}  (at /staff/entrar/)")
            if spec.admin:
                write(f"  admin {spec.slug:9}{spec.admin.email} / {demo.DEMO_PASSWORD}  (at /staff/entrar/)")
        write(f"  vendor support {demo.SUPPORT_EMAIL} / {demo.DEMO_PASSWORD}  (at http://localhost:{port}/suporte/)")
        write("")
        write("Staff and support also type a 6-digit code (TOTP). The demo accounts share the secret")
        write(f"  {demo.DEMO_TOTP_SECRET_BASE32}  (add it to any authenticator app), or print the current code with:")
        write("  .venv/bin/python src/manage.py totp_code")
        write("")
