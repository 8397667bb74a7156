"""The Protocolo benches: NUP issuance under concurrency, the unit inbox and full-text search at a
million rows, and query counts of the inbox selector and the staff pages.

All of it runs in one city (the demo's Aracaju, grown to 20 units) inside the scratch database.
Figures are printed next to the targets the issue states; nothing about time is asserted. What is
checked is correctness: gapless, unique, valid NUPs; the keyset page equals the OFFSET page.

Knobs (environment): BENCH_CASES (default 1000000), BENCH_DOCUMENTS (1000000), BENCH_NUP_CLIENTS
(8), BENCH_NUP_SECONDS (10), BENCH_INBOX_RUNS (200), BENCH_INBOX_PAGE (200),
BENCH_SEARCH_QUERIES (100).
"""

from __future__ import annotations

import contextlib
import inspect
import os
import random
import re
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from tests.bench.corpus import search_queries
from tests.bench.figures import milliseconds_header, milliseconds_line, percentile, ratio
from tests.bench.seeding import SeedUnit, cases_seed, documents_seed

CASES_N = int(os.environ.get("BENCH_CASES", "1000000"))
DOCUMENTS_N = int(os.environ.get("BENCH_DOCUMENTS", "1000000"))
NUP_CLIENTS = int(os.environ.get("BENCH_NUP_CLIENTS", "8"))
NUP_SECONDS = float(os.environ.get("BENCH_NUP_SECONDS", "10"))
# processes (the default: one forked process per client, as gunicorn's workers are) or threads
# (one process, its clients sharing the GIL: Python's own work is then serialized too).
NUP_MODE = os.environ.get("BENCH_NUP_MODE", "processes")
INBOX_RUNS = int(os.environ.get("BENCH_INBOX_RUNS", "200"))
INBOX_PAGE = int(os.environ.get("BENCH_INBOX_PAGE", "200"))
SEARCH_QUERIES = int(os.environ.get("BENCH_SEARCH_QUERIES", "100"))
WARMUP_RUNS = 10
PAGE_RUNS = 20
INBOX_TARGET_MS = 50.0  # the issue: first page of a unit's inbox, p95
SEARCH_TARGET_MS = 100.0  # the issue: full-text search over a million documents, p95

BUSY_UNIT = "EMSURB"  # "Poda de árvore" lands here; it gets the largest share of the seeded cases
QUERY_COUNT_UNIT = "SEMA"  # empty until the query-count bench fills it with 10, then 1000 cases
PORTAL_FORM = {"endereco": "Rua Laranjeiras, 100, Centro", "motivo": "Galhos na fiação"}

# Aracaju's demo org chart has 9 units; these 11 make the 20 the seeded cases spread over.
EXTRA_UNITS = (
    ("10010", "SEMED", "Secretaria Municipal da Educação", "secretaria", None),
    ("10011", "SMS", "Secretaria Municipal da Saúde", "secretaria", None),
    ("10012", "SMTT", "Superintendência Municipal de Transportes e Trânsito", "autarquia", None),
    ("10013", "SEMDEC", "Secretaria Municipal da Defesa Social e da Cidadania", "secretaria", None),
    ("10014", "FUNCAJU", "Fundação Cultural Cidade de Aracaju", "autarquia", None),
    ("10015", "PGM", "Procuradoria-Geral do Município", "secretaria", None),
    ("10016", "SEGOV", "Secretaria Municipal de Governo", "secretaria", None),
    ("10017", "SEJESP", "Secretaria Municipal da Juventude e do Esporte", "secretaria", None),
    ("10018", "SEMICT", "Secretaria Municipal da Indústria, Comércio e Turismo", "secretaria", None),
    ("10019", "EMSURB-ARB", "Divisão de Arborização", "setor", "EMSURB"),
    ("10020", "SEMA-LIC", "Coordenadoria de Licenciamento Ambiental", "setor", "SEMA"),
)
# A service for every unit the demo catalogue leaves without one.
UNIT_SERVICES = {
    "SEPLOG": "Acesso a processo administrativo",
    "SEFAZ": "Restituição de tributo pago indevidamente",
    "SEMA": "Denúncia de poluição sonora",
    "SEMFAS": "Inscrição em programa social",
    "EMURB": "Vistoria de obra pública",
    "CGM": "Denúncia de irregularidade na gestão",
    "SEPLOG-PROT": "Protocolo geral de documentos",
    "SEMED": "Vaga em creche",
    "SMS": "Cartão do SUS",
    "SMTT": "Credencial de estacionamento para idoso",
    "SEMDEC": "Apoio da guarda municipal a evento",
    "FUNCAJU": "Apoio a evento cultural",
    "PGM": "Certidão de dívida ativa",
    "SEGOV": "Audiência com o prefeito",
    "SEJESP": "Uso de quadra esportiva",
    "SEMICT": "Licença para feira livre",
    "EMSURB-ARB": "Plantio de árvore",
    "SEMA-LIC": "Licença ambiental simplificada",
}
CITIZEN_POOL = 200


# --- the city ------------------------------------------------------------------------------------


