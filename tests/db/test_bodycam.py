"""Tests for db.bodycam: finding a city's records however it is typed, rebuilding them as of a
past date, suggesting cities, and filtered pages of deployments."""

from __future__ import annotations

import pytest

from db.bodycam import (
    camera_funding_of_each,
    city_records,
    counts_by,
    first_recorded,
    known_cities,
    list_bodycams,
    state_code,
    suggest_cities,
)
from db.engine import Database
from db.errors import InvalidInput
from db.models import CameraStatus
from tests.db.records import (
    EDITOR,
    GUILD_A,
    GUILD_B,
    SHARED,
    D,
    add,
    bodycam,
    change,
    funding_line,
    remove,
)

MPLS_ERO = "minneapolis-mn-ice-ero"


async def city(db: Database, text: str, scope=SHARED, as_of=None):
    async with db.session() as session:
        return await city_records(session, scope, text, as_of=as_of)


# ---------------------------------------------------------------- finding a city


async def test_city_lookup_ignores_case_punctuation_and_abbreviations(db: Database) -> None:
    """'St. Paul' is found however the name is typed."""
    await add(db, "bodycam", bodycam("St. Paul", status="partial"))
    for typed in ("st. paul", "SAINT PAUL", "Saint-Paul", "St Paul, mn"):
        result = await city(db, typed)
        found = [(r.city, r.state, r.status) for r in result.records]
        assert found == [("St. Paul", "MN", "partial")], typed
        assert result.suggestions == [], typed


async def test_city_lookup_folds_accents(db: Database) -> None:
    """'San Jose' finds 'San José'."""
    await add(db, "bodycam", bodycam("San José", "CA"))
    result = await city(db, "san jose")
    assert [r.city for r in result.records] == ["San José"]


async def test_a_trailing_state_narrows_a_city_name_found_in_two_states(db: Database) -> None:
    """'Portland, ME' finds Maine's record only; 'Portland' finds both, Maine first."""
    await add(db, "bodycam", bodycam("Portland", "OR", status="full"))
    await add(db, "bodycam", bodycam("Portland", "ME"))
    maine = await city(db, "Portland, ME")
    both = await city(db, "portland")
    assert [r.state for r in maine.records] == ["ME"]
    assert [r.state for r in both.records] == ["ME", "OR"]


async def test_an_unknown_city_suggests_the_nearest_known_one(db: Database) -> None:
    """A typo such as 'Minneapols' finds nothing and suggests 'Minneapolis, MN'."""
    await add(db, "bodycam", bodycam())
    await add(db, "bodycam", bodycam("Chicago", "IL"))
    result = await city(db, "Minneapols")
    assert result.records == []
    assert result.suggestions == ["Minneapolis, MN"]


async def test_a_city_like_no_other_suggests_nothing(db: Database) -> None:
    """A name far from every known city gives no suggestions."""
    await add(db, "bodycam", bodycam())
    result = await city(db, "Albuquerque")
    assert (result.records, result.suggestions) == ([], [])


async def test_a_typo_suggests_same_named_cities_in_every_state(db: Database) -> None:
    """'Portlnd' suggests both Portland, ME and Portland, OR."""
    await add(db, "bodycam", bodycam("Portland", "OR"))
    await add(db, "bodycam", bodycam("Portland", "ME"))
    result = await city(db, "Portlnd")
    assert sorted(result.suggestions) == ["Portland, ME", "Portland, OR"]


async def test_a_city_lists_every_components_record(db: Database) -> None:
    """Minneapolis shows its CBP and ICE records, ordered by component."""
    await add(db, "bodycam", bodycam(component="ICE-ERO", status="full"))
    await add(db, "bodycam", bodycam(component="CBP-USBP", status="announced"))
    result = await city(db, "Minneapolis")
    assert [(r.component, r.status) for r in result.records] == [
        ("CBP-USBP", "announced"),
        ("ICE-ERO", "full"),
    ]


# ---------------------------------------------------------------- as of a past date


