"""`/healthz` on a municipality's host and on the control plane's host."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.conftest import ARACAJU_HOST, CONTROL_PLANE_HOST, GRAVATAI_HOST


@pytest.fixture
def media_root(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _expected_broker(settings: Any) -> str:
    # The Redis broker answers a PING; without REDIS_URL jobs run on the in-process stub broker.
    return "ok" if settings.REDIS_URL else "in-process"


@pytest.mark.parametrize(
    ("host", "schema_name"),
    [(ARACAJU_HOST, "aracaju"), (GRAVATAI_HOST, "gravatai"), (CONTROL_PLANE_HOST, "public")],
)
def test_healthz_reports_every_check_ok(db, settings, media_root, host, schema_name):
    response = Client(HTTP_HOST=host).get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "schema": schema_name,
        "checks": {"database": "ok", "broker": _expected_broker(settings), "storage": "ok"},
    }
    assert "no-cache" in response["Cache-Control"]
    # the storage probe writes under the tenant's folder and removes its file
    assert [str(path.relative_to(media_root)) for path in media_root.rglob("*")] == [
        schema_name,
        f"{schema_name}/healthz",
    ]


def test_healthz_reports_a_storage_failure_with_503(db, settings, tmp_path):
    # given: MEDIA_ROOT is a regular file, so no tenant folder can be created under it
    not_a_directory = tmp_path / "media"
    not_a_directory.write_bytes(b"")
    settings.MEDIA_ROOT = not_a_directory

    response = Client(HTTP_HOST=ARACAJU_HOST).get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "schema": "aracaju",
        "checks": {
            "database": "ok",
            "broker": _expected_broker(settings),
            "storage": "error: NotADirectoryError",
        },
    }


def test_healthz_only_answers_get(db):
    response = Client(HTTP_HOST=ARACAJU_HOST).post("/healthz")

    assert response.status_code == 405
