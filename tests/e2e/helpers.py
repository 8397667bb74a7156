"""What the browser tests share: logging a member of staff in through the real two-step form."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import schema_context

from paco_demo import cities as demo


def totp_code(schema: str, email: str) -> str:
    """A code the person's device has not used yet.

    A TOTP code is good once (django-otp keeps the last step used), and the demo city outlives
    the tests, so an earlier test may have used this 30-second step already: take the next step
    (the device accepts one step of drift), or wait for it when that one is used too.
    """
    with schema_context(schema):
        last_step = TOTPDevice.objects.filter(user__email=email).values_list("last_t", flat=True).first()
    last_step = -1 if last_step is None else last_step
    while True:
        now = int(time.time()) // 30
        step = max(now, last_step + 1)
        if step <= now + 1:
            break
        time.sleep(1)
    return f"{totp(bytes.fromhex(demo.DEMO_TOTP_KEY_HEX), step=30, t0=0, digits=6, drift=step - now):06d}"


def staff_login(page: Any, base: str, email: str, *, landing: str = "/staff/") -> None:
    """Log `email` in on `base` (`http://city.localhost:port`) with password and second factor."""
    schema = urlsplit(base).hostname.split(".")[0]  # type: ignore[union-attr]
    target = "/staff/entrar/" if landing == "/staff/" else f"/staff/entrar/?next={landing}"
    page.goto(f"{base}{target}")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Senha").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_url(f"{base}/staff/entrar/codigo/")
    page.get_by_label("Código de 6 dígitos").fill(totp_code(schema, email))
    page.get_by_role("button", name="Confirmar").click()
    page.wait_for_url(f"{base}{landing}")
