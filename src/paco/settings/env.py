"""The one environment reader (django-environ). Every variable is documented in docs/configuration.md."""

import hashlib
from pathlib import Path

import environ

ROOT_DIR = Path(__file__).resolve().parents[3]
# Names things one checkout owns on shared servers (test database, test cache keys, test queues),
# so two clones testing against one PostgreSQL or Redis never touch each other's.
CHECKOUT_ID = hashlib.sha1(str(ROOT_DIR).encode(), usedforsecurity=False).hexdigest()[:8]

env = environ.Env()
# Where the demo and development keep their state (embedded PostgreSQL, Redis, mail, media).
DATA_DIR = Path(env.str("DATA_DIR", default="") or ROOT_DIR / ".data")
