"""Delete a city: `tenant_delete --schema x --confirm x [--force]` (refused without a ready export)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from paco.errors import ApplicationError
from tenants.models import Municipality

from ...services import municipality_delete


class Command(BaseCommand):
    help = "Exclui o esquema, os arquivos e o cadastro de um município (exige exportação pronta)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schema", required=True)
        parser.add_argument("--confirm", required=True, help="repita o esquema para confirmar")
        parser.add_argument("--force", action="store_true", help="excluir mesmo sem exportação pronta")
        parser.add_argument("--reason", default="")
        parser.add_argument("--requested-by", default="linha de comando")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["confirm"] != options["schema"]:
            raise CommandError("A confirmação não confere com o esquema.")
        municipality = Municipality.objects.filter(schema_name=options["schema"]).first()
        if municipality is None:
            raise CommandError(f"Município com esquema {options['schema']} não encontrado.")
        try:
            tombstone = municipality_delete(
                municipality=municipality,
                requested_by=options["requested_by"],
                reason=options["reason"],
                force=options["force"],
            )
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            f"município {tombstone.slug} excluído (exportação {tombstone.export_sha256 or 'nenhuma'})"
        )
