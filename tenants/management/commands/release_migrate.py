from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants.release_migrate import release_migrate, report_lines
from tenants.schema_pool import schema_pool_fill


class Command(BaseCommand):
    help = (
        "Migrate every municipality's schema (plan once, applied over a pool of connections, each schema"
        " in its own transaction, resumable), then the template; check every schema's catalogue against"
        " the template's; refill the schema pool from the new template. Run after"
        " `migrate_schemas --shared`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--workers", type=int, default=None, help="connections (TENANT_MIGRATION_PROCESSES)"
        )
        parser.add_argument(
            "--schema", action="append", dest="schemas", help="only these schemas (repeatable)"
        )
        parser.add_argument("--no-check", action="store_true", help="skip the catalogue fingerprint check")
        parser.add_argument("--no-pool", action="store_true", help="leave the schema pool alone")

    def handle(self, *args: Any, **options: Any) -> None:
        report = release_migrate(
            workers=options["workers"], schemas=options["schemas"], check=not options["no_check"]
        )
        for line in report_lines(report):
            self.stdout.write(line)
        if not options["no_pool"]:
            fill = schema_pool_fill()
            self.stdout.write(
                f"schema pool: {fill.ready} ready ({fill.created} created, {fill.dropped} from an older"
                f" template dropped) in {fill.seconds:.1f} s"
            )
        if report.failed or report.mismatched:
            raise CommandError(
                f"{len(report.failed)} schema(s) failed, {len(report.mismatched)} differ from the template;"
                " fix them and run the command again (the migrated ones are skipped)"
            )
