"""Payments benches (`BENCH_ONLY=payments`): the BR Code and the Pix webhook, per call.

1. BR Code generation: `brcode_build` for a guide (key, amount, txid, description, CRC16) over
   BENCH_BRCODE_RUNS (20,000) calls, and its QR code drawn as SVG by segno (BENCH_QR_RUNS, 500),
   the two costs of showing a guide.
2. Issuing a guide: `guide_issue` (numbering UPSERT, BR Code, history) over BENCH_PAY_GUIDES (500).
3. The webhook, per call through the whole stack (tenant middleware, DRF, HMAC check, row lock,
   idempotency record, the paid job queued on commit): one notice per guide, then the same
   notices again (duplicates, not applied), over BENCH_PAY_GUIDES guides.

Runs with REDIS_URL (its cache) and without (the local-memory cache); jobs stay in memory.
"""

from __future__ import annotations

import json
import os
import time
from decimal import Decimal
from typing import Any

from tests.bench.figures import milliseconds_header, milliseconds_line

BRCODE_RUNS = int(os.environ.get("BENCH_BRCODE_RUNS", "20000"))
QR_RUNS = int(os.environ.get("BENCH_QR_RUNS", "500"))
PAY_GUIDES = int(os.environ.get("BENCH_PAY_GUIDES", "500"))


def _city() -> Any:
    from django_tenants.utils import tenant_context

    from paco_demo import cities as demo
    from tenant_apps.payments.enums import PixKeyType
    from tenant_apps.payments.services import pix_settings_save
    from tenants.models import Municipality
    from tenants.services import municipality_provision

    municipality = Municipality.objects.filter(slug="aracaju").first() or municipality_provision(
        spec=demo.ARACAJU
    )
    with tenant_context(municipality):
        pix_settings_save(
            key_type=PixKeyType.EVP,
            key="7d9f0335-8dcc-4054-9bf9-0dbd61c36e8b",
            merchant_name="PREFEITURA DE ARACAJU",
            merchant_city="ARACAJU",
        )
    return municipality


def payments_benches() -> None:
    import segno
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django_tenants.utils import tenant_context

    from tenant_apps.payments.brcode import brcode_build
    from tenant_apps.payments.purposes import GENERIC_FEE
    from tenant_apps.payments.selectors import pix_webhook_secret
    from tenant_apps.payments.services import guide_issue, webhook_signature
    from tests.bench.protocolo import jobs_held_in_memory

    print("\n== payments ==", flush=True)
    print(
        f"  cache: {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}; "
        f"load {os.getloadavg()[0]:.1f} ({os.cpu_count()} CPUs)"
    )
    municipality = _city()
    print(milliseconds_header("per call"))

    build: list[float] = []
    for index in range(BRCODE_RUNS):
        started = time.perf_counter()
        code = brcode_build(
            key="7d9f0335-8dcc-4054-9bf9-0dbd61c36e8b",
            merchant_name="PREFEITURA DE ARACAJU",
            merchant_city="ARACAJU",
            amount=Decimal("257.30") + index,
            txid=f"DAM2026{index:07d}AbCdEfGhIjKl"[:25],
            description=f"DAM {index:06d}/2026",
        )
        build.append((time.perf_counter() - started) * 1000)
    print(milliseconds_line("BR Code build (brcode_build)", build))
    qr: list[float] = []
    for _index in range(QR_RUNS):
        started = time.perf_counter()
        segno.make(code, error="m").svg_inline(scale=4, border=4)
        qr.append((time.perf_counter() - started) * 1000)
    print(milliseconds_line("QR code as SVG (segno)", qr))

    with jobs_held_in_memory(), tenant_context(municipality):
        issued: list[float] = []
        guides = []
        for index in range(PAY_GUIDES):
            started = time.perf_counter()
            guides.append(
                guide_issue(
                    purpose=GENERIC_FEE,
                    reference=f"bench-{time.time_ns()}-{index}",
                    payer_name="Maria da Silva Santos",
                    payer_document="52998224725",
                    amount=Decimal("45.90"),
                    description="Taxa de expediente (bench)",
                )
            )
            issued.append((time.perf_counter() - started) * 1000)
        print(milliseconds_line("guide_issue (no PSP)", issued))
        secret = pix_webhook_secret()
        notices = []
        for index, guide in enumerate(guides):
            body = json.dumps(
                {
                    "pix": [
                        {
                            "endToEndId": f"E99999999BENCH{time.time_ns()}{index}"[:32],
                            "txid": guide.txid,
                            "valor": f"{guide.amount:.2f}",
                            "horario": "2026-12-06T10:00:00-03:00",
                        }
                    ]
                }
            ).encode()
            notices.append((body, webhook_signature(secret=secret, body=body)))
    connection.set_schema_to_public()
    client = Client(HTTP_HOST=f"{municipality.slug}.localhost")
    with jobs_held_in_memory():
        for label, expected in (
            ("webhook, Pix applied", "aplicados"),
            ("webhook, repeated notice", "repetidos"),
        ):
            timings: list[float] = []
            for body, signature in notices:
                started = time.perf_counter()
                answer = client.post(
                    "/api/v1/payments/webhook/",
                    body,
                    content_type="application/json",
                    HTTP_X_PACO_SIGNATURE=signature,
                )
                timings.append((time.perf_counter() - started) * 1000)
                if answer.status_code != 200 or answer.json()[expected] != 1:
                    raise SystemExit(f"webhook answered {answer.status_code}: {answer.content!r}")
            print(milliseconds_line(label, timings))
    connection.set_schema_to_public()
