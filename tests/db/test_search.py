"""Tests for db.search: one query across every record kind the scope can see, best match first."""

from __future__ import annotations

from db.engine import Database
from db.scope import Scope
from db.search import Hit, search
from tests.db.records import (
    EDITOR,
    GUILD_A,
    GUILD_B,
    SHARED,
    add,
    bodycam,
    funding_line,
    measure,
    question,
)


async def find(db: Database, query: str, scope: Scope = SHARED) -> list[Hit]:
    async with db.session() as session:
        return await search(session, scope, query)


async def test_one_query_finds_every_kind(db: Database) -> None:
    """'Minneapolis' finds the city's camera record, a question, a bill and a funding line."""
    await add(db, "bodycam", bodycam())
    await add(db, "question", question(key="OQ-1"))
    await add(db, "measure", measure(notes="Report language on the Minneapolis surge."))
    await add(db, "funding_line", funding_line(purpose="Minneapolis field office cameras"))
    hits = await find(db, "minneapolis")
    assert sorted((h.kind, h.key) for h in hits) == [
        ("bodycam", "minneapolis-mn-ice-ero"),
        ("funding_line", "fy2027-ice-ero-minneapolis-field-office-cameras"),
        ("measure", "119-hr4213"),
        ("question", "OQ-1"),
    ]


async def test_every_word_must_match(db: Database) -> None:
    """'Chicago suspended' finds the suspended Chicago note, not the other Chicago record."""
    await add(db, "bodycam", bodycam("Chicago", "IL", notes="Program suspended in October."))
    await add(db, "bodycam", bodycam("Chicago", "IL", component="CBP-USBP"))
    hits = await find(db, "Chicago suspended")
    assert [h.key for h in hits] == ["chicago-il-ice-ero"]


async def test_a_phrase_in_the_title_ranks_above_a_body_only_match(db: Database) -> None:
    """For 'body cameras', a bill titled with the phrase outranks a question that only
    mentions it in its text."""
    await add(db, "question", question(key="OQ-1", question="When will body cameras arrive?"))
    await add(
        db,
        "measure",
        measure(bill_number=1234, fiscal_year=None, title="Body Cameras for Federal Agents Act"),
    )
    hits = await find(db, "body cameras")
    assert [(h.kind, h.key) for h in hits] == [("measure", "119-hr1234"), ("question", "OQ-1")]
    assert hits[0].score > hits[1].score


async def test_a_hit_names_the_command_that_shows_it(db: Database) -> None:
    """A camera record's hit points at '/bodycam city' for its city and state."""
    await add(db, "bodycam", bodycam("St. Paul"))
    [hit] = await find(db, "paul")
    assert (hit.title, hit.command) == (
        "St. Paul, MN · ICE-ERO",
        "/bodycam city city:St. Paul, MN",
    )


async def test_a_query_without_a_real_word_finds_nothing(db: Database) -> None:
    """An empty or one-letter query returns no hits rather than everything."""
    await add(db, "bodycam", bodycam("Aurora", "CO"))
    for query in ("", "   ", "a", "a b !"):
        assert await find(db, query) == [], repr(query)


async def test_no_match_finds_nothing(db: Database) -> None:
    """A word found nowhere returns no hits."""
    await add(db, "bodycam", bodycam())
    assert await find(db, "zeppelin") == []


async def test_a_guilds_records_are_invisible_elsewhere(db: Database) -> None:
    """An office's own records are never found from another guild or the shared dataset."""
    await add(db, "bodycam", bodycam(notes="Zeppelin unit"), scope=GUILD_A)
    await add(db, "question", question(key="GQ-1", notes="zeppelin"), scope=GUILD_A)
    await add(db, "measure", measure(notes="zeppelin"), scope=GUILD_A)
    await add(db, "funding_line", funding_line(notes="zeppelin"), scope=GUILD_A)
    assert len(await find(db, "zeppelin", GUILD_A)) == 4
    assert await find(db, "zeppelin", GUILD_B) == []
    assert await find(db, "zeppelin", SHARED) == []


async def test_a_guilds_copy_replaces_the_shared_record_in_its_results(db: Database) -> None:
    """Searching in an office that edited OQ-1 finds its copy once; others find the shared one."""
    shared_row = await add(db, "question", question(key="OQ-1"))
    async with db.writer(GUILD_A, EDITOR) as writer:
        await writer.edit(shared_row, {"notes": "Office follow-up sent."})
    mine = await find(db, "OQ-1", GUILD_A)
    theirs = await find(db, "OQ-1", GUILD_B)
    assert [(h.key, h.snippet) for h in mine] == [("OQ-1", shared_row.question)]
    assert len(theirs) == 1
    assert await find(db, "follow-up", GUILD_A) != []
    assert await find(db, "follow-up", GUILD_B) == []


async def test_case_does_not_matter_for_accented_letters(db: Database) -> None:
    """'ávila' finds a question asked by Rep. Ávila."""
    await add(db, "question", question(key="OQ-1", asked_by="Rep. Ávila"))
    assert [h.key for h in await find(db, "ávila")] == ["OQ-1"]
