"""Metering: see README.md for the variables."""

from .env import env  # noqa: F401

# periodic jobs of this concern, appended to SCHEDULE in base.py
METERING_SCHEDULE: list[dict[str, object]] = []
