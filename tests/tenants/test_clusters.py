"""Cities on several PostgreSQL clusters (issue 19, point 3): the directory, placement, requests,
jobs, cache keys, exports and migrations on the city's cluster, and moving a city between clusters.

The second and third "clusters" are second databases on the one test server (the machine's
PostgreSQL through DATABASE_URL, or the embedded server when it is unset): see
tests/tenants/second_cluster.py.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import dramatiq
import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client, override_settings
from django_tenants.utils import tenant_context
from dramatiq.broker import MessageProxy

from paco import clusters
from paco.errors import ApplicationError
from paco.jobs import SCHEMA_OPTION, TenantMiddleware
from paco.settings.database import tenant_databases
from shared_apps.offboarding import archive
from shared_apps.offboarding.export_policy import EXPORTED_TABLES
from shared_apps.offboarding.services import (
    export_open,
    municipality_data,
    municipality_delete,
    tenant_export,
    tenant_restore,
)
from tenant_apps.accounts.models import User
from tenant_apps.cases.history import history_verify
from tenant_apps.cases.models import Case
from tenant_apps.cases.services import case_open
from tenant_apps.catalog.models import Service
from tenant_apps.documents.models import Attachment
from tenants.clusters import cluster_choose, municipality_move, schema_contents, schema_exists_on
from tenants.models import Municipality
from tenants.release_migrate import release_migrate
from tenants.services import municipality_provision
from tests.cases.conftest import PNG, png_upload
from tests.conftest import cache_clear, client_for
from tests.offboarding.conftest import stored_files_cleanup  # noqa: F401 - the fixture
from tests.offboarding.test_archive import _rezip
from tests.tenants.second_cluster import extra_clusters
from tests.tenants.test_provisioning import ESTANCIA

FORM = {"endereco": "Rua Laranjeiras, 100, Centro", "motivo": "Galhos na fiação"}


def test_one_cluster_when_tenant_databases_is_unset(db):
    assert not clusters.multi_cluster()
    assert cluster_choose() == "default"
    assert Municipality.objects.get(slug="aracaju").database == "default"


def test_tenant_databases_setting_is_parsed_and_refuses_nonsense():
    assert tenant_databases("sp1=postgres://u@10.0.0.2:5432/paco; sp2=postgres://u@10.0.0.3/paco") == {
        "sp1": "postgres://u@10.0.0.2:5432/paco",
        "sp2": "postgres://u@10.0.0.3/paco",
    }
    assert tenant_databases("") == {}
    for bad in ("sp1", "default=postgres://x/y", "1x=postgres://x/y", "sp1="):
        with pytest.raises(ValueError, match="TENANT_DATABASES"):
            tenant_databases(bad)


def test_new_cities_go_to_the_cluster_with_room(db):
    with extra_clusters("c2"):
        # the demo cities are on default: the empty cluster has room
        assert cluster_choose() == "c2"
        with override_settings(TENANT_DATABASE_WEIGHTS={"c2": 0}):
            assert cluster_choose() == "default"  # weight 0: closed to new cities
        # fewest cities per unit of weight: with one city on c2, default (2 cities, weight 100) wins
        Municipality.objects.filter(slug="gravatai").update(database="c2")
        with override_settings(TENANT_DATABASE_WEIGHTS={"default": 100}):
            assert cluster_choose() == "default"  # 1/100 < 1/1


def _message(schema_name: str) -> MessageProxy:
    return MessageProxy(
        dramatiq.Message(
            queue_name="default", actor_name="x", args=(), kwargs={}, options={SCHEMA_OPTION: schema_name}
        )
    )


def test_a_city_on_another_cluster_is_served_there(db):
    with extra_clusters("c2"):
        municipality = municipality_provision(spec=ESTANCIA)

        # the directory and the schema: on c2 only
        assert municipality.database == "c2"
        assert schema_exists_on("c2", "estancia")
        assert not schema_exists_on("default", "estancia")
        with tenant_context(municipality):
            assert connection.alias == "c2"
            assert User.objects.filter(email="admin@estancia.se.gov.br").exists()
            # control-plane models still come from the control plane, and cache keys carry the city
            assert Municipality.objects.get(slug="aracaju").database == "default"
            assert cache.make_key("x").startswith("estancia:")
        assert connection.alias == "default"

        # requests: the city's host reads its cluster, the other city's its own, in turn
        for host, name in [
            ("estancia.localhost", "Estância"),
            ("aracaju.localhost", "Aracaju"),
            ("estancia.localhost", "Estância"),
        ]:
            response = Client().get("/", HTTP_HOST=host)
            assert response.status_code == 200, host
            assert name in response.content.decode()
            assert connection.alias == "default"  # the request gave the connection back

        # jobs: the message's schema enters the city's cluster, and leaves it afterwards
        broker = dramatiq.get_broker()
        middleware = TenantMiddleware()
        message = _message("estancia")
        middleware.before_process_message(broker, message)
        assert (connection.alias, connection.schema_name) == ("c2", "estancia")
        assert User.objects.filter(email="admin@estancia.se.gov.br").exists()
        middleware.after_process_message(broker, message)
        assert (connection.alias, connection.schema_name) == ("default", "public")

        # exports: the archive is read from the city's cluster
        target = io.BytesIO()
        archive.archive_write(
            target=target,
            schema_name="estancia",
            municipality_data=municipality_data(municipality=municipality),
            exported_at="now",
        )
        with zipfile.ZipFile(target) as zip_file:
            users = zip_file.read("database/accounts_user.csv").decode()
        assert "admin@estancia.se.gov.br" in users

        # the release: fingerprints and the catalogue check read each schema on its own cluster
        report = release_migrate(workers=0, schemas=["aracaju", "estancia"])
        assert [outcome.status for outcome in report.outcomes] == ["skipped", "skipped"]
        assert report.checked == 2
        assert report.mismatched == []


def _snapshot(municipality: Municipality) -> dict[str, object]:
    with tenant_context(municipality):
        cases = list(Case.objects.order_by("nup"))
        attachments = {
            attachment.pk: hashlib.sha256(default_storage.open(attachment.storage_name).read()).hexdigest()
            for attachment in Attachment.objects.all()
        }
        return {
            "cases": [(case.nup, case.status, case.subject) for case in cases],
            "chains": [history_verify(case).is_valid for case in cases],
            "attachments": attachments,
            "users": sorted(User.objects.values_list("email", "password")),
        }


def test_moving_a_city_between_clusters_loses_nothing(db, aracaju):
    with extra_clusters("c2", "c3"):
        # Aracaju (the demo city, committed) moves from the control plane's database to c2
        municipality_move(municipality=aracaju, target="c2", settle_seconds=0)
        assert Municipality.objects.get(slug="aracaju").database == "c2"
        assert schema_exists_on("c2", "aracaju")
        assert not schema_exists_on("default", "aracaju")

        # on c2 a citizen opens a case with a photo, and a staff member is signed in
        with tenant_context(aracaju):
            citizen = User.objects.get(email="cidadao@exemplo.com.br")
            poda = Service.objects.get(code="poda-de-arvore")
            case_open(service=poda, opened_by=citizen, form_data=FORM, uploads=[png_upload()])
        staff = client_for("staff", aracaju)
        assert staff.get("/staff/", HTTP_HOST="aracaju.localhost").status_code == 200
        before = _snapshot(aracaju)
        contents = schema_contents("c2", "aracaju")
        assert all(before["chains"])
        assert before["cases"]
        assert before["attachments"]

        # when: moved to c3; during the switch the city refuses writes
        refused: list[int] = []

        def during(line: str) -> None:
            if "somente consulta" in line:
                cache_clear()  # what the status change's commit does (the test's transaction never commits)
                refused.append(Client().post("/", HTTP_HOST="aracaju.localhost").status_code)

        report = municipality_move(municipality=aracaju, target="c3", settle_seconds=0, progress=during)

        print(  # noqa: T201 - the figure for infra/capacity.md
            f"move of aracaju c2 -> c3: {report.tables} tables, {report.rows} rows,"
            f" read-only {report.read_only_seconds:.2f} s, total {report.seconds:.2f} s"
        )

        # then: the directory points at c3, the old copy is gone, everything is identical
        assert refused == [403]
        assert Municipality.objects.get(slug="aracaju").database == "c3"
        assert Municipality.objects.get(slug="aracaju").status == aracaju.status  # given back
        assert schema_exists_on("c3", "aracaju")
        assert not schema_exists_on("c2", "aracaju")
        assert schema_contents("c3", "aracaju") == contents
        assert _snapshot(aracaju) == before
        assert report.rows == sum(count for count, _digest in contents.values())
        # the session signed in before the move is still valid; writes are accepted again
        cache_clear()
        assert staff.get("/staff/", HTTP_HOST="aracaju.localhost").status_code == 200
        assert Client().post("/", HTTP_HOST="aracaju.localhost").status_code != 403


def test_a_move_that_sees_a_write_during_the_copy_is_refused_and_changes_nothing(db, gravatai):
    with extra_clusters("c2"):
        status = gravatai.status

        def write_behind_the_copy(line: str) -> None:
            if "copiado" in line:  # a job still writing in the source after the dump
                with tenant_context(gravatai):
                    User.objects.filter(email="servidor@gravatai.rs.gov.br").update(
                        full_name="Escrito Depois"
                    )

        with pytest.raises(ApplicationError, match="difere"):
            municipality_move(
                municipality=gravatai, target="c2", settle_seconds=0, progress=write_behind_the_copy
            )

        row = Municipality.objects.get(slug="gravatai")
        assert (row.database, row.status) == ("default", status)
        assert schema_exists_on("default", "gravatai")
        assert not schema_exists_on("c2", "gravatai")


def test_a_move_to_an_unknown_cluster_or_the_same_one_is_refused(db, aracaju):
    with pytest.raises(ApplicationError, match="desconhecido"):
        municipality_move(municipality=aracaju, target="nowhere", settle_seconds=0)
    with extra_clusters("c2"), pytest.raises(ApplicationError, match="já está"):
        municipality_move(municipality=aracaju, target="default", settle_seconds=0)


def test_a_restore_and_a_deletion_follow_the_citys_cluster(
    db,
    aracaju,
    stored_files_cleanup,  # noqa: F811 - the imported fixture
    django_capture_on_commit_callbacks,
):
    """Offboarding on another cluster: an export restored as a new city lands on the cluster with
    room (c2, a second database on the test server), and deleting it drops its schema there."""
    with tenant_context(aracaju):
        citizen = User.objects.get(email="cidadao@exemplo.com.br")
        poda = Service.objects.get(code="poda-de-arvore")
        nup = case_open(service=poda, opened_by=citizen, form_data=FORM, uploads=[png_upload()]).nup
        photo = Attachment.objects.get(sha256=hashlib.sha256(PNG).hexdigest())
    with export_open(export=tenant_export(municipality=aracaju, requested_by="suporte@paco.app")) as stream:
        exported = stream.read()
    stored_files_cleanup.append("estancia")
    with extra_clusters("c2"):
        # an archive this release cannot load: refused, and the schema the provisioning built on
        # c2 (committed there) is dropped with it
        with zipfile.ZipFile(io.BytesIO(exported)) as zip_file:
            migrations = json.loads(zip_file.read(archive.MIGRATIONS))
        newer = [*migrations, {"app": "cases", "name": "9999_futuro", "applied": "2030-01-01T00:00:00+00:00"}]
        changes = {archive.MIGRATIONS: json.dumps(newer).encode()}
        with pytest.raises(ApplicationError, match="mais nova"):
            tenant_restore(
                archive_file=io.BytesIO(_rezip(exported, changes=changes, fix_manifest=True)),
                slug="estancia",
                ibge_code="2802106",
            )
        assert not schema_exists_on("c2", "estancia")
        assert not Municipality.objects.filter(slug="estancia").exists()

        # the archive itself: restored on c2, every exported row and file there, nothing on default
        restored = tenant_restore(archive_file=io.BytesIO(exported), slug="estancia", ibge_code="2802106")
        assert restored.database == "c2"
        assert schema_exists_on("c2", "estancia")
        assert not schema_exists_on("default", "estancia")
        source, copy = schema_contents("default", "aracaju"), schema_contents("c2", "estancia")
        assert {t: copy[t][0] for t in EXPORTED_TABLES if t in copy} == {
            t: source[t][0] for t in EXPORTED_TABLES if t in source
        }
        assert copy["cases_case"] == source["cases_case"]  # the same rows, not only as many
        with tenant_context(restored):
            case = Case.objects.get(nup=nup)
            assert history_verify(case).is_valid
            stored = default_storage.open(Attachment.objects.get(pk=photo.pk).storage_name).read()
            assert hashlib.sha256(stored).hexdigest() == photo.sha256
        response = Client().get("/", HTTP_HOST="estancia.localhost")
        assert (response.status_code, connection.alias) == (200, "default")

        # when: the city is deleted (offboarding); then its schema is gone from c2, its row too
        with django_capture_on_commit_callbacks(execute=True):
            municipality_delete(municipality=restored, requested_by="suporte", force=True)
        assert not schema_exists_on("c2", "estancia")
        assert not Municipality.objects.filter(slug="estancia").exists()
        assert schema_exists_on("default", "aracaju")  # the other cities stay where they are
