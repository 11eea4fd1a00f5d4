"""Related records: links read from either end, due-rule followers, scope."""

from __future__ import annotations

from typing import Any

from db.changes import validate
from db.engine import Database
from db.links import label_of, related, related_to_each
from db.scope import Actor, Scope
from db.seed import load_seed


async def test_links_read_from_both_ends(db: Database) -> None:
    """OQ-4 and the $20M camera line are linked, whichever end is asked about."""
    await load_seed(db)
    line = "fy2026-ice-and-cbp-body-worn-cameras-for-officers"
    async with db.session() as session:
        from_question = await related(session, Scope.guild(1), "question", "OQ-4")
        from_line = await related(session, Scope.guild(1), "funding_line", line)
    assert ("funding_line", line) in {(r.kind, r.key) for r in from_question}
    assert ("question", "OQ-4") in {(r.kind, r.key) for r in from_line}


async def test_a_measure_lists_the_questions_whose_due_rule_follows_it(db: Database) -> None:
    """H.R. 7147's related records include OQ-7, due 90 days after its enactment."""
    await load_seed(db)
    async with db.session() as session:
        found = await related(session, Scope.shared(), "measure", "119-hr7147")
    assert {"OQ-4", "OQ-5", "OQ-7"} <= {r.key for r in found if r.kind == "question"}
    assert len({(r.kind, r.key) for r in found}) == len(found)


async def test_several_records_read_together_match_each_read_alone(db: Database) -> None:
    """`related_to_each` gives every key what `related` gives it alone (links from either end,
    a measure's due-rule followers), in the keys' order, an unlinked key with an empty list."""
    await load_seed(db)
    line = "fy2026-ice-and-cbp-body-worn-cameras-for-officers"
    cases = [
        ("question", ["OQ-4", "OQ-7", "OQ-1", "no-such-question"]),
        ("measure", ["119-hr7147", "119-hr5371"]),
        ("funding_line", [line]),
    ]
    found: dict[str, list[Any]] = {}
    async with db.session() as session:
        for kind, keys in cases:
            together = await related_to_each(session, Scope.guild(1), kind, keys)
            alone = [await related(session, Scope.guild(1), kind, key) for key in keys]
            assert list(together) == keys
            assert [together[key] for key in keys] == alone, kind
            found.update(together)
    assert found["no-such-question"] == []
    # Not an empty comparison: links from both ends and a measure's followers are there.
    assert ("funding_line", line) in {(r.kind, r.key) for r in found["OQ-4"]}
    assert ("question", "OQ-4") in {(r.kind, r.key) for r in found[line]}
    assert "OQ-7" in {r.key for r in found["119-hr7147"]}


async def test_a_guilds_private_link_is_not_seen_by_another_guild(db: Database) -> None:
    """A link an office added shows in that office only."""
    await load_seed(db)
    async with db.writer(Scope.guild(1), Actor("x", 1)) as writer:
        await writer.create(
            "link",
            {
                "a_kind": "question",
                "a_key": "OQ-1",
                "b_kind": "question",
                "b_key": "OQ-6",
                "as_of": "2026-11-28",
            },
        )
    async with db.session() as session:
        mine = await related(session, Scope.guild(1), "question", "OQ-6")
        theirs = await related(session, Scope.guild(2), "question", "OQ-6")
    assert "OQ-1" in {r.key for r in mine}
    assert "OQ-1" not in {r.key for r in theirs}


def test_a_long_question_is_shortened_with_no_space_before_the_mark() -> None:
    """A question over 80 characters is cut at 79 and marked '…' right after the last word."""
    text = "How many body cameras has ICE bought with the FY2026 money, and where are they today?"
    assert label_of("question", asked("GQ-40", text)) == (
        "GQ-40: How many body cameras has ICE bought with the FY2026 money, and where are they…"
    )
    assert label_of("question", asked("GQ-41", text[:80])) == f"GQ-41: {text[:80]}"


def asked(key: str, question: str) -> Any:
    return validate("question", {"key": key, "question": question, "asked_by": "Rep. Example",
                                 "addressed_to": "ICE", "as_of": "2026-11-20"})  # fmt: skip
