"""A year of believable history written straight into the tables (bulk inserts, no services):
the demo's charts show something real on first open, and the bench fills a city the same way at
scale. Nothing here is called by the product; `demo.py` and `tests/bench` use it.

Rows carry no personal data: no citizen, no free text (subjects are the service's name).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.utils import timezone

from tenant_apps.cases.nup import nup_format
from tenant_apps.catalog.models import Service
from tenant_apps.org.models import OrgUnit

# demo numbers start high so they never meet the city's own gapless sequences
SEQUENCE_START = 900_001
VERIFICATION_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
OMBUDSMAN_KINDS = (
    ("reclamacao", 30),
    ("providencias", 20),
    ("sugestao", 8),
    ("elogio", 7),
    ("denuncia", 8),
    ("acesso_informacao", 27),
)


@dataclass
class HistorySpec:
    days: int = 365
    cases_per_day: float = 12.0
    manifestations_per_day: float = 1.2
    memos_per_day: float = 3.0
    circulars_per_week: float = 2.0
    neighbourhoods: Sequence[str] = ()
    slow_units: Sequence[str] = ()  # acronyms where cases wait longer (the demo's bottlenecks)


def _ids(table: str, count: int) -> list[int]:
    if not count:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)",  # noqa: S608
            [count],
        )
        return [row[0] for row in cursor.fetchall()]


_POOL: dict[str, list[int]] = {}


def _next_id(table: str) -> int:
    """The next id of `table`'s sequence, fetched a thousand at a time (one round trip per thousand)."""
    pool = _POOL.setdefault(table, [])
    if not pool:
        pool.extend(reversed(_ids(table, 1000)))
    return pool.pop()


