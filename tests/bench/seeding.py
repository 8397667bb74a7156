"""Set-based bulk seeding of a tenant's cases and documents, straight into their tables.

A million rows through the ORM would take the whole bench budget, so the rows are built by one
`INSERT ... SELECT` over `generate_series` (cases) or by a generated staging table and two parallel
`INSERT ... SELECT`s (documents, whose tsvector is the expensive part). The rows are what the
services would have written: valid foreign keys, NUPs with their mod-11 check digits and counters
(`NumberSequence`) moved past the last number used, documents numbered per kind, unit and year,
and `search_vector = to_tsvector('portuguese', <folded title and body>)` as `document_create` does.

For the load, the table's secondary indexes, unique and foreign-key constraints are dropped and
then recreated from their own definitions (`pg_get_indexdef`, `pg_get_constraintdef`): building an
index once is much faster than updating it a million times, and re-adding a foreign key makes
PostgreSQL check every row against its target, so the seeded references are proven valid.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from tests.bench.corpus import DOCUMENT_KINDS, FIRST_NAMES, SURNAMES, WORDS, PhraseGenerator

LOAD_SETTINGS = ("SET work_mem = '256MB'", "SET maintenance_work_mem = '512MB'")
RESTRICTED_BASIS = "Informação pessoal (Lei 12.527/2011, art. 31; Lei 13.709/2018)"
VERIFICATION_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # as tenant_apps.documents.services


@dataclass(frozen=True)
class SeedUnit:
    """A unit that receives seeded rows: its case service and a staff member (assignee, author)."""

    unit_id: int
    code: str
    service_id: int
    service_name: str
    staff_id: int


@dataclass
class SeedReport:
    rows: int = 0
    steps: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def step(self, name: str, started: float) -> float:
        now = time.perf_counter()
        self.steps[name] = self.steps.get(name, 0.0) + now - started
        return now

    def line(self) -> str:
        steps = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in self.steps.items())
        return f"{self.rows} rows in {sum(self.steps.values()):.1f} s ({steps})"


# --- connections ---------------------------------------------------------------------------------


def tenant_connect(schema_name: str) -> Any:
    """A psycopg connection of its own to the bench database, in the tenant's schema (for parallel work)."""
    import psycopg
    from django.conf import settings

    params = settings.DATABASES["default"]
    conn = psycopg.connect(
        dbname=params["NAME"],
        user=params.get("USER") or None,
        password=params.get("PASSWORD") or None,
        host=params.get("HOST") or None,
        port=str(params["PORT"]) if params.get("PORT") else None,
        autocommit=True,
    )
    conn.execute(f'SET search_path TO "{schema_name}", public')
    for statement in LOAD_SETTINGS:
        conn.execute(statement)
    return conn


def in_parallel(tasks: Sequence[Callable[[], None]]) -> None:
    """Run the tasks on threads (each uses its own connection); re-raise the first failure."""
    errors: list[BaseException] = []

    def run(task: Callable[[], None]) -> None:
        try:
            task()
        except BaseException as error:  # noqa: BLE001 - handed back to the caller below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(task,)) for task in tasks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


# --- drop and rebuild indexes and constraints around a load ---------------------------------------


