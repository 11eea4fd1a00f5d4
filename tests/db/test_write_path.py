"""Tests for the write path as editors use it (Writer.save/change, db.sources, bills in
db.appropriations): find the record named, change only what was given, stamp as-of and sources only
with a real change, report old → new as the writer's scope saw it."""

from __future__ import annotations

import pytest

from db.appropriations import (
    BillNumber,
    current_congress,
    find_line,
    line_key,
    lookup_bill,
    parse_bill_number,
    period_key,
    record_action,
)
from db.engine import Database
from db.errors import InvalidInput, NotFound
from db.models import BillType, Revision, SourceRef
from db.oversight import add_question
from db.scope import find_visible
from db.sources import make_source, with_source
from tests.db.records import (
    EDITOR,
    GUILD_A,
    GUILD_B,
    SHARED,
    TODAY,
    D,
    action,
    add,
    bodycam,
    count,
    funding_line,
    measure,
    question,
)

KEY = "minneapolis-mn-ice-ero"


# ---------------------------------------------------------------- pure helpers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("H.R. 7147", BillNumber(BillType.hr, 7147)),
        ("hr7147", BillNumber(BillType.hr, 7147)),
        ("S 12", BillNumber(BillType.s, 12)),
        ("H.J.Res. 5", BillNumber(BillType.hjres, 5)),
        ("s.j.res.3", BillNumber(BillType.sjres, 3)),
        ("120-hr5", BillNumber(BillType.hr, 5, 120)),
        ("banana", None),
        ("H.R.", None),
        ("H.Res. 5", BillNumber(BillType.hres, 5)),
        ("S. Con. Res. 14", BillNumber(BillType.sconres, 14)),
        ("hconres14", BillNumber(BillType.hconres, 14)),
        ("S.Res.9", BillNumber(BillType.sres, 9)),
        ("House Joint Resolution 5", BillNumber(BillType.hjres, 5)),
        ("Senate bill 12", BillNumber(BillType.s, 12)),
        ("119th Congress H.R. 7147", BillNumber(BillType.hr, 7147, 119)),
        ("119 hr 7147", BillNumber(BillType.hr, 7147, 119)),
        (
            "https://www.congress.gov/bill/118th-congress/house-joint-resolution/5/actions",
            BillNumber(BillType.hjres, 5, 118),
        ),
        ("7147", None),
        ("0-hr5", None),
    ],
)
def test_bill_numbers_are_read_as_people_write_them(text: str, expected: BillNumber | None) -> None:
    """Every bill type in every spelling people type, keys like '120-hr5' and Congress.gov
    addresses are bill numbers; prose and bare numbers are not."""
    assert parse_bill_number(text) == expected


def test_the_current_congress_changes_on_january_3_of_odd_years() -> None:
    """The 119th sits through 2026 and until January 3, 2027; then the 120th."""
    assert current_congress(TODAY) == 119
    assert current_congress(D(2027, 1, 2)) == 119
    assert current_congress(D(2027, 1, 3)) == 120


def test_a_source_outlet_defaults_to_the_site_name() -> None:
    """Only an address given: the outlet is its host, without www."""
    source = make_source("https://www.startribune.com/ice-cameras", None)
    assert source == SourceRef(
        outlet="startribune.com", url="https://www.startribune.com/ice-cameras"
    )


def test_an_address_without_a_readable_host_is_its_own_outlet() -> None:
    """'http://[' has no host name to show: the outlet is the address itself."""
    assert make_source("http://[", None) == SourceRef(outlet="http://[", url="http://[")


def test_a_bad_source_address_is_refused_naming_the_address() -> None:
    """A non-http address is refused as `url` (commands rename it after their option)."""
    with pytest.raises(InvalidInput) as caught:
        make_source("ftp://example.com/x", None)
    assert str(caught.value).startswith("url: must be an http:// or https:// address")


def test_a_source_already_listed_is_not_added_twice() -> None:
    """The same address (or the same outlet without an address) is not listed again."""
    listed = [{"outlet": "AP", "url": None, "published": None}]
    assert with_source(listed, SourceRef(outlet="ap")) == listed
    added = with_source(listed, SourceRef(outlet="AP", url="https://apnews.com/x"))
    assert len(added) == 2
    same = [{"outlet": "AP", "url": "https://apnews.com/x", "published": None}]
    for spelling in ("HTTPS://www.APNEWS.com/x/", "https://apnews.com/x#top"):
        assert with_source(same, SourceRef(outlet="Other", url=spelling)) == same


