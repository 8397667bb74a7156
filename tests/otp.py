"""TOTP codes for tests: a code a device has not used yet.

A TOTP code is good once (django-otp keeps the last 30-second step a device accepted), and the demo
city's devices outlive the tests that log in through committed requests (the browser tests, the
worker tests), so "the current code" may already be spent. Take the next step instead (devices
accept one step of drift), or wait for it when that one is spent too.
"""

from __future__ import annotations

import time

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import schema_context

from paco_demo import cities as demo


def unused_code(email: str, *, schema: str | None = None, key_hex: str = demo.DEMO_TOTP_KEY_HEX) -> str:
    """A code for `email`'s device (in `schema`, or the current one) that it has not accepted yet."""
    query = TOTPDevice.objects.filter(user__email=email).values_list("last_t", flat=True)
    if schema is None:
        last_step = query.first()
    else:
        with schema_context(schema):
            last_step = query.first()
    last_step = -1 if last_step is None else last_step
    while True:
        now = int(time.time()) // 30
        step = max(now, last_step + 1)
        if step <= now + 1:
            return f"{totp(bytes.fromhex(key_hex), step=30, t0=0, digits=6, drift=step - now):06d}"
        time.sleep(1)