@contextmanager
def deferred_indexes(conn: Any, tables: Sequence[str], report: SeedReport) -> Iterator[None]:
    """Drop the tables' secondary indexes, unique and foreign-key constraints; rebuild them after.

    The primary keys and CHECK constraints stay (cheap per row, and nothing else may break).
    """
    constraints: list[tuple[str, str, str]] = []
    indexes: list[tuple[str, str]] = []
    for table in tables:
        constraints += conn.execute(
            """
            SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
            FROM pg_constraint c
            WHERE c.conrelid = %s::regclass AND c.contype IN ('u', 'f')
            ORDER BY c.contype DESC, c.conname
            """,
            [table],
        ).fetchall()
        indexes += conn.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i
            WHERE i.indrelid = %s::regclass
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            ORDER BY 1
            """,
            [table],
        ).fetchall()
    started = time.perf_counter()
    for table, name, _ in reversed(constraints):  # foreign keys first, then the unique ones
        conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        conn.execute(f"DROP INDEX {name}")
    report.step("drop indexes", started)
    yield
    started = time.perf_counter()
    # Two connections build the indexes side by side (the machine may have just two cores).
    halves = [indexes[0::2], indexes[1::2]]
    schema = conn.execute("SELECT current_schema()").fetchone()[0]

    def build(chunk: list[tuple[str, str]]) -> Callable[[], None]:
        def task() -> None:
            with tenant_connect(schema) as other:
                for _, definition in chunk:
                    other.execute(definition)

        return task

    in_parallel([build(chunk) for chunk in halves if chunk])
    started = report.step("build indexes", started)
    for table, name, definition in constraints:  # unique ones first: foreign keys may use them
        conn.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    report.step("constraints (checks every row)", started)


# --- NUP check digits in SQL ---------------------------------------------------------------------


def _weighted_digits(column: str, first_weight: int) -> str:
    """Sum of the 15 digits of `column` times the weights first_weight, first_weight - 1, ..."""
    return " + ".join(f"{first_weight - i} * substr({column}, {i + 1}, 1)::int" for i in range(15))


# mod 11 as in tenant_apps.cases.nup: r = 11 - (sum mod 11), then 10 -> 0 and 11 -> 1, i.e. r mod 10.
def first_digit_sql(base: str) -> str:
    return f"mod(11 - mod({_weighted_digits(base, 16)}, 11), 10)"


def second_digit_sql(base: str, first_digit: str) -> str:
    return f"mod(11 - mod({_weighted_digits(base, 17)} + 2 * {first_digit}, 11), 10)"


CASES_INSERT = f"""
INSERT INTO cases_case (
    created_at, updated_at, nup, service_id, subject, description, form_data, channel, citizen_id,
    opened_by_id, opening_unit_id, current_unit_id, assigned_to_id, status, access_level, opened_at,
    deadline, paused_since, closed_at, final_answer, last_event_at, search_vector
)
WITH drawn AS (
    SELECT g,
           -- a few units get most of the cases: position 0 about a fifth of them
           least(floor(%(units)s * power(random(), %(skew)s)), %(units)s - 1)::int AS current_position,
           CASE WHEN random() < 0.2 THEN least(floor(%(units)s * random()), %(units)s - 1)::int END
               AS moved_from,
           -- opened in the order of g, so ids grow with time as they do in production
           now() - make_interval(days => %(span_days)s)
               + (g - 1 + random()) * (make_interval(days => %(span_days)s) / %(count)s) AS opened_at,
           random() AS r_event, random() AS r_closed, random() AS r_status, random() AS r_assigned
    FROM generate_series(1, %(count)s) AS g
), lived AS (
    SELECT drawn.*,
           coalesce(moved_from, current_position) AS origin_position,
           NOT %(open_only)s
               AND r_closed < CASE WHEN now() - opened_at > interval '90 days' THEN 0.97 ELSE 0.4 END
               AS is_closed
    FROM drawn
), dated AS (
    SELECT lived.*,
           CASE WHEN is_closed THEN opened_at + r_event * least(now() - opened_at, interval '60 days')
                ELSE opened_at + r_event * (now() - opened_at) END AS last_event_at,
           CASE WHEN is_closed THEN 'concluido'
                WHEN r_status < 0.35 THEN 'novo'
                WHEN r_status < 0.85 THEN 'em_andamento'
                ELSE 'aguardando_cidadao' END AS status,
           extract(year FROM opened_at AT TIME ZONE %(time_zone)s)::int AS year
    FROM lived
), numbered AS (
    -- numbered per unit and year while the rows are narrow, then put back in the order of g
    SELECT dated.*, origin.code,
           coalesce(counter.last_value, 0)
               + row_number() OVER (PARTITION BY origin.code, dated.year ORDER BY dated.g) AS sequence
    FROM dated
    JOIN bench_seed_unit AS origin ON origin.position = dated.origin_position
    LEFT JOIN documents_numbersequence AS counter
        ON counter.scope = 'nup:' || origin.code || ':' || dated.year
    ORDER BY dated.g
), based AS (
    SELECT numbered.*, code || lpad(sequence::text, 6, '0') || year AS base FROM numbered
), checked AS (
    SELECT based.*, {first_digit_sql("base")} AS first_digit FROM based
)
SELECT c.opened_at, c.last_event_at,
       c.code || '.' || lpad(c.sequence::text, 6, '0') || '/' || c.year || '-' || c.first_digit
           || {second_digit_sql("c.base", "c.first_digit")},
       origin.service_id, origin.subject, '',
       jsonb_build_object('endereco', 'Rua Laranjeiras, ' || (1 + mod(c.g, 2000)) || ', Centro'),
       'portal', citizen.user_id, citizen.user_id, origin.unit_id, here.unit_id,
       CASE WHEN c.status = 'em_andamento' AND c.r_assigned < 0.6 THEN here.staff_id END,
       c.status, 'restrito', c.opened_at,
       (c.opened_at AT TIME ZONE %(time_zone)s)::date + 15,
       CASE WHEN c.status = 'aguardando_cidadao' THEN c.last_event_at END,
       CASE WHEN c.status = 'concluido' THEN c.last_event_at END,
       CASE WHEN c.status = 'concluido' THEN 'Pedido atendido.' ELSE '' END,
       c.last_event_at, NULL
