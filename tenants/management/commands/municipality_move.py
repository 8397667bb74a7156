from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from paco.errors import ApplicationError
from tenants.clusters import cluster_summary, municipality_move
from tenants.models import Municipality


class Command(BaseCommand):
    help = (
        "Move a municipality's schema to another PostgreSQL cluster (a TENANT_DATABASES alias, or"
        " `default`): read-only for the switch, pg_dump/pg_restore, every table compared, the"
        " directory switched, the old copy dropped. Without arguments: each cluster and its cities."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", nargs="?", help="the municipality, e.g. aracaju")
        parser.add_argument("target", nargs="?", help="the cluster's alias, e.g. sp2")
        parser.add_argument(
            "--settle-seconds", type=float, default=2.0, help="wait for writes in flight once read-only"
        )
        parser.add_argument("--keep-source", action="store_true", help="leave the old copy in place")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["slug"]:
            for row in cluster_summary():
                self.stdout.write(f"{row['alias']}: {row['cities']} município(s), peso {row['weight']:g}")
            return
        if not options["target"]:
            raise CommandError("Informe o cluster de destino.")
        municipality = Municipality.objects.filter(slug=options["slug"]).first()
        if municipality is None:
            raise CommandError(f"Município desconhecido: {options['slug']}")
        try:
            report = municipality_move(
                municipality=municipality,
                target=options["target"],
                settle_seconds=options["settle_seconds"],
                keep_source=options["keep_source"],
                progress=self.stdout.write,
            )
        except ApplicationError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{report.slug}: {report.source} -> {report.target}, {report.tables} tabelas,"
            f" {report.rows} linhas idênticas; somente consulta por {report.read_only_seconds:.1f} s;"
            f" total {report.seconds:.1f} s"
        )
