"""`make demo`: migrate, provision Aracaju and Gravataí with their demo people, print how to log in.

Safe to run again: every step only adds what is missing.
"""

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from paco_demo import cities as demo
from paco_demo.seeding import demo_modules, demo_setup
from tenant_apps.open311.demo import DEMO_OPEN311
from tenants.models import Municipality


class Command(BaseCommand):
    help = "Prepare the demo: migrations, the two demo municipalities, demo logins."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", default="8000")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate_schemas", interactive=False, verbosity=0)
        cities = demo_setup()
        self._print(options["port"], cities)

    def _print(self, port: str, cities: list[Municipality]) -> None:
        write = self.stdout.write
        write("")
        write(self.style.SUCCESS("Paço demo is ready."))
        write(f"  Control plane:  http://localhost:{port}/  (sign a new city up at /cadastro/)")
        for spec in demo.DEMO_MUNICIPALITIES:
            write(f"  {spec.name + ' (' + spec.state + '):':16}http://{spec.slug}.localhost:{port}/")
        write("")
        write("Logins (the same citizen exists separately in each city):")
        rows = [("citizen", f"{demo.DEMO_CITIZEN['email']} / {demo.CITIZEN_PASSWORD}  (at /entrar/)")]
        modules = demo_modules()
        for spec, municipality in zip(demo.DEMO_MUNICIPALITIES, cities, strict=True):
            staff = demo.DEMO_STAFF[spec.slug]
            rows.append(
                (f"staff {spec.slug}", f"{staff['email']} / {demo.DEMO_PASSWORD}  (at /staff/entrar/)")
            )
            if spec.admin:
                rows.append(
                    (f"admin {spec.slug}", f"{spec.admin.email} / {demo.DEMO_PASSWORD}  (at /staff/entrar/)")
                )
            for module in modules:
                for who, login, password in module.logins(municipality):
                    if password:
                        rows.append((f"{who} {spec.slug}", f"{login} / {password}  (at /staff/entrar/)"))
                    else:  # a page to open (a signed document's verification), not a login
                        rows.append((f"{who} {spec.slug}", f"http://{spec.slug}.localhost:{port}{login}"))
        rows.append(
            (
                "vendor support",
                f"{demo.SUPPORT_EMAIL} / {demo.DEMO_PASSWORD}  (at http://localhost:{port}/suporte/)",
            )
        )
        # one column for every label, however long, so a label never runs into its e-mail
        width = max(len(label) for label, _login in rows) + 2
        for label, login in rows:
            write(f"  {label:{width}}{login}")
        write("")
        write("Support sessions: Aracaju's admins pre-consented (sessions start at once); Gravataí's")
        write("admins approve each one at /admin-municipal/suporte/. A new city's e-mails (verification,")
        write("invitation) are written to .data/mail/; the signup page also shows the confirmation link.")
        write("")
        write(
            "Open311 (GeoReport v2) at /open311/v2/ on each city; demo API keys (api_key) to POST requests:"
        )
        for spec in demo.DEMO_MUNICIPALITIES:
            open311 = DEMO_OPEN311[spec.slug]
            write(f"  {spec.slug:15}{open311['key']}  (publishes: {', '.join(open311['services'])})")
        write("")
        write("Staff and support also type a 6-digit code (TOTP). The demo accounts share the secret")
        write(f"  {demo.DEMO_TOTP_SECRET_BASE32}  (add it to any authenticator app),")
        write("or print the current code with:")
        write("  .venv/bin/python src/manage.py totp_code")
        write("")
