"""Issue 10, finding 6: production database settings hold under load, checked by `check --deploy`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from paco.checks import connection_arithmetic_check, connections_needed

ROOT = Path(__file__).resolve().parents[2]


def _ids(settings) -> list[str]:
    return [problem.id for problem in connection_arithmetic_check()]


def test_the_procfile_shape_fits_in_100_connections_and_200_threads_do_not(settings):
    settings.DATABASES = {
        "default": {
            **settings.DATABASES["default"],
            "CONN_MAX_AGE": 60,
            "OPTIONS": {"options": "-c statement_timeout=30000"},
        }
    }
    settings.DEPLOY_CONNECTIONS = {
        "max_connections": 100,
        "reserved": 10,
        "web_instances": 1,
        "web_workers": 3,
        "web_threads": 1,
        "worker_instances": 1,
        "worker_processes": 2,
        "worker_threads": 4,
    }
    assert connections_needed(settings.DEPLOY_CONNECTIONS) == 23
    assert _ids(settings) == []

    # runserver's model of the demo under 200 connections: one thread (and connection) per request
    settings.DEPLOY_CONNECTIONS = {**settings.DEPLOY_CONNECTIONS, "web_threads": 200 // 3 + 1}
    assert _ids(settings) == ["paco.E010"]


def test_no_persistent_connections_or_statement_timeout_is_warned(settings):
    settings.DATABASES = {"default": {**settings.DATABASES["default"], "CONN_MAX_AGE": 0, "OPTIONS": {}}}
    assert sorted(_ids(settings)) == ["paco.W011", "paco.W012"]


def test_production_settings_pass_check_deploy_connection_arithmetic():
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "paco.settings.production",
        "SECRET_KEY": "x" * 60,
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        "WORKER_THREADS": "60",
    }
    result = subprocess.run(
        [sys.executable, "src/manage.py", "check", "--deploy", "--tag", "connections"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "paco.E010" in result.stdout + result.stderr
    assert result.returncode != 0
