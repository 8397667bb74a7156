"""Permit fees: each kind's table (fixed, by area or by risk level), the MEI exemption, and the
municipal guide (DAM) paid by Pix through `tenant_apps.payments` (guides, BR Code, provider and
webhook live there; this module never builds Pix payloads). Fees go to the city's Pix key."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from paco.errors import ApplicationError
from tenant_apps.payments.selectors import guide_for
from tenant_apps.payments.services import guide_issue

from .enums import FeeMode, RiskLevel

FEE_PURPOSE = "permits.fee"
ZERO = Decimal("0.00")


def _money(raw: Any, *, field: str = "fee_table") -> Decimal:
    try:
        value = Decimal(str(raw).replace(",", ".")).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError) as error:
        raise ApplicationError(
            _("Valor inválido na tabela da taxa: %(raw)s.") % {"raw": raw}, extra={"field": field}
        ) from error
    if value < 0:
        raise ApplicationError(_("A taxa não pode ser negativa."), extra={"field": field})
    return value


def fee_table_clean(*, mode: str, table: Any) -> dict[str, Any]:
    """The kind's fee table checked as the admin saves it (nothing is saved if a value is wrong)."""
    if mode == FeeMode.NONE:
        return {}
    if not isinstance(table, dict):
        raise ApplicationError(_("A tabela da taxa está em formato inválido."), extra={"field": "fee_table"})
    if mode == FeeMode.FIXED:
        return {"valor": str(_money(table.get("valor")))}
    if mode == FeeMode.RISK:
        return {level: str(_money(table.get(level, "0"))) for level in RiskLevel.values}
    if mode == FeeMode.AREA:
        brackets = table.get("faixas")
        if not isinstance(brackets, list) or not brackets:
            raise ApplicationError(_("Informe ao menos uma faixa de área."), extra={"field": "fee_table"})
        cleaned, previous = [], Decimal("-1")
        for position, bracket in enumerate(brackets):
            up_to, amount = bracket[0], _money(bracket[1])
            is_last = position == len(brackets) - 1
            if up_to is None:
                if not is_last:
                    raise ApplicationError(
                        _("Só a última faixa pode ser sem limite de área."), extra={"field": "fee_table"}
                    )
                cleaned.append([None, str(amount)])
                continue
            limit = _money(up_to)
            if limit <= previous:
                raise ApplicationError(_("As faixas de área devem crescer."), extra={"field": "fee_table"})
            previous = limit
            cleaned.append([str(limit), str(amount)])
        return {"faixas": cleaned}
    raise ApplicationError(_("Modo de cobrança desconhecido."), extra={"field": "fee_mode"})


def fee_compute(*, kind: Any, risk_level: str, area_m2: Decimal | None, is_mei: bool) -> Decimal:
    """The fee of a request. A MEI pays none (LC 123/2006, art. 4º, §3º: no fees for the opening,
    registration, permits and licences of the microempreendedor individual); level I needs no permit."""
    if is_mei or risk_level == RiskLevel.LOW or kind.fee_mode == FeeMode.NONE:
        return ZERO
    table = kind.fee_table or {}
    if kind.fee_mode == FeeMode.FIXED:
        return _money(table.get("valor", "0"))
    if kind.fee_mode == FeeMode.RISK:
        return _money(table.get(risk_level, "0"))
    area = area_m2 or Decimal(0)
    for up_to, amount in table.get("faixas", []):
        if up_to is None or area <= Decimal(str(up_to)):
            return _money(amount)
    return ZERO


def fee_guide_issue(*, request: Any) -> Any:
    """The DAM of a request with a fee, through the payments module (None when there is no fee)."""
    if request.fee_amount <= 0:
        return None
    return guide_issue(
        purpose=FEE_PURPOSE,
        reference=str(request.pk),
        payer_name=request.requester_name,
        payer_document=request.requester_document,
        amount=request.fee_amount,
        owner=request.case.citizen,
        description=_("Taxa de %(kind)s — protocolo %(nup)s")
        % {"kind": request.kind.service.name, "nup": request.case.nup},
    )


def fee_guide(*, request: Any) -> Any:
    if request.fee_amount <= 0:
        return None
    return guide_for(purpose=FEE_PURPOSE, reference=str(request.pk))