FROM checked AS c
JOIN bench_seed_unit AS origin ON origin.position = c.origin_position
JOIN bench_seed_unit AS here ON here.position = c.current_position
JOIN bench_seed_citizen AS citizen ON citizen.position = mod(c.g, %(citizens)s)
"""  # noqa: S608 - the only interpolations are the check-digit expressions built above

NUP_COUNTERS_ADVANCE = """
INSERT INTO documents_numbersequence (scope, last_value)
SELECT 'nup:' || substr(nup, 1, 5) || ':' || substr(nup, 14, 4), max(substr(nup, 7, 6)::int)
FROM cases_case
GROUP BY 1
ON CONFLICT (scope) DO UPDATE
    SET last_value = greatest(documents_numbersequence.last_value, excluded.last_value)
"""


def _seed_tables_fill(conn: Any, units: Sequence[SeedUnit], citizen_ids: Sequence[int]) -> None:
    conn.execute(
        "CREATE TEMP TABLE bench_seed_unit (position int PRIMARY KEY, unit_id bigint, code text,"
        " service_id bigint, subject text, staff_id bigint)"
    )
    conn.execute("CREATE TEMP TABLE bench_seed_citizen (position int PRIMARY KEY, user_id bigint)")
    with conn.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO bench_seed_unit VALUES (%s, %s, %s, %s, %s, %s)",
            [
                (position, unit.unit_id, unit.code, unit.service_id, unit.service_name, unit.staff_id)
                for position, unit in enumerate(units)
            ],
        )
        cursor.executemany("INSERT INTO bench_seed_citizen VALUES (%s, %s)", list(enumerate(citizen_ids)))


def cases_seed(
    *,
    schema_name: str,
    units: Sequence[SeedUnit],
    citizen_ids: Sequence[int],
    count: int,
    span_days: int = 730,
    open_only: bool = False,
    skew: float = 2.0,
    rebuild_indexes: bool = False,
) -> SeedReport:
    """Insert `count` cases into the tenant, opened over the last `span_days`.

    Most cases older than 90 days are closed, as in a real inbox; one in five was opened in another
    unit and forwarded. `units[0]` gets the largest share (skew 2: about 1/sqrt(len(units)) of the
    rows), the other positions less and less.
    """
    from django.conf import settings

    report = SeedReport(rows=count)
    params = {
        "units": len(units),
        "skew": skew,
        "span_days": span_days,
        "count": count,
        "open_only": open_only,
        "citizens": len(citizen_ids),
        "time_zone": settings.TIME_ZONE,
    }
    with tenant_connect(schema_name) as conn:
        _seed_tables_fill(conn, units, citizen_ids)
        with deferred_indexes(conn, ["cases_case"], report) if rebuild_indexes else _nothing():
            started = time.perf_counter()
            conn.execute(CASES_INSERT, params)
            report.step("insert", started)
        started = time.perf_counter()
        conn.execute(NUP_COUNTERS_ADVANCE)
        conn.execute("DROP TABLE bench_seed_unit, bench_seed_citizen")
        conn.execute("ANALYZE cases_case")
        report.step("counters + analyze", started)
    return report


@contextmanager
def _nothing() -> Iterator[None]:
    yield


# --- documents ---------------------------------------------------------------------------------

TITLE_POOL = 20_000
SEGMENT_POOL = 50_000


def _verification_code_sql() -> str:
    """A unique code per row: an odd multiplier is a bijection modulo 2**60, read in base 32."""
    mixed = "((g::bigint * 2654435761) & 1152921504606846975)"
    chars = [
        f"substr('{VERIFICATION_ALPHABET}', (({mixed} >> {5 * position}) & 31)::int + 1, 1)"
        for position in range(12)
    ]
    return " || ".join([*chars[0:4], "'-'", *chars[4:8], "'-'", *chars[8:12]])


def fold_translation() -> tuple[str, str]:
    """`translate()` arguments that fold the corpus exactly as `text_fold` does (checked word by word)."""
    from paco.text import text_fold

    corpus = set("".join(WORDS) + "".join(FIRST_NAMES) + "".join(SURNAMES))
    source, target = [], []
    for char in sorted(corpus | {char.lower() for char in corpus}):
        folded = text_fold(char)
        if folded != char.lower() or (char != char.lower() and not char.isascii()):
            if len(folded) != 1:
                raise RuntimeError(f"text_fold({char!r}) = {folded!r} is not one character")
            source.append(char)
            target.append(folded)
    table = str.maketrans("".join(source), "".join(target))
    for word in (*WORDS, *FIRST_NAMES, *SURNAMES):
        if word.lower().translate(table) != text_fold(word):
            raise RuntimeError(f"the SQL fold of {word!r} differs from text_fold")
    return "".join(source), "".join(target)


DOCUMENT_STAGE = f"""
CREATE UNLOGGED TABLE bench_document_stage AS
WITH drawn AS (
    SELECT g,
           %(start)s::timestamptz + (g - 1 + random()) * %(step)s::interval AS created_at,
           least(floor(%(units)s * power(random(), 2)), %(units)s - 1)::int AS unit_position,
           random() * 100 AS r_kind, random() AS r_access,
           1 + floor(random() * {TITLE_POOL})::int AS title_id,
           1 + floor(random() * {SEGMENT_POOL})::int AS first_segment,
           1 + floor(random() * {SEGMENT_POOL})::int AS second_segment,
           1 + floor(random() * %(first_names)s)::int AS first_name,
           1 + floor(random() * %(surnames)s)::int AS surname,
           1 + floor(random() * %(surnames)s)::int AS second_surname,
           1 + floor(random() * %(first_names)s)::int AS street_first_name,
           1 + floor(random() * %(surnames)s)::int AS street_surname,
           1 + floor(random() * 3000)::int AS street_number
    FROM generate_series(1, %(count)s) AS g
), kinded AS (
    SELECT drawn.*, kind.kind, kind.label,
           extract(year FROM created_at AT TIME ZONE %(time_zone)s)::int AS year
    FROM drawn
    JOIN bench_document_kind AS kind ON drawn.r_kind >= kind.low AND drawn.r_kind < kind.high
), numbered AS (
    -- numbered while the rows are still narrow, then put back in creation order
    SELECT kinded.*, unit.unit_id, unit.staff_id,
           coalesce(counter.last_value, 0)
               + row_number() OVER (PARTITION BY kinded.kind, unit.unit_id, kinded.year ORDER BY g)
               AS sequence
    FROM kinded
    JOIN bench_seed_unit AS unit ON unit.position = kinded.unit_position
    LEFT JOIN documents_numbersequence AS counter
        ON counter.scope = 'doc:' || kinded.kind || ':' || unit.code || ':' || kinded.year
    ORDER BY g
)
SELECT g, %(base_id)s + g AS id, kind, unit_id, staff_id AS author_id, year, sequence, created_at,
       CASE WHEN r_access < 0.85 THEN 'publico' ELSE 'restrito' END AS access_level,
       CASE WHEN r_access < 0.85 THEN '' ELSE %(restricted_basis)s END AS legal_basis,
       {_verification_code_sql()} AS verification_code,
       label || ' ' || title.words AS title,
       first.words
           || ' ' || (%(first_name_list)s::text[])[first_name]
           || ' ' || (%(surname_list)s::text[])[surname]
           || ' ' || (%(surname_list)s::text[])[second_surname]
           || ' rua ' || (%(first_name_list)s::text[])[street_first_name]
           || ' ' || (%(surname_list)s::text[])[street_surname]
           || ' ' || street_number
           || ' ' || second.words AS body
