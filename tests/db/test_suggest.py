"""Autocomplete ranking: exact ids first, then prefixes, words, substrings and typos."""

from __future__ import annotations

from bench.dataset import Sizes, generate
from db import suggest
from db.engine import Database
from db.scope import Scope
from db.seed import load_seed
from db.suggest import Choice, rank


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