def test_an_unknown_period_type_is_refused_by_name() -> None:
    """A period type other than funded or lapse is an InvalidInput naming period_type."""
    assert period_key(2027, "lapse", D(2026, 10, 1)) == "fy2027-lapse-2026-10-01"
    with pytest.raises(InvalidInput, match="period_type: must be funded or lapse"):
        period_key(2027, "paused", D(2026, 10, 1))


# ---------------------------------------------------------------- save


async def test_save_creates_a_record_with_the_stamp_and_source(db: Database) -> None:
    """A key nobody has yet is created with the as-of stamp and the source."""
    async with db.writer(GUILD_A, EDITOR) as writer:
        values = {k: v for k, v in bodycam().items() if k != "as_of"}
        saved = await writer.save(
            "bodycam", key=KEY, values=values, also={"as_of": TODAY}, source=SourceRef(outlet="AP")
        )
    assert (saved.outcome, saved.row.guild_id) == ("created", 1)
    assert saved.after["as_of"] == TODAY.isoformat()
    assert saved.diff["sources"] == [None, [{"outlet": "AP", "url": None, "published": None}]]


async def test_save_changes_only_the_given_fields(db: Database) -> None:
    """An update reports old → new for exactly the fields that changed, plus the stamp."""
    await add(db, "bodycam", bodycam(officers_equipped=10, notes="kept"), scope=GUILD_A)
    async with db.writer(GUILD_A, EDITOR) as writer:
        saved = await writer.save(
            "bodycam",
            key=KEY,
            values={"city": "minneapolis", "state": "MN", "component": "ICE-ERO", "status": "full"},
            also={"as_of": TODAY},
            identity=("city", "state", "component"),
        )
    assert saved.outcome == "updated"
    assert saved.diff == {
        "status": ["announced", "full"],
        "as_of": ["2026-11-01", "2026-11-28"],
    }
    assert (saved.row.city, saved.row.officers_equipped, saved.row.notes) == (
        "Minneapolis",
        10,
        "kept",
    )


async def test_save_with_nothing_new_writes_nothing(db: Database) -> None:
    """Repeating the values (and a source already listed) changes nothing, not even as-of."""
    await add(db, "bodycam", bodycam(sources=[{"outlet": "AP"}]), scope=GUILD_A)
    before = await count(db, Revision)
    async with db.writer(GUILD_A, EDITOR) as writer:
        saved = await writer.save(
            "bodycam",
            key=KEY,
            values={"status": "announced"},
            also={"as_of": TODAY},
            source=SourceRef(outlet="AP"),
        )
    assert (saved.outcome, saved.diff) == ("unchanged", {})
    assert await count(db, Revision) == before


async def test_a_guild_saving_a_shared_record_gets_its_own_copy(db: Database) -> None:
    """The guild's copy changes; the shared record and other guilds are untouched."""
    await add(db, "bodycam", bodycam())
    async with db.writer(GUILD_A, EDITOR) as writer:
        saved = await writer.save("bodycam", key=KEY, values={"status": "suspended"})
    assert (saved.outcome, saved.row.guild_id, saved.diff) == (
        "copied",
        1,
        {"status": ["announced", "suspended"]},
    )
    async with db.session() as session:
        assert (await find_visible(session, GUILD_B, "bodycam", KEY)).status == "announced"
        assert (await find_visible(session, SHARED, "bodycam", KEY)).status == "announced"


# ---------------------------------------------------------------- bills


async def test_a_typed_number_finds_the_latest_congress_bill(db: Database) -> None:
    """'H.R. 4213' finds the 119th Congress's bill when only it has that number."""
    await add(db, "measure", measure())
    async with db.session() as session:
        found = await lookup_bill(session, GUILD_A, "H.R. 4213", congress=None, today=TODAY)
    assert (found.key, found.measure.key) == ("119-hr4213", "119-hr4213")


