"""Autocomplete ranking: exact ids first, then prefixes, words, substrings and typos."""

from __future__ import annotations

import pytest

from bench.dataset import Sizes, generate
from db import suggest
from db.engine import Database
from db.scope import Scope
from db.search import close_to, find_record, suggest_records
from db.seed import load_seed
from db.suggest import Choice, rank
from tests.support.statements import statements


def test_exact_then_prefix_then_word_then_substring() -> None:
    """An exact name beats a prefix, a prefix beats a word start, a word start beats the middle."""
    choices = [
        Choice("West Chicago, IL", "w"),
        Choice("Chicago Heights, IL", "h"),
        Chicago := Choice("Chicago, IL", "c"),
        Choice("Nochicago, XX", "n"),
    ]
    assert [c.value for c in rank(choices, "chicago")] == ["c", "h", "w", "n"]
    assert rank(choices, "chicago")[0] == Chicago


def test_numbers_sort_naturally() -> None:
    """GQ-2 comes before GQ-10 among equally good matches."""
    choices = [Choice(f"GQ-{n}: text", f"GQ-{n}") for n in (10, 2, 1)]
    assert [c.value for c in rank(choices, "gq")] == ["GQ-1", "GQ-2", "GQ-10"]


def test_a_typo_still_finds_the_city() -> None:
    """'Minneapols' offers Minneapolis."""
    assert [c.value for c in rank([Choice("Minneapolis, MN", "m")], "Minneapols")] == ["m"]


def test_a_misspelled_query_ranks_by_all_its_words() -> None:
    """'homland apropriations' offers the DHS bill, whose title holds both words once
    corrected, before the Consolidated Appropriations Act, which holds one."""
    choices = [
        Choice("H.R. 7148 — Consolidated Appropriations Act, 2026", "7148"),
        Choice("H.R. 7147 — Department of Homeland Security Appropriations Act, 2026", "7147"),
    ]
    assert [c.value for c in rank(choices, "homland apropriations")][:1] == ["7147"]


async def test_typed_question_id_comes_first_among_thousands(db: Database) -> None:
    """With 5,000 questions, typing GQ-1 offers GQ-1 first, and at most 25 choices."""
    await generate(db, Sizes(cities=10, questions=5000, guilds=(1,)))
    async with db.session() as session:
        found = await suggest.suggest_questions(session, Scope.guild(1), "GQ-1")
    assert found[0].value == "GQ-1" and len(found) <= 25


async def test_bill_number_as_people_type_it(db: Database) -> None:
    """'hr 7147', '7147' and 'H.R. 71' all find H.R. 7147."""
    await load_seed(db)
    async with db.session() as session:
        for text in ("hr 7147", "7147", "H.R. 71"):
            found = await suggest.suggest_measures(session, Scope.guild(1), text)
            assert found[0].value == "119-hr7147", text


@pytest.mark.parametrize(
    ("typed", "most"),
    [("minneapols", 3), ("homland apropriations", 3), ("oq2", 1), ("HSGAC", 1), ("7147", 3)],
)
async def test_a_lookup_costs_a_few_statements(db: Database, typed: str, most: int) -> None:
    """On both backends, /cite's autocomplete is one statement for every kind; a typo adds one
    for the words to correct it from and one for the correction; a bill number two for the
    bill it names (db.resolve.find_measure). It was 12: each kind queried twice."""
    await load_seed(db)
    async with db.session() as session:
        with statements(db) as seen:
            offered = await suggest_records(session, Scope.guild(1), typed)
    assert offered and len(seen) <= most, seen


async def test_what_typing_misspells_is_looked_up_corrected(db: Database) -> None:
    """A typo in a question's notes ('retension') is corrected for /search from the words of
    the records' text and notes; /cite and the options look in what names a record, so
    'footage retension' offers the question whose text says 'footage retention'."""
    await load_seed(db)
    scope = Scope.guild(1)
    async with db.session() as session:
        close = await close_to(session, scope, "retension")
        assert close.respelled == "retention"
        assert close.labels[0].startswith("Question OQ-6: Minneapolis body-camera policy")
        assert await suggest_records(session, scope, "retension") == []
    # More rows with words starting as typed than are read to correct from: the correction is
    # looked up again (one statement more).
    await generate(db, Sizes(cities=10, questions=250, guilds=(1,)))
    async with db.session() as session:
        with statements(db) as seen:
            offered = await suggest.suggest_questions(session, scope, "footage retension")
        assert len(offered) == 25 and all("footage retention" in c.label for c in offered)
        assert len(seen) == 3
        record = await find_record(session, scope, "oq2")
        assert record.key == "OQ-2"
