"""The permits bench (issue 14), in Aracaju (provisioned and seeded here unless a section before made it):

- preanalysis: a request with BENCH_PERMITS_FILES attachments (default 10) of about 2 MB each (text
  PDFs padded to size), classified and checked by `request_analyse` (the job's body): total and
  per file, BENCH_PERMITS_RUNS runs;
- endtoend: a level II MEI request from `permit_request_submit` to the issued, sealed permit. With
  REDIS_URL set, the pre-analysis job runs in a real worker process (`manage.py rundramatiq`, the
  comms bench's helpers) on a namespace of this run's own; without it, the stub broker is drained
  on a worker thread of this process (`jobs_drain`). The clock runs from the submit until the
  Permit row exists;
- routing: BENCH_PERMITS_REQUESTS facts (default 10,000) against BENCH_PERMITS_RULES published
  rules (default 50, each with 2 conditions and 2 stages), `routing.route_compute`: per request.

Times are printed, never asserted.
"""

from __future__ import annotations

import os
import random
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

from tests.bench.cities import bench_city
from tests.bench.figures import milliseconds_header, milliseconds_line

FILES_N = int(os.environ.get("BENCH_PERMITS_FILES", "10"))
FILE_BYTES = int(os.environ.get("BENCH_PERMITS_FILE_BYTES", str(2 * 1024 * 1024)))
RUNS = int(os.environ.get("BENCH_PERMITS_RUNS", "5"))
REQUESTS_N = int(os.environ.get("BENCH_PERMITS_REQUESTS", "10000"))
RULES_N = int(os.environ.get("BENCH_PERMITS_RULES", "50"))
E2E_RUNS = int(os.environ.get("BENCH_PERMITS_E2E_RUNS", "5"))


def _city() -> Any:
    from paco_demo import cities as demo

    return bench_city(spec=demo.ARACAJU)


def _answers(cnae: str) -> dict[str, str]:
    return {
        "cpf_cnpj": "11222333000181",
        "nome_razao_social": f"Bancada {uuid.uuid4().hex[:6]}",
        "mei": "Sim",
        "endereco": "Rua da Bancada, 1",
        "bairro": "Centro",
        "cnae": cnae,
        "area_m2": "50",
    }


def preanalysis_bench(citizen: Any, kind: Any) -> None:
    from tenant_apps.permits.models import PermitRequest
    from tenant_apps.permits.services import permit_request_submit, request_analyse
    from tests.permits.conftest import text_pdf, upload

    print(milliseconds_header(f"pre-analysis, {FILES_N} × {FILE_BYTES / 1048576:.1f} MB"))
    totals, per_file = [], []
    for _run in range(RUNS):
        files = [
            upload(
                f"documento-{index}.pdf",
                text_pdf(
                    f"Contrato social numero {index}, conta de energia emitida em 01/01/2026.",
                    padding=FILE_BYTES,
                ),
            )
            for index in range(FILES_N)
        ]
        request = permit_request_submit(
            kind=kind, citizen=citizen, form_data=_answers("5611-2/01"), uploads=files
        )
        started = time.perf_counter()
        request_analyse(request_id=request.pk)
        elapsed = (time.perf_counter() - started) * 1000
        totals.append(elapsed)
        per_file.append(elapsed / FILES_N)
        assert PermitRequest.objects.get(pk=request.pk).files.exclude(checked_at=None).count() == FILES_N
    print(milliseconds_line("request_analyse (total)", totals))
    print(milliseconds_line("  per file", per_file))


def endtoend_bench(stub: Any, citizen: Any, kind: Any) -> None:
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from paco.jobs import jobs_drain
    from tenant_apps.permits.models import Permit
    from tenant_apps.permits.services import permit_request_submit
    from tenant_apps.permits.tasks import permit_request_analyse_task
    from tests.permits.conftest import text_pdf, upload

    today = timezone.localdate().strftime("%d/%m/%Y")

    def submit() -> Any:
        files = [
            upload(
                "ccmei.pdf",
                text_pdf("Certificado da condicao de microempreendedor individual, emitido pelo portal."),
            ),
            upload(
                "conta-de-luz.pdf",
                text_pdf(f"Conta de energia da Rua da Bancada, 1, emitida em {today}, sem debitos."),
            ),
        ]
        with transaction.atomic():
            return permit_request_submit(
                kind=kind, citizen=citizen, form_data=_answers("4721-1/02"), uploads=files, accept_terms=True
            )

    timings: list[float] = []
    if settings.REDIS_URL:
        from django.utils.module_loading import import_string
        from dramatiq.brokers.redis import RedisBroker

        from tests.bench.comms import (
            WORKER_THREADS,
            _worker_check,
            _worker_start,
            _worker_stop,
        )

        namespace = f"paco-bench-{uuid.uuid4().hex}"
        middleware = [import_string(path)() for path in settings.DRAMATIQ_BROKER["MIDDLEWARE"]]
        broker = RedisBroker(url=settings.REDIS_URL, namespace=namespace, middleware=middleware)
        log_path = Path(tempfile.mkdtemp(prefix="paco-bench-worker-")) / "worker.log"
        worker = _worker_start(namespace, log_path)
        original = permit_request_analyse_task.broker
        try:
            ready = _city_worker_ready_wait(worker, log_path, broker, _worker_check)
            print(f"  worker: rundramatiq --threads {WORKER_THREADS} on Redis, ready in {ready:.2f} s")
            permit_request_analyse_task.broker = broker
            for _run in range(E2E_RUNS):
                started = time.perf_counter()
                request = submit()
                deadline = time.monotonic() + 120
                while not Permit.objects.filter(request_id=request.pk).exists():
                    request.refresh_from_db()
                    if request.status == "pendente":
                        raise RuntimeError(
                            f"the pre-analysis refused the bench request: {request.pre_analysis}"
                        )
                    _worker_check(worker, log_path, deadline, "permit")
                    time.sleep(0.02)
                timings.append((time.perf_counter() - started) * 1000)
        finally:
            permit_request_analyse_task.broker = original
            _worker_stop(worker)
        label = "submit → sealed permit (real worker)"
    else:
        for _run in range(E2E_RUNS):
            started = time.perf_counter()
            request = submit()
            jobs_drain(stub)
            assert Permit.objects.filter(request_id=request.pk).exists()
            timings.append((time.perf_counter() - started) * 1000)
        label = "submit → sealed permit (in-process worker)"
    print(milliseconds_header("level II, end to end"))
    print(milliseconds_line(label, timings))