async def test_a_new_bill_number_goes_to_the_current_congress(db: Database) -> None:
    """An unrecorded 'H.J.Res. 5' is 119-hjres5; '120-hr5' names its Congress."""
    async with db.session() as session:
        new = await lookup_bill(session, SHARED, "H.J.Res. 5", congress=None, today=TODAY)
        later = await lookup_bill(session, SHARED, "120-hr5", congress=None, today=TODAY)
        prose = await lookup_bill(session, SHARED, "the DHS bill", congress=None, today=TODAY)
    assert (new.key, new.measure, new.number) == ("119-hjres5", None, BillNumber(BillType.hjres, 5))
    assert later.key == "120-hr5"
    assert prose.key is None


# ---------------------------------------------------------------- actions


async def test_an_enactment_reports_the_stage_and_due_dates_it_moved(db: Database) -> None:
    """Signing 119-hr4213 enacts it and gives the question that follows it a due date."""
    await add(db, "measure", measure())
    async with db.writer(SHARED, EDITOR) as writer:
        asked = await add_question(
            writer, question(due_rule_measure_key="119-hr4213", due_rule_days=30)
        )
    async with db.writer(SHARED, EDITOR) as writer:
        result = await record_action(
            writer,
            action(action_date=D(2026, 11, 20), chamber="president", stage_after="enacted"),
        )
    assert result.measure.outcome == "updated"
    assert result.measure.diff == {
        "stage": ["introduced", "enacted"],
        "enacted_on": [None, "2026-11-20"],
    }
    assert result.due_dates == [(asked.key, None, "2026-12-20")]


async def test_an_action_in_a_guild_reports_its_copy_of_the_bill(db: Database) -> None:
    """A guild advancing a shared bill gets its own copy; the outcome says 'copied'."""
    await add(db, "measure", measure())
    async with db.writer(GUILD_A, EDITOR) as writer:
        result = await record_action(writer, action(stage_after="committee_reported"))
    assert (result.measure.outcome, result.measure.row.guild_id) == ("copied", 1)


async def test_an_action_on_an_unknown_bill_is_not_found(db: Database) -> None:
    """No measure under that key: NotFound, nothing written."""
    with pytest.raises(NotFound):
        async with db.writer(SHARED, EDITOR) as writer:
            await record_action(writer, action("119-hr1"))
    assert await count(db, Revision) == 0


# ---------------------------------------------------------------- funding lines


async def test_a_line_is_found_by_its_account_when_it_is_the_only_one(db: Database) -> None:
    """No purpose given: the only FY line of that component and account is the one."""
    row = await add(db, "funding_line", funding_line())
    async with db.session() as session:
        found = await find_line(
            session,
            GUILD_A,
            fiscal_year=2027,
            component="ice-ero",
            account="operations and support",
            purpose=None,
        )
    assert found is not None and found.key == row.key
    assert row.key == line_key(2027, "ICE-ERO", "Operations and Support", "Body-worn cameras")


async def test_several_lines_in_one_account_need_the_purpose(db: Database) -> None:
    """Two purposes in one account: the error names 'purpose' and lists them."""
    await add(db, "funding_line", funding_line())
    await add(db, "funding_line", funding_line(purpose="Detention beds"))
    async with db.session() as session:
        with pytest.raises(InvalidInput, match=r"purpose: .*Body-worn cameras; Detention beds"):
            await find_line(
                session,
                SHARED,
                fiscal_year=2027,
                component="ICE-ERO",
                account="Operations and Support",
                purpose=None,
            )


async def test_an_unknown_line_is_none(db: Database) -> None:
    """Nothing matches: None (the command creates the line)."""
    async with db.session() as session:
        found = await find_line(
            session, SHARED, fiscal_year=2027, component="CBP", account="Procurement", purpose=None
        )
    assert found is None


async def test_control_characters_in_typed_names_are_dropped(db: Database) -> None:
    """A NUL typed into a bill or a line's names is ignored, never sent to the database
    (PostgreSQL refuses NUL in a query)."""
    await add(db, "measure", measure())
    await add(db, "funding_line", funding_line(purpose=None))
    async with db.session() as session:
        bill = await lookup_bill(session, SHARED, "hr\x004213", congress=None, today=TODAY)
        line = await find_line(
            session,
            SHARED,
            fiscal_year=2027,
            component="ICE\x00-ERO",
            account="Operations\x00 and Support",
            purpose=None,
        )
    assert bill.key == "119-hr4213"
    assert line is not None