async def test_as_of_rebuilds_the_status_of_that_date(db: Database) -> None:
    """Announced in June and fully deployed in September: on August 1 it was 'announced'."""
    await add(db, "bodycam", bodycam(), effective_on=D(2026, 6, 1))
    await change(db, "bodycam", MPLS_ERO, {"status": "full"}, effective_on=D(2026, 9, 15))
    august = await city(db, "Minneapolis", as_of=D(2026, 8, 1))
    september = await city(db, "Minneapolis", as_of=D(2026, 9, 15))
    now = await city(db, "Minneapolis")
    assert [r.status for r in august.records] == [CameraStatus.announced]
    assert [r.status for r in september.records] == [CameraStatus.full]
    assert [r.status for r in now.records] == ["full"]
    assert august.as_of == D(2026, 8, 1)


async def test_as_of_leaves_out_records_created_later(db: Database) -> None:
    """A CBP record created in October is not part of Minneapolis as of August."""
    await add(db, "bodycam", bodycam(), effective_on=D(2026, 6, 1))
    await add(db, "bodycam", bodycam(component="CBP-USBP"), effective_on=D(2026, 10, 1))
    august = await city(db, "Minneapolis", as_of=D(2026, 8, 1))
    assert [r.component for r in august.records] == ["ICE-ERO"]


async def test_as_of_leaves_out_records_deleted_by_then(db: Database) -> None:
    """A record deleted in October is part of the city in September, not in November."""
    await add(db, "bodycam", bodycam(), effective_on=D(2026, 6, 1))
    await remove(db, "bodycam", MPLS_ERO, effective_on=D(2026, 10, 1))
    september = await city(db, "Minneapolis", as_of=D(2026, 9, 1))
    november = await city(db, "Minneapolis", as_of=D(2026, 11, 1))
    assert len(september.records) == 1
    assert november.records == []


async def test_as_of_lists_a_record_once_after_its_key_changed(db: Database) -> None:
    """A record moved from ICE-ERO to ICE-HSI is listed once, as ICE-HSI, as of afterwards."""
    await add(db, "bodycam", bodycam(), effective_on=D(2026, 6, 1))
    await change(db, "bodycam", MPLS_ERO, {"component": "ICE-HSI"}, effective_on=D(2026, 9, 1))
    now = await city(db, "Minneapolis")
    october = await city(db, "Minneapolis", as_of=D(2026, 10, 1))
    assert [r.component for r in now.records] == ["ICE-HSI"]
    assert [r.component for r in october.records] == ["ICE-HSI"]


# ---------------------------------------------------------------- lists and pages


async def _five_records(db: Database) -> None:
    await add(db, "bodycam", bodycam(status="full"))
    await add(db, "bodycam", bodycam(component="CBP-USBP", status="announced"))
    await add(db, "bodycam", bodycam("St. Paul", status="full"))
    await add(db, "bodycam", bodycam("Chicago", "IL", status="suspended"))
    await add(db, "bodycam", bodycam("El Paso", "TX", component="CBP-OFO", status="full"))


async def test_list_filters_by_status(db: Database) -> None:
    """Filtering on 'full' lists only the fully deployed cities."""
    await _five_records(db)
    async with db.session() as session:
        page = await list_bodycams(session, SHARED, status=CameraStatus.full)
    assert [r.key for r in page.records] == [
        "el-paso-tx-cbp-ofo",
        "minneapolis-mn-ice-ero",
        "saint-paul-mn-ice-ero",
    ]
    assert (page.total, page.counts) == (3, {"full": 3})


async def test_list_filters_by_state_in_any_case(db: Database) -> None:
    """Filtering on state 'mn' lists the three Minnesota records."""
    await _five_records(db)
    async with db.session() as session:
        page = await list_bodycams(session, SHARED, state="mn")
    assert {r.state for r in page.records} == {"MN"}
    assert page.total == 3


async def test_list_filters_by_component(db: Database) -> None:
    """Filtering on CBP-USBP lists the one Border Patrol record."""
    await _five_records(db)
    async with db.session() as session:
        page = await list_bodycams(session, SHARED, component="CBP-USBP")
    assert [r.key for r in page.records] == ["minneapolis-mn-cbp-usbp"]


