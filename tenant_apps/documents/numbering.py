"""Gapless counters, safe under concurrency (row lock held until the caller's transaction ends)."""

from django.db import connection, transaction

from .models import NumberSequence


def sequence_next(scope: str) -> int:
    """Reserve the next number of `scope` for the current transaction.

    `INSERT ... ON CONFLICT DO NOTHING` creates the counter without racing, then
    `UPDATE ... RETURNING` takes the row lock: concurrent callers queue on it, and a caller that
    rolls back releases its number to the next one, so numbers are unique and gapless.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("sequence_next must run inside the transaction that uses the number")
    table = NumberSequence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (scope, last_value) VALUES (%s, 0) ON CONFLICT (scope) DO NOTHING",  # noqa: S608
            [scope],
        )
        cursor.execute(
            f"UPDATE {table} SET last_value = last_value + 1 WHERE scope = %s RETURNING last_value",  # noqa: S608
            [scope],
        )
        row = cursor.fetchone()
    return int(row[0])