@dataclass
class City:
    municipality: Any
    units: list[SeedUnit]  # position 0 is the busy unit
    unit_ids: dict[str, int]  # acronym -> id
    staff_ids: dict[str, int]  # acronym -> id of a verified staff member of that unit only
    citizen_ids: list[int]
    portal_service_id: int  # "Poda de árvore", public, lands in EMSURB

    @property
    def schema_name(self) -> str:
        return str(self.municipality.schema_name)

    def seed_unit(self, acronym: str) -> SeedUnit:
        return next(unit for unit in self.units if unit.unit_id == self.unit_ids[acronym])


def city_setup() -> City:
    """Aracaju from the demo (people, catalogue), 20 units, a service and a staff member in each."""
    from django.utils.text import slugify
    from django_tenants.utils import tenant_context

    from paco_demo import cities as demo
    from tenant_apps.accounts.enums import UserKind
    from tenant_apps.accounts.services import totp_device_ensure, user_ensure
    from tenant_apps.catalog import demo as catalog_demo
    from tenant_apps.catalog.models import Service
    from tenant_apps.catalog.services import service_ensure
    from tenant_apps.org.models import OrgUnit
    from tenant_apps.org.services import membership_ensure, org_unit_ensure
    from tenants.services import municipality_provision

    municipality = municipality_provision(spec=demo.ARACAJU)
    demo.demo_people_seed(municipality)
    with tenant_context(municipality):
        catalog_demo.seed(municipality=municipality)
        for code, acronym, name, kind, parent in EXTRA_UNITS:
            parent_unit = OrgUnit.objects.get(acronym=parent) if parent else None
            org_unit_ensure(code=code, acronym=acronym, name=name, kind=kind, parent=parent_unit)
        all_units = sorted(OrgUnit.objects.all(), key=lambda unit: (unit.acronym != BUSY_UNIT, unit.code))
        units: list[SeedUnit] = []
        staff_ids: dict[str, int] = {}
        for unit in all_units:
            service = Service.objects.filter(unit=unit, is_active=True).order_by("code").first()
            if service is None:
                name = UNIT_SERVICES[unit.acronym]
                service = service_ensure(code=slugify(name), name=name, unit=unit, group="Bancada")
            staff = user_ensure(
                email=f"servidor.{slugify(unit.acronym)}@aracaju.se.gov.br",
                full_name=f"Servidora da {unit.acronym}",
                kind=UserKind.STAFF,
                password=demo.DEMO_PASSWORD,
            )
            membership_ensure(user_id=staff.pk, unit=unit)
            totp_device_ensure(user=staff, key_hex=demo.DEMO_TOTP_KEY_HEX)
            staff_ids[unit.acronym] = staff.pk
            units.append(SeedUnit(unit.pk, unit.code, service.pk, service.name, staff.pk))
        citizen_ids = [
            user_ensure(
                email=f"cidadao{index:03d}@exemplo.com.br",
                full_name=f"Cidadã de Bancada {index:03d}",
                kind=UserKind.CITIZEN,
                password=demo.CITIZEN_PASSWORD,
            ).pk
            for index in range(max(CITIZEN_POOL, NUP_CLIENTS))
        ]
        portal_service_id = Service.objects.get(code="poda-de-arvore").pk
        unit_ids = {unit.acronym: unit.pk for unit in all_units}
    return City(municipality, units, unit_ids, staff_ids, citizen_ids, portal_service_id)


@contextmanager
def jobs_held_in_memory(*, runnable: bool = False) -> Iterator[Any]:
    """Point every actor at a private in-memory broker for the duration, then drop its messages.

    Services enqueue jobs on commit (e-mails, PDF renders). Under REDIS_URL those would land in a
    real queue that a developer's worker reads; here they only pile up in memory and never run,
    unless `runnable`: then the stub carries the tenant middleware, so `jobs_drain(stub)` runs
    them in their schema (with or without REDIS_URL alike).
    """
    import importlib
    import importlib.util

    import dramatiq
    from django.apps import apps
    from django.conf import settings
    from dramatiq.brokers.stub import StubBroker

    # Actors are declared when their module is imported, which services do lazily: import them
    # all now, so every one of them is moved to the stub below.
    for module in [f"{config.name}.tasks" for config in apps.get_app_configs()] + list(
        getattr(settings, "DRAMATIQ_IMPORT_MODULES", [])
    ):
        if importlib.util.find_spec(module.rsplit(".", 1)[0]) and importlib.util.find_spec(module):
            importlib.import_module(module)
    broker = dramatiq.get_broker()
    from paco.jobs import TenantMiddleware

    stub = StubBroker(middleware=[TenantMiddleware()] if runnable else [])
    actors = [broker.get_actor(name) for name in broker.get_declared_actors()]
    for actor in actors:
        stub.declare_actor(actor)
        actor.broker = stub
    dramatiq.set_broker(stub)  # and anything declared from now on
    try:
        yield stub
    finally:
        dramatiq.set_broker(broker)
        for actor in actors:
            actor.broker = broker
        stub.flush_all()


# --- plans ---------------------------------------------------------------------------------------

