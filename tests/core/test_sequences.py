"""Yearly sequence numbers (`core.sequences`): one counter per (name, year), unique and gap-free
under concurrency, given back when the saving transaction fails."""

from __future__ import annotations

import pytest
from django.db import transaction

from tests.concurrency import require_database_server, run_concurrently
from xizang5g.core.models import Sequence
from xizang5g.core.sequences import sequence_next

THREADS = 8
NUMBERS_PER_THREAD = 25


def test_numbers_count_per_name_and_year(db):
    assert [sequence_next("test.things", year=2026) for _ in range(3)] == [1, 2, 3]
    assert sequence_next("test.things", year=2027) == 1
    assert sequence_next("test.other", year=2026) == 1
    assert Sequence.objects.get(name="test.things", year=2026).value == 3


def test_a_failed_save_gives_its_number_back(db):
    assert sequence_next("test.things", year=2026) == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        assert sequence_next("test.things", year=2026) == 2
        raise RuntimeError("the numbered object could not be saved")
    assert sequence_next("test.things", year=2026) == 2


@pytest.mark.parametrize(
    ("name", "year"), [("", 2026), ("x" * 65, 2026), ("test.things", 0), ("test.things", 10000)]
)
def test_bad_names_and_years_are_refused(db, name, year):
    with pytest.raises(ValueError):
        sequence_next(name, year=year)


@pytest.mark.django_db(transaction=True)
def test_concurrent_numbers_are_unique_and_gap_free():
    require_database_server()
    numbers = run_concurrently(
        lambda: sequence_next("test.concurrent", year=2026),
        threads=THREADS,
        each=NUMBERS_PER_THREAD,
    )
    assert sorted(numbers) == list(range(1, THREADS * NUMBERS_PER_THREAD + 1))


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_numbers_of_a_new_year():
    """Every thread asks for the year's first number at once: the counter row is created once."""
    require_database_server()
    numbers = run_concurrently(
        lambda: sequence_next("test.new-year", year=2031), threads=THREADS, each=1
    )
    assert sorted(numbers) == list(range(1, THREADS + 1))
    assert Sequence.objects.filter(name="test.new-year").count() == 1
