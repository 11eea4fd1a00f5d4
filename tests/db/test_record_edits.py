"""Edits editors make: questions added, answered, updated and closed (db.oversight); sources,
confidence and deletions (db.records); links (db.links); errors named after the options people
typed (db.errors); scope rules for each."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from db.changes import Change, version_of
from db.engine import Database
from db.errors import (
    Duplicate,
    InUse,
    InvalidInput,
    NotFound,
    Problem,
    ScopeError,
    StaleEdit,
    options_named,
    renamed,
)
from db.links import link_records
from db.models import ChangeEvent, RecordLink, Revision, SourceRef, Subscription
from db.oversight import (
    answer_question,
    close_question,
    create_question,
    question_values,
    update_question,
)
from db.records import add_source, delete_record, set_confidence
from db.scope import Scope, find_visible
from db.sources import make_source
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
    measure,
    question,
)

URL = "https://www.example.org/letters/12"
NOW = dt.datetime(2026, 11, 28, 15, 0, tzinfo=dt.UTC)


async def run(db: Database, scope: Scope, action: Any) -> Change:
    """Run one admin tool in its own transaction."""
    async with db.writer(scope, EDITOR) as writer:
        return await action(writer)


async def seen(db: Database, scope: Scope, kind: str, key: str) -> Any:
    async with db.session() as session:
        return await find_visible(session, scope, kind, key)


async def writes(db: Database) -> tuple[int, int]:
    return await count(db, Revision), await count(db, ChangeEvent)


async def shared_question(db: Database) -> str:
    return (await run(db, SHARED, lambda w: create_question(w, question()))).key


# ---------------------------------------------------------------- naming errors


def test_renamed_names_fields_after_options_and_keeps_nested_parts() -> None:
    """sent_date becomes sent, sources.0.url becomes source_url, others are kept."""
    error = InvalidInput(
        [Problem("sent_date", "bad"), Problem("sources.0.url", "worse"), Problem("notes", "x")]
    )
    named = renamed(error, {"sent_date": "sent", "sources": "source_url"})
    assert str(named) == "sent: bad; source_url: worse; notes: x"


def test_options_named_re_raises_with_option_names() -> None:
    """Inside the block, a data-layer error comes out named after the option."""
    with (
        pytest.raises(InvalidInput, match=r"^due: must be a date$"),
        options_named({"due_date": "due"}),
    ):
        raise InvalidInput.one("due_date", "must be a date")


# ---------------------------------------------------------------- sources


def test_a_source_without_outlet_is_named_after_its_site() -> None:
    """https://www.example.org/… is published by example.org unless an outlet is given."""
    assert make_source(URL) == SourceRef(outlet="example.org", url=URL)
    assert make_source(URL, "ICE letter", D(2026, 11, 2)).outlet == "ICE letter"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("url", "outlet", "field"),
    [
        ("ftp://example.org/x", None, "url"),
        ("javascript:alert(1)", None, "url"),
        (URL, "x" * 121, "outlet"),
    ],
)
def test_a_bad_source_names_its_field(url: str, outlet: str | None, field: str) -> None:
    """A non-http(s) address or an overlong outlet is refused, naming the field."""
    with pytest.raises(InvalidInput) as caught:
        make_source(url, outlet)
    assert caught.value.problems[0].field == field


def test_a_publication_date_alone_is_not_a_source() -> None:
    """A date without an address or outlet is refused rather than dropped."""
    with pytest.raises(InvalidInput, match=r"^published: "):
        make_source(None, None, D(2026, 1, 1))


async def test_add_source_appends_and_a_listed_address_writes_nothing(db: Database) -> None:
    """The first add appends the source; the same address again (a trailing slash aside) raises
    Duplicate and writes nothing."""
    key = await shared_question(db)
    change = await run(db, SHARED, lambda w: add_source(w, "question", key, make_source(URL)))
    assert change.outcome == "updated"
    assert change.diff["sources"] == [
        [],
        [{"outlet": "example.org", "url": URL, "published": None}],
    ]
    before = await writes(db)
    with pytest.raises(Duplicate, match="already listed"):
        await run(db, SHARED, lambda w: add_source(w, "question", key, make_source(URL + "/")))
    assert await writes(db) == before


