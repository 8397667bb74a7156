"""Restore an export into a new city: `tenant_restore --archive path --slug x [--ibge-code N]`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from paco.errors import ApplicationError

from ...export_policy import RESTORE_NOTICE
from ...services import tenant_restore


class Command(BaseCommand):
    help = "Cria um município novo a partir de um zip de exportação (hashes conferidos antes de tudo)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--archive", required=True)
        parser.add_argument("--slug", required=True)
        parser.add_argument("--ibge-code")
        parser.add_argument("--hostname")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            municipality = tenant_restore(
                archive_file=options["archive"],
                slug=options["slug"],
                ibge_code=options["ibge_code"],
                hostname=options["hostname"],
            )
        except ApplicationError as error:
            raise CommandError(error.message) from error
        except FileNotFoundError as error:
            raise CommandError(f"Arquivo não encontrado: {options['archive']}") from error
        self.stdout.write(f"município {municipality.slug} restaurado no esquema {municipality.schema_name}")
        self.stdout.write(str(RESTORE_NOTICE))
