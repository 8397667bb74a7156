"""The append-only, hash-chained case history."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from tenant_apps.accounts.models import User

from .models import Case, CaseEvent

GENESIS_HASH = "0" * 64


def _canonical(event: CaseEvent, nup: str) -> str:
    return json.dumps(
        {
            "case": nup,
            "sequence": event.sequence,
            "kind": event.kind,
            "occurred_at": event.occurred_at.astimezone(dt.UTC).isoformat(),
            "actor": event.actor_id,
            "actor_name": event.actor_name,
            "unit": event.unit_id,
            "summary": event.summary,
            "payload": event.payload,
            "is_public": event.is_public,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )


def event_hash(event: CaseEvent, nup: str) -> str:
    return hashlib.sha256((event.previous_hash + _canonical(event, nup)).encode()).hexdigest()


def event_append(
    *,
    case: Case,
    kind: str,
    summary: str,
    actor: User | None = None,
    unit: Any = None,
    payload: dict[str, Any] | None = None,
    is_public: bool = True,
) -> CaseEvent:
    """Append one entry. The caller holds the case row lock (select_for_update), so the chain is linear."""
    last = CaseEvent.objects.filter(case=case).order_by("-sequence").only("sequence", "hash").first()
    event = CaseEvent(
        case=case,
        sequence=(last.sequence + 1) if last else 1,
        kind=kind,
        occurred_at=timezone.now(),
        actor=actor,
        actor_name=(getattr(actor, "full_name", "") or "") if actor else "",
        unit=unit,
        summary=summary,
        payload=payload or {},
        is_public=is_public,
        previous_hash=last.hash if last else GENESIS_HASH,
    )
    event.hash = event_hash(event, case.nup)
    event.save()
    return event


@dataclass(frozen=True)
class ChainReport:
    is_valid: bool
    events: int
    first_broken_sequence: int | None = None
    reason: str = ""


def history_verify(case: Case) -> ChainReport:
    """Recompute every hash of the case's history; report the first entry that does not match."""
    previous = GENESIS_HASH
    expected_sequence = 1
    count = 0
    for event in CaseEvent.objects.filter(case=case).order_by("sequence").iterator():
        count += 1
        if event.sequence != expected_sequence:
            return ChainReport(False, count, expected_sequence, "entrada ausente na sequência")
        if event.previous_hash != previous:
            return ChainReport(
                False, count, event.sequence, "encadeamento com a entrada anterior não confere"
            )
        if event_hash(event, case.nup) != event.hash:
            return ChainReport(False, count, event.sequence, "conteúdo alterado depois de registrado")
        previous = event.hash
        expected_sequence += 1
    return ChainReport(True, count)