def _city_worker_ready_wait(worker: Any, log_path: Path, broker: Any, check: Any) -> float:
    """Round-trip a ping job through the worker in this city (the ping is a tenant job)."""
    from django.core.cache import cache

    from paco.jobs import SCHEMA_OPTION
    from paco.schemas import current_schema_name
    from tenant_apps.org.tasks import jobs_ping_task, ping_cache_key

    started = time.perf_counter()
    nonce = f"bench-{uuid.uuid4().hex}"
    original = jobs_ping_task.broker
    jobs_ping_task.broker = broker
    try:
        jobs_ping_task.send_with_options(kwargs={"nonce": nonce}, **{SCHEMA_OPTION: current_schema_name()})
    finally:
        jobs_ping_task.broker = original
    deadline = time.monotonic() + 300
    while cache.get(ping_cache_key(nonce)) is None:
        check(worker, log_path, deadline, "worker start")
        time.sleep(0.1)
    return time.perf_counter() - started


def routing_bench() -> None:
    from tenant_apps.org.models import OrgUnit
    from tenant_apps.permits import routing

    unit_ids = list(OrgUnit.objects.values_list("pk", flat=True))
    generator = random.Random(14)  # noqa: S311 - a reproducible sample, not a secret
    rules = []
    for index in range(RULES_N):
        first, second = generator.sample(unit_ids, 2)
        rules.append(
            type(
                "Rule",
                (),
                {
                    "name": f"regra {index}",
                    "conditions": [
                        {"campo": "risco", "valor": generator.choice(["II", "III"])},
                        {"campo": "area_acima", "valor": str(generator.randint(50, 2000))},
                    ],
                    "stages": [[{"unidade": first, "dias": 10}], [{"unidade": second, "dias": 5}]],
                },
            )
        )
    facts = [
        routing.RequestFacts(
            kind_code="alvara-funcionamento",
            risk_level=generator.choice(["I", "II", "III"]),
            area_m2=Decimal(generator.randint(10, 3000)),
            neighbourhood="Centro",
            activities=("5611201",),
        )
        for _index in range(REQUESTS_N)
    ]
    started = time.perf_counter()
    stages = 0
    for fact in facts:
        stages += len(routing.route_compute(rules=rules, facts=fact).stages)
    elapsed = time.perf_counter() - started
    print(
        f"  routing: {REQUESTS_N} requests × {RULES_N} rules in {elapsed:.2f} s"
        f" = {elapsed * 1_000_000 / REQUESTS_N:.1f} µs per request ({stages} stages placed)"
    )


def permits_benches() -> None:
    from django_tenants.utils import tenant_context

    from paco_demo import cities as demo
    from tenant_apps.accounts.models import User
    from tenant_apps.permits.models import PermitKind
    from tests.bench.protocolo import jobs_held_in_memory

    print(
        f"\n== permits ({FILES_N} files × {FILE_BYTES} bytes, {REQUESTS_N} × {RULES_N} routing) ==",
        flush=True,
    )
    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"  load average at start: {load} ({os.cpu_count()} CPUs)")
    with jobs_held_in_memory(runnable=True):
        municipality = _city()
        with tenant_context(municipality):
            routing_bench()
            citizen = User.objects.get(email=demo.DEMO_CITIZEN["email"])
            kind = PermitKind.objects.get(service__code="alvara-funcionamento")
            preanalysis_bench(citizen, kind)
    from django.conf import settings

    # other jobs (PDFs, e-mails) stay in memory; the pre-analysis goes to the real worker (REDIS_URL)
    with jobs_held_in_memory(runnable=not settings.REDIS_URL) as stub:
        municipality = _city()
        with tenant_context(municipality):
            citizen = User.objects.get(email=demo.DEMO_CITIZEN["email"])
            kind = PermitKind.objects.get(service__code="alvara-funcionamento")
            endtoend_bench(stub, citizen, kind)
