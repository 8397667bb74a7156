"""The one environment reader (django-environ). Every variable is documented in README.md."""

from pathlib import Path

import environ

ROOT_DIR = Path(__file__).resolve().parents[3]
DATA_DIR = ROOT_DIR / ".data"

env = environ.Env()