INDEX_NODE = re.compile(
    r"(Index Only Scan(?: Backward)?|Index Scan(?: Backward)?) using (\S+)|(Bitmap Index Scan) on (\S+)"
)


def explain_analyze(sql: str) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return [row[0] for row in cursor.fetchall()]


def indexes_used(plan: list[str]) -> list[str]:
    found = []
    for line in plan:
        for match in INDEX_NODE.finditer(line):
            node, name = (
                (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
            )
            found.append(f"{node} on {name}")
    return found


def scan_node(plan: list[str], table: str) -> list[str]:
    """The plan lines of the scans of `table`, with their conditions and row counts (no children)."""
    details = ("Index Cond", "Filter", "Rows Removed", "Recheck Cond", "Heap Blocks", "Buffers")
    lines: list[str] = []
    depth: int | None = None
    for line in plan:
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if "Scan" in stripped and f" on {table} " in f"{stripped} ":
            depth = indent
            lines.append(stripped.removeprefix("->  "))
        elif depth is not None and indent > depth and not stripped.startswith("->"):
            if stripped.startswith(details):
                lines.append(f"  {stripped}")
        else:
            depth = None
    return lines


def captured_sql(call: Callable[[], Any], marker: str = "") -> tuple[Any, list[str]]:
    """Run `call`, returning its result and the SQL it sent (only statements containing `marker`)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        result = call()
    return result, [query["sql"] for query in context.captured_queries if marker in query["sql"]]


def plan_print(plan: list[str], indent: str = "      ") -> None:
    for line in plan:
        print(f"{indent}{line}")


def random_ids(model: Any, count: int) -> list[int]:
    """Up to `count` random primary keys between the table's first and last (ids are dense here)."""
    from django.db.models import Max, Min

    bounds = model.objects.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return []
    rng = random.Random(11)  # noqa: S311 - sampling rows, not security
    return [rng.randint(bounds["low"], bounds["high"]) for _ in range(count)]


def timed_ms(call: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter_ns()
    result = call()
    return (time.perf_counter_ns() - started) / 1e6, result


# --- 1. NUP issuance -----------------------------------------------------------------------------


@dataclass
class ClientResult:
    opened: int = 0
    warmup: int = 0  # one untimed case before the barrier: imports, templates, first queries
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    finished_at: float = 0.0


@dataclass
class NupRun:
    clients: int
    seconds: float
    results: list[ClientResult]

    @property
    def opened(self) -> int:
        return sum(result.opened for result in self.results)

    @property
    def rate(self) -> float:
        return self.opened / self.seconds if self.seconds else 0.0

    @property
    def latencies_ms(self) -> list[float]:
        return [value for result in self.results for value in result.latencies_ms]

    @property
    def errors(self) -> list[str]:
        return [error for result in self.results for error in result.errors]


def _nup_client(city: City, index: int, seconds: float, barrier: Any) -> ClientResult:
    """One client: its own connection, opening cases through `case_open` for `seconds`."""
    from django.db import connection

    from tenant_apps.accounts.models import User
    from tenant_apps.cases.services import case_open
    from tenant_apps.catalog.models import Service

    result = ClientResult()
    try:
        connection.set_tenant(city.municipality)
        service = Service.objects.select_related("unit").get(pk=city.portal_service_id)
        citizen = User.objects.get(pk=city.citizen_ids[index])
        case_open(service=service, opened_by=citizen, form_data=PORTAL_FORM)
        result.warmup += 1
        barrier.wait(timeout=120)
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            started = time.perf_counter_ns()
            try:
                case_open(service=service, opened_by=citizen, form_data=PORTAL_FORM)
            except Exception as error:  # noqa: BLE001 - counted and printed, the run goes on
                result.errors.append(f"{type(error).__name__}: {error}")
                continue
            result.latencies_ms.append((time.perf_counter_ns() - started) / 1e6)
            result.opened += 1
        result.finished_at = time.perf_counter()
    except threading.BrokenBarrierError:
        result.errors.append("barrier broken")
    finally:
        connection.close()
    return result


def _nup_process(city: City, index: int, seconds: float, barrier: Any, queue: Any) -> None:
    result = _nup_client(city, index, seconds, barrier)
    queue.put((index, result))


def nup_run(city: City, clients: int, seconds: float) -> NupRun:
    """`clients` clients (processes or threads, BENCH_NUP_MODE), each with its own connection."""
    if NUP_MODE == "processes":
        import multiprocessing

        from django.db import connections

        connections.close_all()  # a forked child must open its own connection
        context = multiprocessing.get_context("fork")
        barrier = context.Barrier(clients + 1)
        queue = context.Queue()
        processes = [
            context.Process(
                target=_nup_process, args=(city, index, seconds, barrier, queue), name=f"nup-{index}"
            )
            for index in range(clients)
        ]
        for process in processes:
            process.start()
        barrier.wait(timeout=120)
        started = time.perf_counter()
        results = [ClientResult() for _ in range(clients)]
        for _ in processes:
            index, result = queue.get(timeout=seconds + 120)
            results[index] = result
        for process in processes:
            process.join()
    else:
        thread_barrier = threading.Barrier(clients + 1)
        results = [ClientResult() for _ in range(clients)]

        def client(index: int) -> None:
            results[index] = _nup_client(city, index, seconds, thread_barrier)

        threads = [
            threading.Thread(target=client, args=(index,), name=f"nup-{index}") for index in range(clients)
        ]
        for thread in threads:
            thread.start()
        # a client that failed to start breaks the barrier: the others go on and its error is reported
        with contextlib.suppress(threading.BrokenBarrierError):
            thread_barrier.wait(timeout=120)
        started = time.perf_counter()
        for thread in threads:
            thread.join()
    # perf_counter is CLOCK_MONOTONIC: comparable across the forked processes of this machine
    finished = max((result.finished_at for result in results), default=started)
    return NupRun(clients=clients, seconds=max(finished - started, 1e-9), results=results)


def nup_verify(city: City, opened: int) -> list[str]:
    """Every (unit, year) of the portal service's unit: sequences exactly 1..N, unique, valid, counters."""
    from tenant_apps.cases.models import Case
    from tenant_apps.cases.nup import nup_is_valid
    from tenant_apps.documents.models import Document, NumberSequence
    from tenant_apps.org.models import OrgUnit

    unit = OrgUnit.objects.get(pk=city.unit_ids[BUSY_UNIT])
    nups = list(Case.objects.filter(nup__startswith=f"{unit.code}.").values_list("nup", flat=True))
    lines = []
    by_year: dict[str, list[int]] = defaultdict(list)
    for nup in nups:
        by_year[nup[13:17]].append(int(nup[6:12]))
    valid = sum(1 for nup in nups if nup_is_valid(nup))
    for year, sequences in sorted(by_year.items()):
        expected = set(range(1, len(sequences) + 1))
        gaps = len(expected - set(sequences))
        duplicates = len(sequences) - len(set(sequences))
        exact = sorted(sequences) == sorted(expected)
        counter = NumberSequence.objects.filter(scope=f"nup:{unit.code}:{year}").first()
        documents = sorted(
            Document.objects.filter(kind="REQ", unit=unit, year=int(year)).values_list("sequence", flat=True)
        )
        documents_exact = "exactly" if documents == list(range(1, len(documents) + 1)) else "NOT"
        lines.append(
            f"unit {unit.code} year {year}: {len(sequences)} cases, sequences {'exactly' if exact else 'NOT'}"
            f" 1..{len(sequences)} ({gaps} gaps, {duplicates} duplicates),"
            f" counter nup:{unit.code}:{year} = {counter.last_value if counter else 'missing'};"
            f" request documents REQ {documents_exact}"
            f" 1..{len(documents)}"
        )
    lines.append(
        f"NUPs unique {len(set(nups))}/{len(nups)}, check digits valid (nup_is_valid) {valid}/{len(nups)},"
        f" cases opened by the clients {opened} = rows {len(nups)}: {'yes' if opened == len(nups) else 'NO'}"
    )
    return lines


def nup_bench(city: City) -> None:
    from django_tenants.utils import tenant_context

    from tenant_apps.org.models import OrgUnit

    with tenant_context(city.municipality):
        unit = OrgUnit.objects.get(pk=city.unit_ids[BUSY_UNIT])
    print(
        f"\nNUP issuance (case_open of 'Poda de árvore' -> {unit.acronym} {unit.code}, citizens on the"
        f" portal, {NUP_SECONDS:g} s per run, one DB connection per client, clients are {NUP_MODE}"
        " (BENCH_NUP_MODE); before: 29.7 cases/s with 1 client, 31.7 with 8 (1.07x);"
        " target: 300/s with 8, ratio above 3)",
        flush=True,
    )
    print(f"    {'clients':>7} {'cases':>7} {'cases/s':>9} {'p50 ms':>9} {'p95 ms':>9} {'errors':>7}")
    runs = []
    for clients in dict.fromkeys((1, NUP_CLIENTS)):
        run = nup_run(city, clients, NUP_SECONDS)
        runs.append(run)
        latencies = run.latencies_ms or [0.0]
        print(
            f"    {clients:7d} {run.opened:7d} {run.rate:9.1f} {percentile(latencies, 0.5):9.1f}"
            f" {percentile(latencies, 0.95):9.1f} {len(run.errors):7d}",
            flush=True,
        )
        for error in dict.fromkeys(run.errors[:3]):
            print(f"      error: {error}")
    if len(runs) == 2:
        print(f"  throughput ratio {NUP_CLIENTS} clients / 1 client: {ratio(runs[1].rate, runs[0].rate)}")
    with tenant_context(city.municipality):
        for line in nup_verify(city, sum(run.opened + sum(r.warmup for r in run.results) for run in runs)):
            print(f"  check: {line}")


# --- 4. query counts -----------------------------------------------------------------------------

STAFF_INBOX_PATH = "/staff/protocolos/"


def staff_pages_available() -> bool:
    from django.urls import Resolver404, resolve

    try:
        resolve(STAFF_INBOX_PATH, urlconf="paco.urls_tenant")
        resolve(f"{STAFF_INBOX_PATH}{'1' * 17}/", urlconf="paco.urls_tenant")
    except Resolver404:
        return False
    return True


def staff_client(city: City, acronym: str) -> Any:
    """A test client logged in as the unit's staff member with the second factor verified (as conftest)."""
    from django.db import connection
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from django_tenants.utils import tenant_context

    from tenant_apps.accounts.models import User
    from tenants.selectors import municipality_primary_hostname

    host = municipality_primary_hostname(city.municipality)
    client = Client(HTTP_HOST=host)
    with tenant_context(city.municipality):
        user = User.objects.get(pk=city.staff_ids[acronym])
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    connection.set_schema_to_public()
    return client


SET_SEARCH_PATH = "SET search_path"


def queries_cell(statements: list[str], note: str = "") -> str:
    """`n` queries, with django-tenants' `SET search_path` statements counted apart: `n (+k SET)`."""
    sets = sum(1 for sql in statements if sql.startswith(SET_SEARCH_PATH))
    cell = f"{len(statements) - sets} (+{sets} SET)"
    return f"{cell} {note}" if note else cell


def page_queries(client: Any, path: str) -> tuple[int, list[str]]:
    """(status, SQL statements) of one GET through the whole middleware stack."""
    from django.db import connection

    response, statements = captured_sql(lambda: client.get(path))
    connection.set_schema_to_public()
    return response.status_code, statements


def query_count_bench(city: City) -> None:
    from django_tenants.utils import tenant_context

    from tenant_apps.accounts.models import User
    from tenant_apps.cases.selectors import case_list_inbox
    from tenant_apps.cases.services import case_open, nup_digits
    from tenant_apps.catalog.models import Service

    unit_id = city.unit_ids[QUERY_COUNT_UNIT]
    seed_unit = city.seed_unit(QUERY_COUNT_UNIT)
    pages = staff_pages_available()
    client = staff_client(city, QUERY_COUNT_UNIT) if pages else None
    with tenant_context(city.municipality):
        # One case through the service, so the case page has its history and request document.
        case = case_open(
            service=Service.objects.get(pk=seed_unit.service_id),
            opened_by=User.objects.get(pk=city.citizen_ids[0]),
            form_data={},
        )
    case_path = f"{STAFF_INBOX_PATH}{nup_digits(nup=case.nup)}/"
    inbox_path = f"{STAFF_INBOX_PATH}?unidade={QUERY_COUNT_UNIT}"
    rows: dict[str, dict[int, str]] = defaultdict(dict)
    seeded = 1
    for size in (10, 1000):
        cases_seed(
            schema_name=city.schema_name,
            units=[seed_unit],
            citizen_ids=city.citizen_ids,
            count=size - seeded,
            span_days=30,
            open_only=True,
        )
        seeded = size
        with tenant_context(city.municipality):
            first, queries = captured_sql(lambda: case_list_inbox(unit_id=unit_id))
            rows["case_list_inbox, first page"][size] = queries_cell(queries, f"{len(first.cases)} rows")
            if first.next_cursor:
                cursor = first.next_cursor
                second, queries = captured_sql(
                    lambda cursor=cursor: case_list_inbox(unit_id=unit_id, cursor=cursor)
                )
                rows["case_list_inbox, next page (cursor)"][size] = queries_cell(
                    queries, f"{len(second.cases)} rows"
                )
            else:
                rows["case_list_inbox, next page (cursor)"][size] = "no next page"
        if client is not None:
            for label, path in (
                (f"GET {inbox_path}", inbox_path),
                (f"GET {STAFF_INBOX_PATH}<nup>/", case_path),
            ):
                status, statements = page_queries(client, path)
                rows[label][size] = queries_cell(statements, "" if status == 200 else f"HTTP {status}")
    print(
        f"\nQuery counts (CaptureQueriesContext; unit {QUERY_COUNT_UNIT} holding 10, then 1000 open cases;"
        " pages as its verified staff member, whole middleware stack)"
    )
    print(f"    {'what':52} {'10 cases':>16} {'1000 cases':>16}")
    for label, by_size in rows.items():
        print(f"    {label:52} {by_size.get(10, '-'):>16} {by_size.get(1000, '-'):>16}")
    if not pages:
        print(
            f"    staff pages: pages not available ({STAFF_INBOX_PATH} does not resolve in paco.urls_tenant)"
        )


# --- 2. the unit inbox at a million cases --------------------------------------------------------


def inbox_offset_page(unit_id: int, page: int, page_size: int) -> list[Any]:
    """The naive way: the same filter and order as case_list_inbox("todos"), then OFFSET."""
    from tenant_apps.cases.enums import CaseStatus
    from tenant_apps.cases.models import Case

    offset = (page - 1) * page_size
    cases = (
        Case.objects.select_related("service", "current_unit", "assigned_to", "citizen")
        .filter(current_unit_id=unit_id)
        .exclude(status=CaseStatus.CLOSED)
        .order_by("-last_event_at", "-id")
    )
    return list(cases[offset : offset + page_size])


def inbox_bench(city: City) -> None:
    from django_tenants.utils import tenant_context

    from tenant_apps.cases.enums import CaseStatus
    from tenant_apps.cases.models import Case
    from tenant_apps.cases.nup import nup_is_valid
    from tenant_apps.cases.selectors import INBOX_PAGE_SIZE, case_counts_by_filter, case_list_inbox

    print(
        f"\nUnit inbox with {CASES_N} seeded cases (set-based INSERT ... SELECT generate_series)", flush=True
    )
    report = cases_seed(
        schema_name=city.schema_name,
        units=city.units,
        citizen_ids=city.citizen_ids,
        count=CASES_N,
        rebuild_indexes=True,
    )
    print(f"  seeded {report.line()}", flush=True)
    unit_id = city.unit_ids[BUSY_UNIT]
    with tenant_context(city.municipality):
        total = Case.objects.count()
        in_unit = Case.objects.filter(current_unit_id=unit_id).count()
        open_in_unit = Case.objects.filter(current_unit_id=unit_id).exclude(status=CaseStatus.CLOSED).count()
        print(
            f"  cases in the tenant {total}; busy unit {BUSY_UNIT}: {in_unit} cases, {open_in_unit} open"
            f" (the default filter 'todos' lists the open ones); {len(city.units)} units"
        )
        sample = list(Case.objects.filter(pk__in=random_ids(Case, 1000)).values_list("nup", flat=True))
        valid = sum(1 for nup in sample if nup_is_valid(nup))
        print(f"  seeded NUPs valid (nup_is_valid) on a random sample: {valid}/{len(sample)}")

        def first_page() -> Any:
            return case_list_inbox(unit_id=unit_id)

        for _ in range(WARMUP_RUNS):
            first_page()
        first_ms = [timed_ms(first_page)[0] for _ in range(INBOX_RUNS)]
        novo_ms = [
            timed_ms(lambda: case_list_inbox(unit_id=unit_id, filter_name="novo"))[0]
            for _ in range(INBOX_RUNS)
        ]

        # Walk the cursors to the target page once (it is how a person gets there).
        target = max(1, min(INBOX_PAGE, -(-open_in_unit // INBOX_PAGE_SIZE)))
        cursor, reached = "", 1
        walk_started = time.perf_counter()
        while reached < target:
            page = case_list_inbox(unit_id=unit_id, cursor=cursor)
            if not page.next_cursor:
                break
            cursor, reached = page.next_cursor, reached + 1
        walk_seconds = time.perf_counter() - walk_started
        keyset_rows = case_list_inbox(unit_id=unit_id, cursor=cursor).cases
        offset_rows = inbox_offset_page(unit_id, reached, INBOX_PAGE_SIZE)
        same = [case.pk for case in keyset_rows] == [case.pk for case in offset_rows]

        keyset_ms, offset_ms = [], []
        for _ in range(WARMUP_RUNS):
            case_list_inbox(unit_id=unit_id, cursor=cursor)
            inbox_offset_page(unit_id, reached, INBOX_PAGE_SIZE)
        for _ in range(INBOX_RUNS):  # interleaved, so drift hits both alike
            keyset_ms.append(timed_ms(lambda: case_list_inbox(unit_id=unit_id, cursor=cursor))[0])
            offset_ms.append(timed_ms(lambda: inbox_offset_page(unit_id, reached, INBOX_PAGE_SIZE))[0])
        counts_ms = [timed_ms(lambda: case_counts_by_filter(unit_id=unit_id))[0] for _ in range(PAGE_RUNS)]

        _, first_sql = captured_sql(first_page, "cases_case")
        first_plan = explain_analyze(first_sql[0])
        _, page_sql = captured_sql(lambda: case_list_inbox(unit_id=unit_id, cursor=cursor), "cases_case")
        page_plan = explain_analyze(page_sql[0])
        _, offset_sql = captured_sql(
            lambda: inbox_offset_page(unit_id, reached, INBOX_PAGE_SIZE), "cases_case"
        )
        offset_plan = explain_analyze(offset_sql[0])
        _, counts_sql = captured_sql(lambda: case_counts_by_filter(unit_id=unit_id), "cases_case")
        counts_plans = [explain_analyze(sql) for sql in counts_sql]

    print(
        f"  {BUSY_UNIT} inbox through case_list_inbox ({INBOX_PAGE_SIZE} per page),"
        f" after {WARMUP_RUNS} warm-up runs"
    )
    print(milliseconds_header("query"))
    print(milliseconds_line("first page, filter 'todos' (open)", first_ms))
    print(milliseconds_line("first page, filter 'novo'", novo_ms))
    print(milliseconds_line(f"page {reached}, keyset cursor", keyset_ms))
    print(milliseconds_line(f"page {reached}, OFFSET {(reached - 1) * INBOX_PAGE_SIZE} (naive)", offset_ms))
    print(milliseconds_line("case_counts_by_filter (inbox tabs)", counts_ms))
    p95 = percentile(first_ms, 0.95)
    print(
        f"  target (issue): first page p95 < {INBOX_TARGET_MS:g} ms; measured p95 {p95:.2f} ms"
        f" -> {'within' if p95 < INBOX_TARGET_MS else 'OVER'} target"
    )
    print(
        f"  page {reached}: OFFSET/keyset ratio"
        f" p50 {ratio(percentile(offset_ms, 0.5), percentile(keyset_ms, 0.5))},"
        f" p95 {ratio(percentile(offset_ms, 0.95), percentile(keyset_ms, 0.95))};"
        f" keyset page equals the OFFSET page: {'yes' if same else 'NO'};"
        f" walking pages 1..{reached} by cursor took {walk_seconds:.2f} s"
    )
    if reached < INBOX_PAGE:
        print(
            f"  (only {reached} pages of open cases in {BUSY_UNIT} at this size;"
            f" BENCH_INBOX_PAGE={INBOX_PAGE})"
        )
    print("  EXPLAIN (ANALYZE, BUFFERS) of the first-page query (as case_list_inbox sent it):")
    plan_print(first_plan)
    wanted = ("cases_inbox_idx", "cases_unit_recent_idx")
    for label, plan in (
        ("first page", first_plan),
        (f"page {reached} keyset", page_plan),
        (f"page {reached} OFFSET", offset_plan),
    ):
        used = indexes_used(plan)
        hit = any(name in node for node in used for name in wanted)
        print(
            f"  {label}: Index Scan on cases_inbox_idx/cases_unit_recent_idx: {'yes' if hit else 'no'}"
            f" ({', '.join(used) or 'no index scan'}); the scan of cases_case:"
        )
        plan_print(scan_node(plan, "cases_case"), indent="      ")
    print(f"  case_counts_by_filter: {len(counts_plans)} queries; their scans of cases_case:")
    for plan in counts_plans:
        plan_print(scan_node(plan, "cases_case"), indent="      ")
        plan_print([line for line in plan if line.startswith("Execution Time")], indent="        ")


def staff_inbox_page_bench(city: City) -> None:
    """The whole staff inbox page at a million cases (it also counts the unit's cases per tab)."""
    if not staff_pages_available():
        print("  staff inbox page: pages not available")
        return
    from django.db import connection

    client = staff_client(city, BUSY_UNIT)
    path = f"{STAFF_INBOX_PATH}?unidade={BUSY_UNIT}"
    statuses = set()
    timings = []
    for run in range(WARMUP_RUNS + PAGE_RUNS):
        elapsed, response = timed_ms(lambda: client.get(path))
        connection.set_schema_to_public()
        statuses.add(response.status_code)
        if run >= WARMUP_RUNS:
            timings.append(elapsed)
    status, statements = page_queries(client, path)
    print(f"  GET {path} as its staff member: {queries_cell(statements)} queries, HTTP {sorted(statuses)}")
    print(milliseconds_header("page"))
    print(milliseconds_line("staff inbox page (whole stack)", timings))


# --- 3. full-text search over a million documents ------------------------------------------------


def search_function(city: City) -> tuple[str, Callable[[str], list[Any]]]:
    """tenant_apps.documents.search.document_search when it exists, else the ORM query of the brief."""
    from tenant_apps.accounts.models import User

    try:
        from tenant_apps.documents.search import document_search
    except ImportError:
        document_search = None
    if document_search is not None:
        parameters = inspect.signature(document_search).parameters
        if {"user", "query", "limit"} <= set(parameters):
            user = User.objects.get(pk=city.staff_ids[BUSY_UNIT])

            def real(query: str) -> list[Any]:
                page = document_search(user=user, query=query, limit=20)
                return list(getattr(page, "results", page))

            return (
                "tenant_apps.documents.search.document_search"
                f"(user=<staff of {BUSY_UNIT}>, query=q, limit=20)",
                real,
            )

    return (
        "fallback (document_search not found): Document.objects.filter(search_vector=SearchQuery("
        "text_fold(q), config='portuguese', search_type='websearch')).order_by('-id')[:20]",
        search_unranked,
    )


def search_unranked(query: str) -> list[Any]:
    """The plain ORM query: matching documents, newest first, no rank, no visibility rule."""
    from django.contrib.postgres.search import SearchQuery

    from paco.text import text_fold
    from tenant_apps.documents.models import Document

    search = SearchQuery(text_fold(query), config="portuguese", search_type="websearch")
    return list(Document.objects.filter(search_vector=search).order_by("-id")[:20])


def search_bench(city: City) -> None:
    from django.db import connection
    from django_tenants.utils import tenant_context

    from paco.text import text_fold
    from tenant_apps.documents.models import Document

    print(f"\nFull-text search over {DOCUMENTS_N} seeded documents (+ version 1 each)", flush=True)
    report = documents_seed(schema_name=city.schema_name, units=city.units, count=DOCUMENTS_N)
    print(f"  seeded {report.line()}", flush=True)
    queries = search_queries(SEARCH_QUERIES)
    with tenant_context(city.municipality):
        # The stored vector is what document_create would store: check a sample against text_fold.
        sample = list(
            Document.objects.filter(pk__in=random_ids(Document, 200)).values_list(
                "pk", "title", "versions__body"
            )
        )
        with connection.cursor() as cursor:
            matches = 0
            for pk, title, body in sample:
                cursor.execute(
                    "SELECT search_vector = to_tsvector('portuguese', %s)"
                    " FROM documents_document WHERE id = %s",
                    [text_fold(f"{title} {body}"), pk],
                )
                matches += bool(cursor.fetchone()[0])
        print(
            "  search_vector = to_tsvector('portuguese', text_fold(title + body))"
            f" on {matches}/{len(sample)} sampled documents"
        )
        label, search = search_function(city)
        print(f"  searching with {label}")
        first_pass: list[float] = []
        second_pass: list[float] = []
        by_category: dict[str, list[float]] = defaultdict(list)
        hits: dict[str, list[int]] = defaultdict(list)
        for timings in (first_pass, second_pass):
            for query in queries:
                elapsed, rows = timed_ms(lambda query=query: search(query.text))
                timings.append(elapsed)
                if timings is second_pass:
                    by_category[query.category].append(elapsed)
                    hits[query.category].append(len(rows))
        unranked: list[float] = []
        if search is not search_unranked:
            unranked = [timed_ms(lambda query=query: search_unranked(query.text))[0] for query in queries]
        plans = {}
        for query in queries:
            if query.category not in plans:
                _, statements = captured_sql(lambda query=query: search(query.text), "@@")
                plans[query.category] = (query.text, explain_analyze(statements[0]) if statements else [])
    print(f"  {len(queries)} queries, each run twice (first pass: pages seen for the first time)")
    print(milliseconds_header("query kind"))
    print(milliseconds_line("all, first pass", first_pass))
    print(milliseconds_line("all, second pass", second_pass))
    for category, timings in by_category.items():
        average_hits = sum(hits[category]) / len(hits[category])
        print(milliseconds_line(f"  {category}", timings, note=f"avg {average_hits:.1f} rows returned"))
    if unranked:
        print(milliseconds_line("for comparison: the plain ORM query", unranked))
        print("      (same queries; no rank, no visibility rule, ORDER BY -id LIMIT 20)")
    p95 = percentile(second_pass, 0.95)
    p95_first = percentile(first_pass, 0.95)
    print(
        f"  target (issue): p95 < {SEARCH_TARGET_MS:g} ms; measured p95 {p95:.2f} ms second pass,"
        f" {p95_first:.2f} ms first pass"
        f" -> {'within' if max(p95, p95_first) < SEARCH_TARGET_MS else 'OVER'} target"
    )
    shown = False
    for category, (text, plan) in plans.items():
        used = indexes_used(plan)
        gin = any("documents_search_gin" in node for node in used)
        print(
            f"  plan for {category!r} query {text!r}: documents_search_gin used: {'yes' if gin else 'no'}"
            f" ({', '.join(used) or 'no index scan'})"
        )
        if category == "topic" and not shown:
            print("  EXPLAIN (ANALYZE, BUFFERS) of that query:")
            plan_print(plan)
            shown = True


# --- the section as run.py calls it ----------------------------------------------------------------


def sizes_line() -> str:
    return (
        f"BENCH_CASES={CASES_N} BENCH_DOCUMENTS={DOCUMENTS_N} BENCH_NUP_CLIENTS={NUP_CLIENTS}"
        f" BENCH_NUP_SECONDS={NUP_SECONDS:g} BENCH_INBOX_RUNS={INBOX_RUNS} BENCH_INBOX_PAGE={INBOX_PAGE}"
        f" BENCH_SEARCH_QUERIES={SEARCH_QUERIES}"
    )


def sizes_check() -> None:
    if CASES_N < 1000 or DOCUMENTS_N < 1000:
        raise SystemExit("BENCH_CASES and BENCH_DOCUMENTS need at least 1000 rows each")
    if CASES_N > 5_000_000:
        # The busiest unit gets about a tenth of the cases per calendar year, and a NUP's yearly
        # sequence has six digits.
        raise SystemExit("BENCH_CASES above 5000000 would overflow the busiest unit's 6-digit NUP sequence")


def protocolo_benches(sections: set[str]) -> None:
    from django.db import connection

    sizes_check()
    print(f"\nProtocolo ({sizes_line()})", flush=True)
    started = time.perf_counter()
    with jobs_held_in_memory() as stub:
        city = city_setup()
        print(
            f"  city {city.municipality.slug}: {len(city.units)} units, a service and a staff member in each,"
            f" {len(city.citizen_ids)} citizens ({time.perf_counter() - started:.1f} s)"
        )
        if "nup" in sections:
            nup_bench(city)
        if "queries" in sections:
            query_count_bench(city)
        if "inbox" in sections:
            inbox_bench(city)
            staff_inbox_page_bench(city)
        if "search" in sections:
            search_bench(city)
        queued = sum(queue.qsize() for queue in stub.queues.values())
        print(f"\n  jobs enqueued on commit by the services (held in memory, never run): {queued}")
    connection.set_schema_to_public()
