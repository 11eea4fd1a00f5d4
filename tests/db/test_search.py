"""Tests for db.search: one query across every record kind the scope can see, best match first."""

from __future__ import annotations

import pytest

from db.engine import Database
from db.errors import NotFound
from db.scope import Scope
from db.search import CitedRecord, Hit, counts, find_record, search, suggest_records
from db.suggest import Choice
from tests.db.records import (
    EDITOR,
    GUILD_A,
    GUILD_B,
    SHARED,
    D,
    action,
    add,
    bodycam,
    funding_line,
    lapse,
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


async def test_case_does_not_matter_for_plain_or_accented_words(db: Database) -> None:
    """Upper-case text is found by lower-case words, plain (SQLite's own LIKE) or accented (the
    Unicode lower() path), and a word that is not there finds nothing."""
    loud = question(key="OQ-1", asked_by="REP. ÁVILA", question="WHERE IS THE FOOTAGE?")
    await add(db, "question", loud)
    assert [h.key for h in await find(db, "footage")] == ["OQ-1"]
    assert [h.key for h in await find(db, "ávila footage")] == ["OQ-1"]
    assert await find(db, "foutage") == []


# ---------------------------------------------------------------- records of every kind, for /cite


async def suggested(db: Database, text: str, scope: Scope = SHARED) -> list[Choice]:
    async with db.session() as session:
        return await suggest_records(session, scope, text)


async def loaded(db: Database, reference: str, scope: Scope = SHARED) -> CitedRecord:
    async with db.session() as session:
        return await find_record(session, scope, reference)


async def add_one_of_each(db: Database) -> None:
    await add(db, "measure", measure(stage="enacted", enacted_on=D(2026, 11, 20)))
    await add(db, "action", action())
    await add(db, "funding_line", funding_line(measure_key="119-hr4213"))
    await add(db, "funding_period", lapse(D(2026, 10, 1), D(2026, 10, 20)))
    await add(db, "bodycam", bodycam())
    await add(
        db,
        "question",
        question(key="OQ-1", due_rule_measure_key="119-hr4213", due_rule_days=30),
    )


async def test_with_nothing_typed_every_kind_is_suggested(db: Database) -> None:
    """An empty box offers a record of each of the six kinds, each value 'kind:key'."""
    await add_one_of_each(db)
    choices = await suggested(db, "")
    assert sorted(c.value.split(":")[0] for c in choices) == [
        "action",
        "bodycam",
        "funding_line",
        "funding_period",
        "measure",
        "question",
    ]


async def test_a_suggestion_is_labelled_with_its_kind(db: Database) -> None:
    """Typing 'OQ-1' offers 'Question OQ-1: How many …' with the value 'question:OQ-1'."""
    await add_one_of_each(db)
    [choice] = await suggested(db, "OQ-1")
    assert choice.value == "question:OQ-1"
    assert choice.label.startswith("Question OQ-1: How many ERO officers")


async def test_an_exactly_typed_id_leads_its_longer_namesakes(db: Database) -> None:
    """'OQ-12' puts OQ-12 first, ahead of OQ-1200 … OQ-1229, and offers at most 25."""
    for number in [*range(1200, 1230), 12]:
        await add(db, "question", question(key=f"OQ-{number}"))
    choices = await suggested(db, "OQ-12")
    assert choices[0].value == "question:OQ-12"
    assert len(choices) == 25


async def test_a_name_that_starts_with_the_text_ranks_before_one_that_contains_it(
    db: Database,
) -> None:
    """'minneapolis' lists the Minneapolis camera record before a question that mentions it."""
    await add(db, "question", question(key="OQ-1"))
    await add(db, "bodycam", bodycam())
    choices = await suggested(db, "minneapolis")
    assert [c.value for c in choices] == ["bodycam:minneapolis-mn-ice-ero", "question:OQ-1"]
    assert choices[0].label == "Body cameras Minneapolis, MN · ICE-ERO"


async def test_a_typo_still_finds_the_record(db: Database) -> None:
    """'Minneapols' suggests Minneapolis."""
    await add(db, "bodycam", bodycam())
    assert [c.value for c in await suggested(db, "Minneapols")] == [
        "bodycam:minneapolis-mn-ice-ero"
    ]


async def test_labels_and_values_fit_discords_limits(db: Database) -> None:
    """A 120-character key and a long title still give a label and value of ≤ 100 characters;
    the clipped value (ending '…') still loads its record."""
    long_purpose = "Cameras " + "x" * 200
    row = await add(db, "funding_line", funding_line(purpose=long_purpose))
    [choice] = await suggested(db, "cameras")
    assert len(choice.label) <= 100 and len(choice.value) <= 100
    assert choice.value.endswith("…")
    assert (await loaded(db, choice.value)).key == row.key


async def test_a_record_loads_with_its_bill(db: Database) -> None:
    """A question's citation gets the bill its due rule follows; an action and a funding line
    get theirs; a bill gets its newest action."""
    await add_one_of_each(db)
    question_record = await loaded(db, "question:OQ-1")
    assert question_record.measure is not None and question_record.measure.key == "119-hr4213"
    for reference in (
        "action:119-hr4213/2026-10-15/house",
        "funding_line:fy2027-ice-ero-body-worn-cameras",
    ):
        record = await loaded(db, reference)
        assert record.measure is not None and record.measure.key == "119-hr4213", reference
    bill = await loaded(db, "measure:119-hr4213")
    assert bill.latest_action is not None and bill.latest_action.action_date == D(2026, 10, 15)


async def test_a_bare_key_typed_in_any_case_loads_its_record(db: Database) -> None:
    """'oq-1' and '119-HR4213' load the question and the bill."""
    await add_one_of_each(db)
    assert ((await loaded(db, "oq-1")).kind, (await loaded(db, "oq-1")).key) == ("question", "OQ-1")
    assert (await loaded(db, "119-HR4213")).key == "119-hr4213"


async def test_an_unknown_record_or_kind_is_not_found(db: Database) -> None:
    """A missing key, an unknown kind and plain words each raise NotFound."""
    await add_one_of_each(db)
    for reference in ("question:OQ-99", "link:anything", "spend plan", "question:"):
        with pytest.raises(NotFound):
            await loaded(db, reference)


async def test_another_guilds_record_is_never_suggested_or_loaded(db: Database) -> None:
    """An office's GQ-1 is offered and cited in that office only."""
    await add(db, "question", question(key="GQ-1", question="Zeppelin patrols?"), scope=GUILD_A)
    assert [c.value for c in await suggested(db, "zeppelin", GUILD_A)] == ["question:GQ-1"]
    assert await suggested(db, "zeppelin", GUILD_B) == []
    assert await suggested(db, "", GUILD_B) == []
    with pytest.raises(NotFound):
        await loaded(db, "question:GQ-1", GUILD_B)
    with pytest.raises(NotFound):
        await loaded(db, "GQ-1", SHARED)


# ---------------------------------------------------------------- what people type (db.resolve)


async def test_acronyms_find_names_and_names_find_acronyms(db: Database) -> None:
    """'HSGAC' finds a question asked by the committee's full name; 'Border Patrol' finds a
    CBP-USBP camera record; 'ICE' does not find 'office'."""
    await add(
        db,
        "question",
        question(
            key="OQ-1",
            asked_by="Senate Homeland Security and Governmental Affairs Committee",
            component="CBP",
            addressed_to="CBP",
            question="Footage?",
        ),
    )
    await add(
        db,
        "question",
        question(
            key="OQ-2",
            asked_by="HSGAC staff",
            component="DHS",
            addressed_to="DHS",
            question="Spend plan?",
        ),
    )
    await add(db, "bodycam", bodycam("El Paso", "TX", component="CBP-USBP", notes="Field office"))
    assert {h.key for h in await find(db, "HSGAC")} == {"OQ-1", "OQ-2"}
    assert {h.key for h in await find(db, "homeland security and governmental affairs")} == {
        "OQ-1",
        "OQ-2",
    }
    assert [h.key for h in await find(db, "Border Patrol")] == ["el-paso-tx-cbp-usbp"]
    assert "el-paso-tx-cbp-usbp" not in {h.key for h in await find(db, "ICE")}


async def test_percent_and_underscore_are_plain_characters(db: Database) -> None:
    """'100%' finds the note that says 100%, not every note with 100; 'a_b' is not 'axb'."""
    await add(db, "bodycam", bodycam("Austin", "TX", notes="100% of officers equipped"))
    await add(db, "bodycam", bodycam("Dallas", "TX", notes="100 officers of 400 equipped"))
    await add(db, "bodycam", bodycam("Waco", "TX", notes="Program code cam_pilot"))
    await add(db, "bodycam", bodycam("Tyler", "TX", notes="Program code camxpilot"))
    assert [h.key for h in await find(db, "100%")] == ["austin-tx-ice-ero"]
    assert [h.key for h in await find(db, "cam_pilot")] == ["waco-tx-ice-ero"]


async def test_bills_by_public_law_and_any_spelling(db: Database) -> None:
    """'P.L. 119-86' finds the law's bill; 'HR7147' also finds a question that writes
    'H.R. 7147'."""
    await add(db, "measure", measure(bill_number=7147, public_law="119-86"))
    await add(db, "question", question(key="OQ-4", asked_by="Statute: FY2026 (H.R. 7147)"))
    assert [h.key for h in await find(db, "P.L. 119-86")] == ["119-hr7147"]
    assert {h.key for h in await find(db, "HR7147")} == {"119-hr7147", "OQ-4"}


async def test_cite_by_what_people_type(db: Database) -> None:
    """/cite's lookup reads 'oq4', '4', '7147' and 'P.L. 119-86' as the options do, and says
    what is close when nothing matches."""
    await add(db, "measure", measure(bill_number=7147, public_law="119-86"))
    await add(db, "question", question(key="OQ-4"))
    async with db.session() as session:
        for typed, key in [
            ("oq4", "OQ-4"),
            ("4", "OQ-4"),
            ("7147", "119-hr7147"),
            ("P.L. 119-86", "119-hr7147"),
        ]:
            assert (await find_record(session, SHARED, typed)).key == key, typed
        with pytest.raises(NotFound, match=r"Did you mean “Question OQ-4"):
            await find_record(session, SHARED, "Minneapols")


async def test_a_word_being_typed_is_found_inside_longer_ones(db: Database) -> None:
    """'minn' finds Minneapolis in /search and /cite's suggestions; 'ICE' still stands alone."""
    await add(db, "bodycam", bodycam())
    await add(db, "bodycam", bodycam("El Paso", "TX", component="CBP-USBP", notes="Field office"))
    assert [h.key for h in await find(db, "minn")] == ["minneapolis-mn-ice-ero"]
    assert [c.value for c in await suggested(db, "minn")] == ["bodycam:minneapolis-mn-ice-ero"]
    assert [c.value for c in await suggested(db, "ICE")] == ["bodycam:minneapolis-mn-ice-ero"]


async def test_acronyms_and_loose_ids_are_suggested_as_found(db: Database) -> None:
    """/cite's suggestions read what /search and /cite read: 'HSGAC' offers the question the
    committee asked, 'oq1' and '1' offer OQ-1 first."""
    await add_one_of_each(db)
    await add(
        db,
        "question",
        question(key="OQ-2", asked_by="Senate Homeland Security and Governmental Affairs"),
    )
    assert [c.value for c in await suggested(db, "HSGAC")] == ["question:OQ-2"]
    for typed in ("oq1", "OQ 1", "1"):
        assert (await suggested(db, typed))[0].value == "question:OQ-1", typed


async def test_counts_of_every_kind_in_one_statement(db: Database) -> None:
    """What there is to search, per kind, as the scope sees it."""
    await add_one_of_each(db)
    await add(db, "question", question(key="GQ-1"), scope=GUILD_A)
    async with db.session() as session:
        shared, guild = await counts(session, SHARED), await counts(session, GUILD_A)
    assert shared == {
        "measure": 1,
        "action": 1,
        "funding_line": 1,
        "funding_period": 1,
        "bodycam": 1,
        "question": 1,
        "link": 0,
    }
    assert guild == {**shared, "question": 2}