async def test_list_counts_statuses_over_the_filtered_set(db: Database) -> None:
    """Minnesota's counts are two full and one announced, whatever else is on file."""
    await _five_records(db)
    async with db.session() as session:
        page = await list_bodycams(session, SHARED, state="MN")
    assert page.counts == {"full": 2, "announced": 1}


async def test_list_pages_through_every_record_once(db: Database) -> None:
    """25 records at 10 a page: three pages of 10, 10 and 5 (pages are numbered from 0), and
    the status counts cover all 25."""
    statuses = list(CameraStatus)
    for n in range(25):
        await add(db, "bodycam", bodycam(f"Town {n:02}", "TX", status=statuses[n % 7].value))
    async with db.session() as session:
        pages = [await list_bodycams(session, SHARED, page=p, per_page=10) for p in range(3)]
    assert [len(p.records) for p in pages] == [10, 10, 5]
    assert pages[1].pages == 3 and pages[1].total == 25
    assert sum(pages[1].counts.values()) == 25
    cities = [r.city for p in pages for r in p.records]
    assert cities == [f"Town {n:02}" for n in range(25)]


# ---------------------------------------------------------------- scope


async def test_a_guilds_records_are_invisible_elsewhere(db: Database) -> None:
    """An office's own Minneapolis record is seen by no other guild and not by the shared
    dataset, today or as of any date, in lists, city lists or suggestions."""
    await add(db, "bodycam", bodycam(), scope=GUILD_A, effective_on=D(2026, 6, 1))
    async with db.session() as session:
        assert len((await city_records(session, GUILD_A, "Minneapolis")).records) == 1
        for scope in (GUILD_B, SHARED):
            now = await city_records(session, scope, "Minneapolis")
            then = await city_records(session, scope, "Minneapolis", as_of=D(2026, 9, 1))
            assert (now.records, now.suggestions) == ([], [])
            assert (then.records, then.suggestions) == ([], [])
            assert await known_cities(session, scope) == []
            assert await suggest_cities(session, scope, "Minneapols") == []
            page = await list_bodycams(session, scope)
            assert (page.records, page.total, page.counts) == ([], 0, {})


async def test_a_guilds_copy_replaces_the_shared_record_in_that_guild_only(db: Database) -> None:
    """An office that marks Minneapolis 'suspended' sees its copy alone; the shared dataset and
    other offices still see 'full'."""
    await add(db, "bodycam", bodycam(status="full"))
    async with db.session() as session:
        shared_row = (await city_records(session, SHARED, "Minneapolis")).records[0]
    async with db.writer(GUILD_A, EDITOR) as writer:
        copy, created = await writer.edit(shared_row, {"status": "suspended"})
    assert created and copy.guild_id == 1
    async with db.session() as session:
        mine = await city_records(session, GUILD_A, "Minneapolis")
        theirs = await city_records(session, GUILD_B, "Minneapolis")
        shared = await city_records(session, SHARED, "Minneapolis")
        my_list = await list_bodycams(session, GUILD_A)
    assert [(r.guild_id, r.status) for r in mine.records] == [(1, "suspended")]
    assert [(r.guild_id, r.status) for r in theirs.records] == [(None, "full")]
    assert [(r.guild_id, r.status) for r in shared.records] == [(None, "full")]
    assert (my_list.total, my_list.counts) == (1, {"suspended": 1})


# ---------------------------------------------------------------- first records, states, facets


async def test_as_of_before_the_first_record_says_when_it_starts(db: Database) -> None:
    """Asked about May, a city first recorded in June has no records and knows June 1."""
    await add(db, "bodycam", bodycam(), effective_on=D(2026, 6, 1))
    await add(db, "bodycam", bodycam(component="CBP-USBP"), effective_on=D(2026, 8, 1))
    may = await city(db, "Minneapolis", as_of=D(2026, 5, 1))
    july = await city(db, "Minneapolis", as_of=D(2026, 7, 1))
    assert (may.records, may.first_recorded) == ([], D(2026, 6, 1))
    assert july.first_recorded is None  # only asked for when nothing stood on that day


