"""Export a city: `tenant_export --schema aracaju [--output path]`."""

from __future__ import annotations

import shutil
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from paco.errors import ApplicationError
from tenants.models import Municipality

from ...services import export_open, tenant_export


class Command(BaseCommand):
    help = "Exporta o esquema e os arquivos de um município para um zip com manifesto (SHA-256)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schema", required=True, help="esquema do município (ex.: aracaju)")
        parser.add_argument("--output", help="copiar o zip também para este caminho")
        parser.add_argument("--requested-by", default="linha de comando")

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = Municipality.objects.filter(schema_name=options["schema"]).first()
        if municipality is None:
            raise CommandError(f"Município com esquema {options['schema']} não encontrado.")
        started = time.perf_counter()
        try:
            export = tenant_export(municipality=municipality, requested_by=options["requested_by"])
        except ApplicationError as error:
            raise CommandError(error.message) from error
        elapsed = time.perf_counter() - started
        if options["output"]:
            with export_open(export=export) as source, open(options["output"], "wb") as target:
                shutil.copyfileobj(source, target, length=1024 * 1024)
        self.stdout.write(
            f"exportação {export.pk}: {export.file_name} ({export.size} bytes, {elapsed:.1f} s)\n"
            f"sha256 {export.sha256}" + (f"\ncopiada para {options['output']}" if options["output"] else "")
        )
