"""Numbers per year that stay unique under concurrency: one implementation for every app.

`sequence_next(name, year=…)` increments the `Sequence` row of (name, year) with one
``UPDATE … RETURNING`` (creating the row at 0 first if it is the year's first number). The update
locks the row until the surrounding transaction ends, so two creators can never read the same
value: the second waits for the first and then gets the next number. This holds on PostgreSQL
(row lock, READ COMMITTED re-reads the row after the wait) and on SQLite (the platform opens
IMMEDIATE transactions, so the writer holds the database lock).

Call it inside the transaction that saves the numbered object: the increment then commits or
rolls back with it, so a failed save gives its number back and numbers stay gap-free. Called
outside a transaction it runs in its own one.

Reading the largest number taken and adding one (what the apps did before) hands the same number
to concurrent creators, and one of them fails on the unique constraint.
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from xizang5g.core.models import Sequence

__all__ = ["sequence_next"]

MAX_NAME_LENGTH = Sequence._meta.get_field("name").max_length


def _increment(cursor, table: str, name: str, year: int) -> int | None:
    cursor.execute(
        f"UPDATE {table} SET value = value + 1 WHERE name = %s AND year = %s RETURNING value",
        [name, year],
    )
    row = cursor.fetchone()
    return None if row is None else row[0]


def sequence_next(name: str, *, year: int, using: str = DEFAULT_DB_ALIAS) -> int:
    """The next number (1, 2, …) of the sequence ``name`` in ``year``.

    Parameters
    ----------
    name : str
        Which numbering, e.g. ``"network.case"`` (at most 64 characters).
    year : int
        The year the number belongs to; each year starts again at 1.
    """
    if not name or len(name) > MAX_NAME_LENGTH:
        raise ValueError(f"a sequence name has 1-{MAX_NAME_LENGTH} characters: {name!r}")
    if not 1 <= year <= 9999:
        raise ValueError(f"not a year: {year!r}")
    connection = connections[using]
    table = connection.ops.quote_name(Sequence._meta.db_table)
    with transaction.atomic(using=using), connection.cursor() as cursor:
        number = _increment(cursor, table, name, year)
        if number is None:  # the year's first number: create the counter (once, whoever wins)
            Sequence.objects.using(using).bulk_create(
                [Sequence(name=name, year=year, value=0)], ignore_conflicts=True
            )
            number = _increment(cursor, table, name, year)
    return number