async def test_a_guild_adding_a_source_to_a_shared_record_gets_its_own_copy(db: Database) -> None:
    """The guild sees its copy with the source; the shared record and other guilds do not."""
    await add(db, "bodycam", bodycam())
    key = "minneapolis-mn-ice-ero"
    change = await run(db, GUILD_A, lambda w: add_source(w, "bodycam", key, make_source(URL)))
    assert change.outcome == "copied"
    assert (await seen(db, GUILD_A, "bodycam", key)).sources[0]["url"] == URL
    assert (await seen(db, GUILD_B, "bodycam", key)).sources == []
    assert (await seen(db, SHARED, "bodycam", key)).sources == []


# ---------------------------------------------------------------- questions


async def test_new_questions_take_the_next_id_of_their_scope(db: Database) -> None:
    """Shared questions are OQ-n, a guild's are GQ-n, counted separately."""
    assert await shared_question(db) == "OQ-1"
    guild = await run(db, GUILD_A, lambda w: create_question(w, question()))
    assert (guild.key, guild.outcome, guild.diff["key"]) == ("GQ-1", "created", [None, "GQ-1"])
    assert "notes" not in guild.diff  # empty fields are left out of a new record's summary


def test_question_values_check_options_before_the_text_is_typed() -> None:
    """A due rule without its bill is refused; missing text and names are not (yet) an error."""
    assert question_values({"vehicle": "qfr", "due_date": None}) == {"vehicle": "qfr"}
    with pytest.raises(InvalidInput, match=r"^due_rule_days: "):
        question_values({"due_rule_days": 30})


async def test_answer_appends_a_response_and_sets_the_status(db: Database) -> None:
    """The response is added after earlier ones and the question becomes answered."""
    key = await shared_question(db)
    change = await run(
        db,
        SHARED,
        lambda w: answer_question(
            w, key, summary="ICE says 40 officers.", received_on=D(2026, 11, 20), today=TODAY
        ),
    )
    row = await seen(db, SHARED, "question", key)
    assert row.status == "answered"
    assert row.responses == [
        {"received_on": "2026-11-20", "summary": "ICE says 40 officers.", "source": None}
    ]
    assert change.diff["status"] == ["pending", "answered"]
    assert change.diff["as_of"] == ["2026-11-01", "2026-11-20"]


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"received_on": D(2026, 11, 29)}, "received_on"),
        ({"status": "pending"}, "status"),
        ({"summary": "   "}, "summary"),
        ({"summary": "x" * 2001}, "summary"),
    ],
)
async def test_a_bad_answer_names_its_field_and_writes_nothing(
    db: Database, over: dict[str, Any], field: str
) -> None:
    """A future date, a status that is not an answer, blank or overlong text: refused."""
    key = await shared_question(db)
    before = await writes(db)
    values = {"summary": "Answered.", "received_on": TODAY, "today": TODAY, **over}
    with pytest.raises(InvalidInput) as caught:
        await run(db, SHARED, lambda w: answer_question(w, key, **values))
    assert caught.value.problems[0].field == field
    assert await writes(db) == before


async def test_an_update_that_changes_nothing_writes_nothing(db: Database) -> None:
    """Setting the values a question already has is 'unchanged', with no revision and no copy."""
    key = await shared_question(db)
    before = await writes(db)
    change = await run(db, GUILD_A, lambda w: update_question(w, key, {"vehicle": "letter"}))
    assert (change.outcome, change.diff) == ("unchanged", {})
    assert await writes(db) == before
    assert (await seen(db, GUILD_A, "question", key)).guild_id is None


async def test_update_clears_fields_and_dates_the_record_today(db: Database) -> None:
    """Clearing the component empties it; the as-of date moves to today."""
    key = await shared_question(db)
    change = await run(
        db,
        SHARED,
        lambda w: update_question(w, key, {"status": "acknowledged"}, clear=("component",)),
    )
    assert change.diff == {
        "as_of": ["2026-11-01", "2026-11-28"],
        "component": ["ICE-ERO", None],
        "status": ["pending", "acknowledged"],
    }


async def test_update_refuses_a_field_it_does_not_own(db: Database) -> None:
    """The text and responses are not changed through update."""
    key = await shared_question(db)
    with pytest.raises(InvalidInput, match=r"^responses: "):
        await run(db, SHARED, lambda w: update_question(w, key, {"responses": []}))