FROM numbered
JOIN bench_title AS title ON title.id = numbered.title_id
JOIN bench_segment AS first ON first.id = numbered.first_segment
JOIN bench_segment AS second ON second.id = numbered.second_segment
"""  # noqa: S608 - interpolations are constants and the SQL expression built above

DOCUMENTS_INSERT = """
INSERT INTO documents_document (
    id, created_at, updated_at, kind, unit_id, year, sequence, title, access_level, legal_basis,
    author_id, verification_code, search_vector
)
SELECT id, created_at, created_at, kind, unit_id, year, sequence, title, access_level, legal_basis,
       author_id, verification_code,
       to_tsvector('portuguese', translate(lower(title || ' ' || body), %(fold_from)s, %(fold_to)s))
FROM bench_document_stage
WHERE g BETWEEN %(low)s AND %(high)s
"""

VERSIONS_INSERT = """
INSERT INTO documents_documentversion (
    created_at, updated_at, document_id, number, body, body_sha256, pdf_name, pdf_sha256, created_by_id
)
SELECT created_at, created_at, id, 1, body, encode(sha256(convert_to(body, 'UTF8')), 'hex'), '', '',
       author_id
FROM bench_document_stage
WHERE g BETWEEN %(low)s AND %(high)s
"""

DOCUMENT_COUNTERS_ADVANCE = """
INSERT INTO documents_numbersequence (scope, last_value)
SELECT 'doc:' || d.kind || ':' || u.code || ':' || d.year, max(d.sequence)
FROM documents_document AS d
JOIN org_orgunit AS u ON u.id = d.unit_id
GROUP BY 1
ON CONFLICT (scope) DO UPDATE
    SET last_value = greatest(documents_numbersequence.last_value, excluded.last_value)
