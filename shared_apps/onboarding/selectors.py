"""Reads of onboarding: the bundled IBGE table of municipalities, and signups with their progress."""

from __future__ import annotations

import csv
import functools
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import schema_context

from paco.text import text_fold

from .enums import SignupStatus
from .models import Signup

TABLE_PATH = Path(__file__).resolve().parent / "data" / "municipios.csv"


@dataclass(frozen=True)
class IbgeMunicipality:
    ibge_code: str
    name: str
    uf: str


@functools.lru_cache(maxsize=1)
def _ibge_table() -> tuple[dict[str, IbgeMunicipality], dict[str, list[IbgeMunicipality]]]:
    by_code: dict[str, IbgeMunicipality] = {}
    by_uf: dict[str, list[IbgeMunicipality]] = {}
    with TABLE_PATH.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            municipality = IbgeMunicipality(row["ibge_code"], row["name"], row["uf"])
            by_code[municipality.ibge_code] = municipality
            by_uf.setdefault(municipality.uf, []).append(municipality)
    for rows in by_uf.values():
        rows.sort(key=lambda municipality: (text_fold(municipality.name), municipality.name))
    return by_code, by_uf


def ibge_municipality_get(ibge_code: str) -> IbgeMunicipality | None:
    return _ibge_table()[0].get(ibge_code.strip())


def ibge_municipality_list() -> list[IbgeMunicipality]:
    """All municipalities, by code."""
    return list(_ibge_table()[0].values())


def ibge_municipality_list_by_uf(uf: str) -> list[IbgeMunicipality]:
    """The UF's municipalities by name, accents sorting with their letter (Água Branca before Bacabal)."""
    return list(_ibge_table()[1].get(uf.strip().upper(), []))


def ibge_municipality_search(
    prefix: str, *, uf: str | None = None, limit: int = 20
) -> list[IbgeMunicipality]:
    """Municipalities whose name starts with `prefix`, ignoring accents and case."""
    folded = text_fold(prefix.strip())
    if not folded:
        return []
    if uf:
        candidates = ibge_municipality_list_by_uf(uf)
    else:
        candidates = sorted(ibge_municipality_list(), key=lambda row: (text_fold(row.name), row.uf))
    return [row for row in candidates if text_fold(row.name).startswith(folded)][:limit]


# --- signups --------------------------------------------------------------------------------------


def signup_is_expired(signup: Signup) -> bool:
    """Expired, or still waiting for its verification after the link's deadline (until the daily job)."""
    return signup.status == SignupStatus.EXPIRED or (
        signup.status == SignupStatus.PENDING_VERIFICATION
        and signup.verification_expires_at <= timezone.now()
    )


def signup_effective_status(signup: Signup) -> str:
    return SignupStatus.EXPIRED if signup_is_expired(signup) else signup.status


def signup_get(signup_id: uuid.UUID | str) -> Signup | None:
    try:
        key = uuid.UUID(str(signup_id))
    except ValueError:
        return None
    return Signup.objects.select_related("municipality").filter(pk=key).first()


def progress_cache_key(signup_id: uuid.UUID | str) -> str:
    # Written and read while the connection is in `public`: the cache key prefix is "public".
    return f"onboarding:progress:{signup_id}"


def signup_live_steps(signup: Signup) -> dict[str, float]:
    """Seconds of the steps done so far: the saved ones, or the live ones of a running provisioning."""
    if signup.step_seconds:
        return dict(signup.step_seconds)
    with schema_context("public"):
        live: Any = cache.get(progress_cache_key(signup.pk))
    return dict(live or {})


STEP_LABELS = {
    "row": _("Cadastro e endereço"),
    "schema": _("Banco de dados do município"),
    "branding": _("Marca: brasão e cores"),
    "org_chart": _("Organograma"),
    "admin": _("Conta do administrador"),
    "admin_invite": _("Convite ao administrador"),
    "billing": _("Assinatura"),
}


def provisioning_step_names() -> list[str]:
    """The steps in the order they run: tenants' own, the seeding steps of settings, then billing."""
    seeding = [name for name, _path in settings.TENANT_PROVISIONING_STEPS]
    return ["row", "schema", "branding", *seeding, "billing"]


@dataclass(frozen=True)
class StepState:
    name: str
    label: str
    state: str  # done, running, waiting, failed
    seconds: float | None


def signup_progress(signup: Signup) -> list[StepState]:
    seconds = signup_live_steps(signup)
    status = signup.status
    rows = []
    running_marked = False
    for name in provisioning_step_names():
        label = str(STEP_LABELS.get(name, name.replace("_", " ").capitalize()))
        if name in seconds:
            rows.append(StepState(name, label, "done", seconds[name]))
            continue
        if status in (SignupStatus.VERIFIED, SignupStatus.PROVISIONING) and not running_marked:
            rows.append(StepState(name, label, "running", None))
            running_marked = True
        elif status == SignupStatus.FAILED and not running_marked:
            rows.append(StepState(name, label, "failed", None))
            running_marked = True
        else:
            rows.append(StepState(name, label, "waiting", None))
    return rows


def email_mask(email: str) -> str:
    """ "prefeito@aracaju.se.gov.br" -> "p******o@aracaju.se.gov.br"."""
    local, _at, host = email.partition("@")
    if len(local) <= 2:
        masked = local[:1] + "*" * max(len(local) - 1, 1)
    else:
        masked = local[0] + "*" * (len(local) - 2) + local[-1]
    return f"{masked}@{host}"


def verification_link_shown() -> bool:
    """Whether the demo shows the verification link on the page (ONBOARDING_SHOW_VERIFICATION_LINK)."""
    configured = settings.ONBOARDING_SHOW_VERIFICATION_LINK
    if configured is not None:
        return bool(configured)
    return bool(settings.DEBUG) and settings.EMAIL_BACKEND in (
        "django.core.mail.backends.filebased.EmailBackend",
        "django.core.mail.backends.locmem.EmailBackend",
    )