def _insert(table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _code(rng: random.Random) -> str:
    raw = "".join(rng.choice(VERIFICATION_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


class _Numbers:
    def __init__(self) -> None:
        self.values: dict[Any, int] = {}

    def next(self, key: Any) -> int:
        self.values[key] = self.values.get(key, SEQUENCE_START - 1) + 1
        return self.values[key]


def history_generate(
    *, spec: HistorySpec, staff_user_id: int, today: dt.date | None = None, seed: str = "paco"
) -> dict[str, int]:
    """Insert `spec.days` days of cases, moves, requests for information, manifestations, documents,
    memos, circulars and notifications, ending today. Returns how many rows of each were written."""
    _POOL.clear()
    rng = random.Random(seed)  # noqa: S311 - made-up demo and bench history, not a secret
    zone = ZoneInfo(settings.TIME_ZONE)
    today = today or timezone.localdate()
    now = timezone.now()
    units = list(OrgUnit.objects.filter(is_active=True))
    services = list(Service.objects.filter(is_active=True, is_public=True).select_related("unit"))
    ombudsman_services = {s.code: s for s in Service.objects.filter(group="Ouvidoria")}
    if not units or not services:
        return {}
    slow = {unit.pk for unit in units if unit.acronym in set(spec.slow_units)}
    numbers = _Numbers()

    cases: list[tuple[Any, ...]] = []
    moves: list[tuple[Any, ...]] = []
    rfis: list[tuple[Any, ...]] = []
    manifestations: list[tuple[Any, ...]] = []
    appeals: list[tuple[Any, ...]] = []
    documents: list[tuple[Any, ...]] = []
    versions: list[tuple[Any, ...]] = []
    notifications: list[tuple[Any, ...]] = []

    def document(kind: str, unit: OrgUnit, when: dt.datetime, title: str, pages: int) -> int:
        doc_id = _next_id("documents_document")
        year = timezone.localtime(when, zone).year
        documents.append(
            (
                doc_id,
                kind,
                unit.pk,
                year,
                numbers.next((kind, unit.pk, year)),
                title,
                "restrito",
                "Lei 13.709/2018 (LGPD), art. 7º",
                _code(rng),
                when,
                when,
            )
        )
        body = ("Texto de demonstração. " * 130) * pages
        versions.append((doc_id, 1, body, hashlib.sha256(body.encode()).hexdigest(), "", "", when, when))
        return doc_id

    def case_history(
        day: dt.date, service: Service, *, weight_moves: bool = True
    ) -> tuple[int, dt.datetime, dt.datetime | None, OrgUnit]:
        opened_at = dt.datetime.combine(day, dt.time(8), zone) + dt.timedelta(minutes=rng.randint(0, 9 * 60))
        unit = service.unit
        case_id = _next_id("cases_case")
        moment = opened_at
        current = unit
        for _ in range(rng.choice((0, 1, 1, 2, 2, 3)) if weight_moves else 1):
            wait = rng.expovariate(1 / (70.0 if current.pk in slow else 20.0))
            moment = moment + dt.timedelta(hours=wait)
            if moment >= now:
                break
            target = rng.choice([u for u in units if u.pk != current.pk])
            moves.append((moment, moment, case_id, current.pk, target.pk, "", staff_user_id))
            current = target
        finish = moment + dt.timedelta(hours=rng.expovariate(1 / (60.0 if current.pk in slow else 30.0)))
        closed_at = finish if finish < now and rng.random() < 0.96 else None
        if rng.random() < 0.08:
            asked = opened_at + dt.timedelta(hours=rng.uniform(2, 30))
            if asked < now:
                answered = asked + dt.timedelta(hours=rng.expovariate(1 / 40.0))
                rfis.append(
                    (
                        asked,
                        asked,
                        case_id,
                        "Pedido de complementação (demonstração)",
                        staff_user_id,
                        "",
                        answered if answered < now else None,
                        None,
                    )
                )
        year = opened_at.astimezone(zone).year
        deadline = day + dt.timedelta(days=round(service.deadline_days * 1.4))
        nup = nup_format(unit.code, numbers.next(("nup", unit.pk, year)), year)
        form = (
            {"bairro": rng.choice(spec.neighbourhoods)} if spec.neighbourhoods and rng.random() < 0.8 else {}
        )
        last_event = closed_at or moment
        cases.append(
            (
                case_id,
                opened_at,
                last_event,
                nup,
                service.pk,
                service.name,
                "",
                _json(form),
                "balcao",
                None,
                None,
                unit.pk,
                current.pk,
                None,
                "concluido" if closed_at else "em_andamento",
                "restrito",
                opened_at,
                deadline,
                None,
                closed_at,
                "",
                last_event,
            )
        )
        document("REQ", unit, opened_at, f"Requerimento {nup}", 1)
        if closed_at:
            document("RESP", current, closed_at, f"Resposta {nup}", rng.choice((1, 1, 2)))
        for when in (opened_at, closed_at):
            if when is not None and rng.random() < 0.9:
                notifications.append(
                    (
                        when,
                        when,
                        None,
                        "email",
                        "",
                        "case-update",
                        "Atualização do protocolo",
                        "",
                        "",
                        "case",
                        case_id,
                        secrets.token_hex(16),
                        "delivered",
                        1,
                        when,
                        when,
                        "",
                        "",
                        "",
                        "[]",
                    )
                )
        return case_id, opened_at, closed_at, current

    kinds = [kind for kind, weight in OMBUDSMAN_KINDS for _ in range(weight)]
    for offset in range(spec.days, -1, -1):
        day = today - dt.timedelta(days=offset)
        weekday = day.weekday() < 5
        trend = 0.75 + 0.5 * (spec.days - offset) / max(spec.days, 1)
        for _ in range(_count(rng, spec.cases_per_day * trend * (1.0 if weekday else 0.15))):
            case_history(day, rng.choice(services))
        if ombudsman_services:
            for _ in range(_count(rng, spec.manifestations_per_day * (1.0 if weekday else 0.3))):
                kind = rng.choice(kinds)
                code = (
                    "ouvidoria-acesso-a-informacao"
                    if kind == "acesso_informacao"
                    else "ouvidoria-manifestacao"
                )
                service = ombudsman_services.get(code) or next(iter(ombudsman_services.values()))
                case_id, opened_at, closed_at, _unit = case_history(day, service, weight_moves=False)
                mode = rng.choice(("identificado", "identificado", "sigilo", "anonimo"))
                rated = closed_at is not None and rng.random() < 0.45
                extended = rng.random() < 0.1
                manifestation_id = _next_id("ombudsman_manifestation")
                manifestations.append(
                    (
                        manifestation_id,
                        opened_at,
                        closed_at or opened_at,
                        case_id,
                        kind,
                        mode,
                        "",
                        "",
                        "",
                        "",
                        f"Manifestante {manifestation_id:06d}",
                        secrets.token_hex(32),
                        None,
                        opened_at + dt.timedelta(days=15) if extended else None,
                        "",
                        None,
                        (closed_at - opened_at).days <= (30 if extended else 20) if closed_at else None,
                        rng.random() < 0.7 if rated else None,
                        rng.choice((2, 3, 4, 4, 5, 5)) if rated else None,
                        closed_at + dt.timedelta(days=1) if rated and closed_at else None,
                        None,
                    )
                )
                if kind == "acesso_informacao" and closed_at and rng.random() < 0.12:
                    filed = closed_at + dt.timedelta(days=2)
                    if filed < now:
                        decided = filed + dt.timedelta(days=4)
                        appeals.append(
                            (
                                filed,
                                filed,
                                manifestation_id,
                                1,
                                "",
                                (filed + dt.timedelta(days=5)).date(),
                                "",
                                rng.random() < 0.3 if decided < now else None,
                                decided if decided < now else None,
                                None,
                            )
                        )

    _insert(
        "cases_case",
        (
            "id",
            "created_at",
            "updated_at",
            "nup",
            "service_id",
            "subject",
            "description",
            "form_data",
            "channel",
            "citizen_id",
            "opened_by_id",
            "opening_unit_id",
            "current_unit_id",
            "assigned_to_id",
            "status",
            "access_level",
            "opened_at",
            "deadline",
            "paused_since",
            "closed_at",
            "final_answer",
            "last_event_at",
        ),
        cases,
    )
    _insert(
        "cases_casemove",
        ("created_at", "updated_at", "case_id", "from_unit_id", "to_unit_id", "note", "moved_by_id"),
        moves,
    )
    _insert(
        "cases_informationrequest",
        (
            "created_at",
            "updated_at",
            "case_id",
            "question",
            "requested_by_id",
            "answer",
            "answered_at",
            "answered_by_id",
        ),
        rfis,
    )
    _insert(
        "ombudsman_manifestation",
        (
            "id",
            "created_at",
            "updated_at",
            "case_id",
            "kind",
            "identity_mode",
            "filer_name",
            "filer_cpf",
            "filer_email",
            "filer_phone",
            "pseudonym",
            "access_code_hash",
            "registered_by_id",
            "extended_at",
            "extension_justification",
            "extended_by_id",
            "is_answered_in_time",
            "is_resolved",
            "satisfaction",
            "rated_at",
            "reopened_at",
        ),
        manifestations,
    )
    _insert(
        "ombudsman_appeal",
        (
            "created_at",
            "updated_at",
            "manifestation_id",
            "instance",
            "reason",
            "deadline",
            "decision",
            "is_granted",
            "decided_at",
            "decided_by_id",
        ),
        appeals,
    )
    memos, recipients, circulars, receipts = _comms(
        rng, spec, units, staff_user_id, today, zone, now, document
    )
    _insert(
        "documents_document",
        (
            "id",
            "kind",
            "unit_id",
            "year",
            "sequence",
            "title",
            "access_level",
            "legal_basis",
            "verification_code",
            "created_at",
            "updated_at",
        ),
        documents,
    )
    _insert(
        "documents_documentversion",
        (
            "document_id",
            "number",
            "body",
            "body_sha256",
            "pdf_name",
            "pdf_sha256",
            "created_at",
            "updated_at",
        ),
        versions,
    )
    _insert(
        "comms_memo",
        (
            "id",
            "created_at",
            "updated_at",
            "document_id",
            "kind",
            "sender_unit_id",
            "author_id",
            "subject",
            "body",
            "note",
        ),
        memos,
    )
    _insert("comms_memorecipient", ("created_at", "updated_at", "memo_id", "unit_id"), recipients)
    _insert(
        "comms_circular",
        (
            "id",
            "created_at",
            "updated_at",
            "document_id",
            "sender_unit_id",
            "author_id",
            "subject",
            "body",
            "audience",
            "recipient_count",
            "fanned_out_at",
        ),
        circulars,
    )
    _insert(
        "comms_circularreceipt",
        (
            "created_at",
            "updated_at",
            "circular_id",
            "user_id",
            "opened_at",
            "acknowledged_at",
            "notified_at",
            "reminder_count",
        ),
        receipts,
    )
    _insert(
        "notifications_notification",
        (
            "created_at",
            "updated_at",
            "recipient_id",
            "channel",
            "address",
            "template_key",
            "subject",
            "body",
            "link_url",
            "subject_kind",
            "subject_id",
            "token",
            "status",
            "attempts",
            "sent_at",
            "delivered_at",
            "provider_message_id",
            "fallback_address",
            "fallback_body",
            "attachments",
        ),
        notifications,
    )
    return {
        "cases": len(cases),
        "moves": len(moves),
        "rfis": len(rfis),
        "manifestations": len(manifestations),
        "documents": len(documents),
        "memos": len(memos),
        "circulars": len(circulars),
        "notifications": len(notifications),
    }


def _comms(
    rng: random.Random,
    spec: HistorySpec,
    units: list[OrgUnit],
    staff_user_id: int,
    today: dt.date,
    zone: ZoneInfo,
    now: dt.datetime,
    document: Any,
) -> tuple[list[Any], list[Any], list[Any], list[Any]]:
    from tenant_apps.accounts.models import User

    staff_ids = list(User.objects.filter(kind="staff", is_active=True).values_list("id", flat=True))
    memos: list[Any] = []
    recipients: list[Any] = []
    circulars: list[Any] = []
    receipts: list[Any] = []
    for offset in range(spec.days, -1, -1):
        day = today - dt.timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for _ in range(_count(rng, spec.memos_per_day)):
            sender = rng.choice(units)
            when = dt.datetime.combine(day, dt.time(9), zone) + dt.timedelta(minutes=rng.randint(0, 480))
            if when >= now:
                continue
            doc_id = document("MEMO", sender, when, "Memorando (demonstração)", rng.choice((1, 1, 2)))
            memo_id = _next_id("comms_memo")
            memos.append(
                (
                    memo_id,
                    when,
                    when,
                    doc_id,
                    "original",
                    sender.pk,
                    staff_user_id,
                    "Memorando (demonstração)",
                    "Texto de demonstração.",
                    "",
                )
            )
            for target in rng.sample(
                [u for u in units if u.pk != sender.pk], k=min(len(units) - 1, rng.choice((1, 1, 2, 3)))
            ):
                recipients.append((when, when, memo_id, target.pk))
        if rng.random() < spec.circulars_per_week / 5:
            sender = rng.choice(units)
            when = dt.datetime.combine(day, dt.time(10), zone)
            if when >= now:
                continue
            doc_id = document("CIRC", sender, when, "Circular (demonstração)", 1)
            circular_id = _next_id("comms_circular")
            circulars.append(
                (
                    circular_id,
                    when,
                    when,
                    doc_id,
                    sender.pk,
                    staff_user_id,
                    "Circular (demonstração)",
                    "Texto de demonstração.",
                    '{"everyone": true}',
                    len(staff_ids),
                    when,
                )
            )
            for user_id in staff_ids:
                opened = when + dt.timedelta(hours=rng.expovariate(1 / 20.0)) if rng.random() < 0.85 else None
                acknowledged = (
                    opened + dt.timedelta(hours=rng.expovariate(1 / 6.0))
                    if opened and rng.random() < 0.8
                    else None
                )
                receipts.append(
                    (when, when, circular_id, user_id, _past(opened, now), _past(acknowledged, now), when, 0)
                )
    return memos, recipients, circulars, receipts


def _past(moment: dt.datetime | None, now: dt.datetime) -> dt.datetime | None:
    return moment if moment is not None and moment < now else None


def _count(rng: random.Random, mean: float) -> int:
    """A Poisson-like count around `mean` (cheap: sum of Bernoulli trials)."""
    whole = int(mean)
    return sum(1 for _ in range(whole * 2) if rng.random() < 0.5) + (1 if rng.random() < mean - whole else 0)


def _json(value: dict[str, Any]) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)
