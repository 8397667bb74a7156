"""What a guide pays for, and what happens once it is paid.

A module that charges a fee registers its purpose once, in its AppConfig.ready():

    from tenant_apps.payments import purposes
    purposes.register("alvara", permit_fee_paid, label=_("Taxa de alvará"))

`handler(guide)` runs in a job (`tasks.guide_paid_task`) after the payment is committed, inside a
transaction with the guide locked; it must be idempotent (a retried job may call it again after
a failure) and raise to have the job retried. The payments module never imports its callers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from .models import PaymentGuide

Handler = Callable[["PaymentGuide"], None]

_handlers: dict[str, Handler] = {}
_labels: dict[str, str | Promise] = {}


def register(purpose: str, handler: Handler, *, label: str | Promise | None = None) -> None:
    """Name `handler` as what runs when a guide of `purpose` is paid (registering again replaces)."""
    if not purpose or len(purpose) > 60:
        raise ValueError("purpose: 1 to 60 characters")
    _handlers[purpose] = handler
    _labels[purpose] = label or purpose


def handler_for(purpose: str) -> Handler | None:
    return _handlers.get(purpose)


def is_registered(purpose: str) -> bool:
    return purpose in _handlers


def label_for(purpose: str) -> str:
    return str(_labels.get(purpose, purpose))


def choices() -> list[tuple[str, str]]:
    return sorted(((purpose, str(label)) for purpose, label in _labels.items()), key=lambda item: item[1])


def _nothing_to_do(guide: PaymentGuide) -> None:
    """A one-off fee (taxa de expediente) has no effect beyond being paid."""


GENERIC_FEE = "taxa-expediente"
register(GENERIC_FEE, _nothing_to_do, label=_("Taxa de expediente"))


ONE_OFF = "avulsa"
# a guide staff issue by hand (a taxpayer's CPF/CNPJ, a description, an amount): no effect beyond being paid
register(ONE_OFF, _nothing_to_do, label=_("Guia avulsa"))