async def test_close_accepts_only_closing_statuses(db: Database) -> None:
    """Refused closes a question; pending is not a way to close one."""
    key = await shared_question(db)
    assert (await run(db, SHARED, lambda w: close_question(w, key, "refused"))).changed
    with pytest.raises(InvalidInput, match=r"^status: "):
        await run(db, SHARED, lambda w: close_question(w, key, "pending"))


async def test_an_unknown_question_is_not_found(db: Database) -> None:
    """Answering a question the scope cannot see raises NotFound."""
    await run(db, GUILD_B, lambda w: create_question(w, question()))
    with pytest.raises(NotFound):
        await run(db, GUILD_A, lambda w: close_question(w, "GQ-1", "withdrawn"))


# ---------------------------------------------------------------- confidence


async def test_disputed_needs_a_reason_named_reason(db: Database) -> None:
    """'disputed' without saying what conflicts is refused on the `reason` option."""
    key = await shared_question(db)
    with pytest.raises(InvalidInput, match=r"^reason: "):
        await run(db, SHARED, lambda w: set_confidence(w, "question", key, "disputed", " "))


async def test_confidence_keeps_the_reason_as_note_and_a_new_level_clears_it(
    db: Database,
) -> None:
    """Disputed with a reason stores the note; confirmed without one clears it."""
    key = await shared_question(db)
    await run(db, SHARED, lambda w: set_confidence(w, "question", key, "disputed", "ICE differs"))
    row = await seen(db, SHARED, "question", key)
    assert (row.confidence, row.confidence_note) == ("disputed", "ICE differs")
    change = await run(db, SHARED, lambda w: set_confidence(w, "question", key, "confirmed"))
    assert change.diff["confidence_note"] == ["ICE differs", None]


async def test_an_unknown_level_is_named_level(db: Database) -> None:
    """A level outside confirmed/reported/disputed is refused on `level`."""
    key = await shared_question(db)
    with pytest.raises(InvalidInput, match=r"^level: "):
        await run(db, SHARED, lambda w: set_confidence(w, "question", key, "sure"))


# ---------------------------------------------------------------- links


async def test_a_link_is_one_record_whichever_end_comes_first(db: Database) -> None:
    """Linking A to B creates the link; B to A is then a duplicate and writes nothing."""
    key = await shared_question(db)
    await add(db, "bodycam", bodycam())
    city = ("bodycam", "minneapolis-mn-ice-ero")
    change = await run(db, SHARED, lambda w: link_records(w, ("question", key), city, "same city"))
    assert change.kind == "link" and change.diff["notes"] == [None, "same city"]
    before = await writes(db)
    with pytest.raises(Duplicate, match="already linked"):
        await run(db, GUILD_A, lambda w: link_records(w, city, ("question", key)))
    assert await writes(db) == before


async def test_a_link_to_an_invisible_or_the_same_record_names_the_option(db: Database) -> None:
    """An end the scope cannot see is named (record / other); a record linked to itself too."""
    key = await shared_question(db)
    await run(db, GUILD_B, lambda w: create_question(w, question()))
    with pytest.raises(InvalidInput, match=r"^other: no question 'GQ-1'"):
        await run(db, GUILD_A, lambda w: link_records(w, ("question", key), ("question", "GQ-1")))
    with pytest.raises(InvalidInput, match=r"^other: a record cannot be linked to itself"):
        await run(db, SHARED, lambda w: link_records(w, ("question", key), ("question", key)))


# ---------------------------------------------------------------- deleting


async def test_a_guild_cannot_delete_a_shared_record(db: Database) -> None:
    """The shared question stays and the refusal says who keeps it."""
    key = await shared_question(db)
    before = await writes(db)
    with pytest.raises(ScopeError, match="a server can delete only its own records"):
        await run(db, GUILD_A, lambda w: delete_record(w, "question", key))
    assert await writes(db) == before
    assert await seen(db, SHARED, "question", key) is not None


async def test_deleting_a_guild_copy_shows_the_shared_record_again(db: Database) -> None:
    """The copy goes, a delete revision keeps its fields, and the shared record shows again."""
    key = await shared_question(db)
    await run(db, GUILD_A, lambda w: close_question(w, key, "withdrawn"))
    change = await run(db, GUILD_A, lambda w: delete_record(w, "question", key))
    assert change.shared_shows_again
    assert (await seen(db, GUILD_A, "question", key)).status == "pending"
    async with db.session() as session:
        last = (
            (await session.execute(select(Revision).order_by(Revision.id.desc()))).scalars().first()
        )  # type: ignore[union-attr]
    assert (last.action, last.guild_id, last.actor_id) == ("delete", 1, EDITOR.id)
    assert last.changes["status"] == ["withdrawn", None]


