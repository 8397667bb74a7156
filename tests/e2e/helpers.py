"""What the browser tests share: logging a member of staff in through the real two-step form."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from paco_demo import cities as demo
from tests.otp import unused_code


def totp_code(schema: str, email: str) -> str:
    return unused_code(email, schema=schema)


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