async def test_first_recorded_ignores_longer_names_and_other_states(db: Database) -> None:
    """'Minneapolis' is not 'Minneapolis Heights', and 'Portland, OR' is not Maine's."""
    await add(db, "bodycam", bodycam("Minneapolis Heights"), effective_on=D(2026, 1, 1))
    await add(db, "bodycam", bodycam(), effective_on=D(2026, 6, 1))
    await add(db, "bodycam", bodycam("Portland", "ME"), effective_on=D(2026, 2, 1))
    await add(db, "bodycam", bodycam("Portland", "OR"), effective_on=D(2026, 3, 1))
    async with db.session() as session:
        assert await first_recorded(session, SHARED, "minneapolis") == D(2026, 6, 1)
        assert await first_recorded(session, SHARED, "portland", "OR") == D(2026, 3, 1)
        assert await first_recorded(session, SHARED, "portland") == D(2026, 2, 1)
        assert await first_recorded(session, SHARED, "duluth") is None


async def test_first_recorded_counts_a_guilds_record_in_that_guild_only(db: Database) -> None:
    """An office's own earlier record dates the city for that office alone."""
    await add(db, "bodycam", bodycam(), effective_on=D(2026, 6, 1))
    await add(
        db, "bodycam", bodycam(component="CBP-OFO"), scope=GUILD_A, effective_on=D(2026, 2, 1)
    )
    async with db.session() as session:
        assert await first_recorded(session, GUILD_A, "minneapolis") == D(2026, 2, 1)
        assert await first_recorded(session, GUILD_B, "minneapolis") == D(2026, 6, 1)


@pytest.mark.parametrize(
    ("typed", "code"), [("mn", "MN"), (" tx ", "TX"), ("US", "US"), ("dc", "DC")]
)
async def test_state_codes_are_read_in_any_case(typed: str, code: str) -> None:
    """State codes, DC and US (nationwide) are accepted in any case."""
    assert state_code(typed) == code


@pytest.mark.parametrize("typed", ["ZZ", "M1", "Minnesota", ""])
async def test_anything_but_a_state_code_is_refused(typed: str) -> None:
    """A code that names no state is refused, saying what is accepted."""
    with pytest.raises(InvalidInput, match="use two letters such as MN"):
        state_code(typed)


async def test_counts_by_drops_nothing_and_keeps_the_other_filters(db: Database) -> None:
    """Counts by state among 'full' records, and by status among Minnesota's."""
    await _five_records(db)
    async with db.session() as session:
        states = await counts_by(session, SHARED, "state", status=CameraStatus.full)
        statuses = await counts_by(session, SHARED, "status", state="mn")
        components = await counts_by(session, GUILD_B, "component")
    assert states == {"MN": 2, "TX": 1}
    assert statuses == {"announced": 1, "full": 2}
    assert components == {"CBP-OFO": 1, "CBP-USBP": 1, "ICE-ERO": 3}


async def test_camera_funding_covers_the_components_agency(db: Database) -> None:
    """The ICE-and-CBP camera line funds both agencies; an ICE-only line is not CBP's; a line
    not about cameras is nobody's; 'other' gets every camera line."""
    both = funding_line(component="ICE and CBP", purpose="Body-worn cameras for officers")
    ice = funding_line(component="ICE", purpose="Camera storage", fiscal_year=2026)
    await add(db, "funding_line", both)
    await add(db, "funding_line", ice)
    await add(db, "funding_line", funding_line(component="CBP", purpose="Border wall"))
    async with db.session() as session:
        shared = await camera_funding_of_each(session, SHARED, ["ICE-ERO", "CBP-USBP", "other"])
        for_ice, for_cbp, for_other = shared["ICE-ERO"], shared["CBP-USBP"], shared["other"]
        for_guild = (await camera_funding_of_each(session, GUILD_A, ["CBP-OFO"]))["CBP-OFO"]
    assert [line.purpose for line in for_ice] == [
        "Body-worn cameras for officers",
        "Camera storage",
    ]
    assert [line.purpose for line in for_cbp] == ["Body-worn cameras for officers"]
    assert len(for_other) == 2 and len(for_guild) == 1