"""


def _copy_lines(conn: Any, table: str, lines: Sequence[str]) -> None:
    with conn.cursor() as cursor, cursor.copy(f"COPY {table} (id, words) FROM STDIN") as copy:
        for start in range(0, len(lines), 5000):
            copy.write(
                "".join(
                    f"{start + offset + 1}\t{line}\n"
                    for offset, line in enumerate(lines[start : start + 5000])
                )
            )


def documents_seed(
    *, schema_name: str, units: Sequence[SeedUnit], count: int, span_days: int = 730
) -> SeedReport:
    """Insert `count` documents, each with version 1 and its search vector, into the tenant.

    Texts: a title (kind + 4-8 words) and a body (two runs of 12-20 words around a person's name
    and a street address), the runs drawn from pools of Zipf-weighted word runs.
    """
    from django.conf import settings

    report = SeedReport(rows=count)
    started = time.perf_counter()
    phrases = PhraseGenerator()
    titles = phrases.phrases(TITLE_POOL, 4, 8)
    segments = phrases.phrases(SEGMENT_POOL, 12, 20)
    fold_from, fold_to = fold_translation()
    now = dt.datetime.now(tz=ZoneInfo(settings.TIME_ZONE))
    start = now - dt.timedelta(days=span_days)
    with tenant_connect(schema_name) as conn:
        conn.execute("CREATE UNLOGGED TABLE bench_title (id int PRIMARY KEY, words text)")
        conn.execute("CREATE UNLOGGED TABLE bench_segment (id int PRIMARY KEY, words text)")
        _copy_lines(conn, "bench_title", titles)
        _copy_lines(conn, "bench_segment", segments)
        conn.execute(
            "CREATE UNLOGGED TABLE bench_seed_unit (position int PRIMARY KEY, unit_id bigint,"
            " code text, staff_id bigint)"
        )
        with conn.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO bench_seed_unit VALUES (%s, %s, %s, %s)",
                [(position, unit.unit_id, unit.code, unit.staff_id) for position, unit in enumerate(units)],
            )
            conn.execute(
                "CREATE UNLOGGED TABLE bench_document_kind (kind text, label text, low float, high float)"
            )
            low = 0.0
            rows = []
            for kind, label, share in DOCUMENT_KINDS:
                rows.append((kind, label, low, low + share))
                low += share
            cursor.executemany("INSERT INTO bench_document_kind VALUES (%s, %s, %s, %s)", rows)
        base_id = conn.execute("SELECT coalesce(max(id), 0) FROM documents_document").fetchone()[0]
        conn.execute(
            DOCUMENT_STAGE,
            {
                "start": start,
                "step": dt.timedelta(days=span_days) / count,
                "units": len(units),
                "count": count,
                "first_names": len(FIRST_NAMES),
                "surnames": len(SURNAMES),
                "first_name_list": list(FIRST_NAMES),
                "surname_list": list(SURNAMES),
                "time_zone": settings.TIME_ZONE,
                "base_id": base_id,
                "restricted_basis": RESTRICTED_BASIS,
            },
        )
        started = report.step("texts", started)
        halves = [(1, count // 2), (count // 2 + 1, count)]

        def insert(statement: str, low: int, high: int) -> Callable[[], None]:
            def task() -> None:
                with tenant_connect(schema_name) as other:
                    other.execute(
                        statement, {"low": low, "high": high, "fold_from": fold_from, "fold_to": fold_to}
                    )

            return task

        with deferred_indexes(conn, ["documents_document", "documents_documentversion"], report):
            started = time.perf_counter()
            in_parallel([insert(DOCUMENTS_INSERT, low, high) for low, high in halves])
            started = report.step("insert + to_tsvector", started)
            in_parallel([insert(VERSIONS_INSERT, low, high) for low, high in halves])
            report.step("versions", started)
        started = time.perf_counter()
        conn.execute(
            "SELECT setval(pg_get_serial_sequence('documents_document', 'id'),"
            " (SELECT max(id) FROM documents_document))"
        )
        conn.execute(DOCUMENT_COUNTERS_ADVANCE)
        for table in (
            "bench_document_stage",
            "bench_title",
            "bench_segment",
            "bench_seed_unit",
            "bench_document_kind",
        ):
            conn.execute(f"DROP TABLE {table}")
        conn.execute("ANALYZE documents_document")
        conn.execute("ANALYZE documents_documentversion")
        report.step("analyze", started)
    return report
