"""The embedded PostgreSQL (pgserver) used when no `DATABASE_URL` is configured.

It lives under `.data/pg`; every process that needs it attaches to the same server, and the
server stops when the last of them exits (pgserver counts the processes holding it).
"""

from __future__ import annotations

import logging
import warnings
from typing import Any

from paco.settings.env import DATA_DIR

logger = logging.getLogger(__name__)

EMBEDDED_PGDATA = DATA_DIR / "pg"


def embedded_database_settings() -> dict[str, Any]:
    """Start (or attach to) the embedded server and return Django's database settings for it."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, containers) and falls back to /tmp.
        warnings.simplefilter("ignore")
        import pgserver

        EMBEDDED_PGDATA.mkdir(parents=True, exist_ok=True)
        server = pgserver.get_server(EMBEDDED_PGDATA, cleanup_mode="stop")
    info = server.get_postmaster_info()
    logger.info("embedded PostgreSQL ready at %s", info.socket_dir or info.port)
    return {
        "NAME": "postgres",
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": str(info.socket_dir) if info.socket_dir else "127.0.0.1",
        "PORT": str(info.port or 5432),
    }