async def test_deleting_a_record_deletes_its_links_and_keeps_the_other_end(db: Database) -> None:
    """A link to a deleted record goes with it (with a revision); the other record stays."""
    await add(db, "bodycam", bodycam())
    key = await shared_question(db)
    city = ("bodycam", "minneapolis-mn-ice-ero")
    await run(db, SHARED, lambda w: link_records(w, ("question", key), city))
    await run(db, SHARED, lambda w: delete_record(w, *city))
    assert await count(db, RecordLink) == 0
    assert await seen(db, SHARED, "question", key) is not None
    async with db.session() as session:
        query = select(Revision.action).where(Revision.record_kind == "link")
        assert list((await session.execute(query)).scalars()) == ["create", "delete"]


async def test_a_bill_other_records_name_is_not_deleted(db: Database) -> None:
    """Deleting a bill with actions is refused, naming them; nothing is written."""
    await add(db, "measure", measure())
    await add(db, "action", action())
    before = await writes(db)
    with pytest.raises(InUse, match=r"119-hr4213 is still named by actions 119-hr4213/"):
        await run(db, SHARED, lambda w: delete_record(w, "measure", "119-hr4213"))
    assert await writes(db) == before


async def test_a_deleted_bill_leaves_due_dates_without_their_rule(db: Database) -> None:
    """A question following a deleted bill keeps its due date; its rule is cleared, so a new
    bill under the same key can never move it."""
    await add(db, "measure", measure(enacted_on=D(2026, 11, 1)))
    asked = await run(
        db,
        SHARED,
        lambda w: create_question(w, question(due_rule_measure_key="119-hr4213", due_rule_days=30)),
    )
    await run(db, SHARED, lambda w: delete_record(w, "measure", "119-hr4213"))
    row = await seen(db, SHARED, "question", asked.key)
    assert (row.due_date, row.due_rule_measure_key, row.due_rule_days) == (
        D(2026, 12, 1),
        None,
        None,
    )
    await add(db, "measure", measure(enacted_on=D(2027, 3, 1)))
    assert (await seen(db, SHARED, "question", asked.key)).due_date == D(2026, 12, 1)


async def test_a_deleted_record_stops_the_channels_following_it_alone(db: Database) -> None:
    """A one-record subscription is retired with the reason, never moved to a new record."""
    await add(db, "bodycam", bodycam())
    async with db.transaction() as session:
        session.add(
            Subscription(
                guild_id=1,
                channel_id=10,
                kind="bodycam",
                record_kind="bodycam",
                record_key="minneapolis-mn-ice-ero",
                created_at=NOW,
            )
        )
    await run(db, SHARED, lambda w: delete_record(w, "bodycam", "minneapolis-mn-ice-ero"))
    async with db.session() as session:
        followed = (await session.execute(select(Subscription))).scalar_one()
    assert followed.state == "failed"
    assert followed.state_reason == "the record was deleted on 2026-11-28"


async def test_a_question_sent_twice_is_recorded_once(db: Database) -> None:
    """The same question again (a retried command) is refused naming its id; a different one is
    added."""
    first = await run(db, GUILD_A, lambda w: create_question(w, question()))
    before = await writes(db)
    with pytest.raises(Duplicate, match=rf"already recorded as {first.key}"):
        await run(db, GUILD_A, lambda w: create_question(w, question()))
    assert await writes(db) == before
    other = await run(db, GUILD_A, lambda w: create_question(w, question(sent_date=D(2026, 11, 2))))
    assert other.key != first.key


async def test_a_delete_against_a_stale_version_deletes_nothing(db: Database) -> None:
    """The record changed after the confirmation was shown: nothing is deleted."""
    await add(db, "bodycam", bodycam())
    key = "minneapolis-mn-ice-ero"
    async with db.session() as session:
        shown = await version_of(session, await seen(db, SHARED, "bodycam", key))
    await run(db, SHARED, lambda w: w.change("bodycam", key, {"status": "full"}))
    with pytest.raises(StaleEdit, match="changed after you read it"):
        await run(db, SHARED, lambda w: delete_record(w, "bodycam", key, expected_version=shown))
    assert await seen(db, SHARED, "bodycam", key) is not None
