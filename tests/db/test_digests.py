"""Digest schedules and their content, on SQLite and PostgreSQL: set/replace/off, the office's
time zone, what is due, one catch-up after downtime, and what a digest reports."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.render.common import embed_text_length
from bot.render.digest import digest_embeds
from db.clock import FixedClock
from db.digests import (
    advance,
    build_digest,
    build_digests,
    due_digests,
    get_digest,
    remove_digest,
    set_digest,
)
from db.engine import Database
from db.oversight import add_question
from db.schedules import ScheduleError
from db.scope import Actor, Scope
from db.seed import load_seed

UTC = dt.UTC
NOW = dt.datetime(2026, 11, 28, 15, 0, tzinfo=UTC)
GUILD, OTHER = 111, 222
CHANNEL = 900


def bodycam(city: str, **over: object) -> dict[str, object]:
    values = {"city": city, "state": "MN", "component": "ICE-ERO", "status": "partial",
              "as_of": "2026-11-20"}  # fmt: skip
    return {**values, **over}


async def test_set_replace_and_off(db: Database) -> None:
    row = await set_digest(db, GUILD, CHANNEL, "daily 9:00", "America/New_York",
                           created_by=7, now=NOW)  # fmt: skip
    assert row.description == "every day at 9:00 AM (America/New_York)"
    assert row.last_run_at == NOW and not row.post_empty
    again = await set_digest(db, GUILD, CHANNEL, "weekdays 8:30", "america/chicago",
                             created_by=8, now=NOW, post_empty=True)  # fmt: skip
    assert again.id == row.id
    stored = await get_digest(db, CHANNEL)
    assert stored is not None and stored.timezone == "America/Chicago"
    assert stored.description == "weekdays at 8:30 AM (America/Chicago)" and stored.post_empty
    assert await remove_digest(db, CHANNEL)
    assert await get_digest(db, CHANNEL) is None
    assert not await remove_digest(db, CHANNEL)


async def test_a_bad_schedule_is_refused_with_examples(db: Database) -> None:
    with pytest.raises(ScheduleError, match="daily 9:00"):
        await set_digest(db, GUILD, CHANNEL, "whenever", "America/New_York",
                         created_by=7, now=NOW)  # fmt: skip
    assert await get_digest(db, CHANNEL) is None


async def test_next_run_is_in_the_office_zone(db: Database) -> None:
    row = await set_digest(db, GUILD, CHANNEL, "daily 9:00", "America/New_York",
                           created_by=7, now=NOW)  # fmt: skip
    assert row.next_run_at == dt.datetime(2026, 11, 29, 14, 0, tzinfo=UTC)
    assert (await get_digest(db, CHANNEL)).next_run_at == row.next_run_at  # type: ignore[union-attr]


async def test_due_digests(db: Database) -> None:
    await set_digest(db, GUILD, CHANNEL, "daily 9:00", "America/New_York", created_by=7, now=NOW)
    await set_digest(db, GUILD, CHANNEL + 1, "daily 18:00", "America/New_York",
                     created_by=7, now=NOW)  # fmt: skip
    assert await due_digests(db, NOW) == []
    evening = dt.datetime(2026, 11, 28, 23, 0, tzinfo=UTC)  # 18:00 New York
    assert [d.channel_id for d in await due_digests(db, evening)] == [CHANNEL + 1]
    at_nine = dt.datetime(2026, 11, 29, 14, 0, tzinfo=UTC)
    assert [d.channel_id for d in await due_digests(db, at_nine)] == [CHANNEL + 1, CHANNEL]


async def test_advance_after_downtime_gives_one_catch_up(db: Database) -> None:
    row = await set_digest(db, GUILD, CHANNEL, "daily 9:00", "America/New_York",
                           created_by=7, now=NOW)  # fmt: skip
    back = dt.datetime(2026, 12, 2, 16, 30, tzinfo=UTC)  # three missed 9:00 slots
    assert [d.id for d in await due_digests(db, back)] == [row.id]
    assert await advance(db, [row.id, 999_999], back) == 1  # type: ignore[list-item]
    advanced = await get_digest(db, row.channel_id)
    assert advanced is not None and advanced.last_run_at == back
    assert advanced.next_run_at == dt.datetime(2026, 12, 3, 14, 0, tzinfo=UTC)
    assert await due_digests(db, back) == []
    assert await advance(db, [], back) == 0


async def test_digest_has_the_changes_after_since_only(db: Database, clock: FixedClock) -> None:
    async with db.writer(Scope.guild(GUILD), Actor("before", 1)) as writer:
        await writer.create("bodycam", bodycam("Duluth"))
    since = clock.now()
    clock.advance(dt.timedelta(hours=1))
    async with db.writer(Scope.guild(GUILD), Actor("editor", 1)) as writer:
        await writer.create("bodycam", bodycam("Moorhead"))
    async with db.writer(Scope.shared(), Actor("owner", 2)) as writer:
        await writer.create("bodycam", bodycam("Fargo", state="ND"))
    async with db.writer(Scope.guild(OTHER), Actor("elsewhere", 3)) as writer:
        await writer.create("bodycam", bodycam("Bemidji"))
    clock.advance(dt.timedelta(hours=1))
    digest = await build_digest(db, GUILD, since=since, now=clock.now())
    assert digest.change_count == 2
    assert [(c.record_key, c.actor_name, c.shared) for c in digest.changes] == [
        ("fargo-nd-ice-ero", "owner", True),
        ("moorhead-mn-ice-ero", "editor", False),
    ]  # newest first; the other guild's change and the one before `since` are left out
    assert not digest.is_empty and digest.stale == []
    quiet = await build_digest(db, GUILD, since=clock.now(), now=clock.now())
    assert quiet.change_count == 0 and quiet.is_empty
    # Built together (as the scheduler does), each digest keeps its own guild and window.
    windows = [(GUILD, since), (OTHER, since), (GUILD, clock.now())]
    together = await build_digests(db, windows, now=clock.now())
    assert [(d.guild_id, d.change_count) for d in together] == [(GUILD, 2), (OTHER, 2), (GUILD, 0)]
    assert {c.record_key for c in together[1].changes} == {"fargo-nd-ice-ero", "bemidji-mn-ice-ero"}


async def test_digest_of_the_starter_data(db: Database) -> None:
    await load_seed(db)
    now = NOW + dt.timedelta(minutes=1)
    digest = await build_digest(db, GUILD, since=NOW, now=now)
    assert digest.change_count == 0
    # OQ-4 and OQ-7 follow H.R. 7147, whose enacted content is disputed: deadline uncertain;
    # OQ-5's July 1 is a trigger, not a deadline: nothing is overdue
    assert digest.overdue == [] and digest.overdue_count == 0
    assert [q.key for q in digest.uncertain] == ["OQ-4", "OQ-7"]
    assert digest.uncertain_count == 2
    # no FY2027 records in the starter data: the latest year with records, and it says so
    assert digest.funding is not None and digest.funding.requested_year == 2027
    stale = {s.kind: s for s in digest.stale}
    assert stale["bodycam"].count == 10 and len(stale["bodycam"].oldest) == 3
    assert stale["bodycam"].oldest[0].as_of == dt.date(2023, 5, 23)
    assert not digest.is_empty
    [embed] = digest_embeds(digest)
    assert embed_text_length(embed) <= 6000
    names = [f.name for f in embed.fields]
    assert not any("Overdue" in name for name in names) and "Funding" in names
    uncertain = next(f.value or "" for f in embed.fields if f.name.startswith("⚠️ Deadline"))
    assert "OQ-4" in uncertain and "deadline uncertain (basis disputed)" in uncertain
    assert "OQ-7" in uncertain and "(quarterly)" in uncertain  # a recurring duty says so
    assert "days late" not in uncertain
    funding = next(f.value for f in embed.fields if f.name == "Funding")
    assert funding is not None and funding.startswith("No FY2027 records yet")
    # a long stale window leaves nothing stale
    fresh = await build_digest(db, GUILD, since=NOW, now=now, stale_days=100_000)
    assert fresh.stale == []


async def test_many_changes_stay_within_discord_limits(db: Database, clock: FixedClock) -> None:
    since = clock.now()
    clock.advance(dt.timedelta(minutes=1))
    async with db.writer(Scope.guild(GUILD), Actor("x" * 100, 1)) as writer:
        for n in range(120):
            await writer.create("bodycam", bodycam(f"Town {n} " + "y" * 80))
    digest = await build_digest(db, GUILD, since=since, now=clock.now())
    assert digest.change_count == 120 and len(digest.changes) == 50
    [embed] = digest_embeds(digest)
    assert embed_text_length(embed) <= 6000
    [changes] = [f for f in embed.fields if f.name == "Changes (120)"]
    assert len(changes.value or "") <= 1024 and (changes.value or "").endswith("more")


async def test_guilds_with_own_records_get_their_own_picture_and_others_the_shared_one(
    db: Database,
) -> None:
    """Built together: the guild with its own overdue question and its own stale camera record
    sees them counted with the shared ones; the guild with none sees exactly the shared picture,
    the same as a digest built for it alone."""
    await load_seed(db)
    async with db.writer(Scope.guild(GUILD), Actor("editor", 1)) as writer:
        await add_question(
            writer,
            {"question": "When will ICE answer our letter?", "asked_by": "Rep. Example",
             "addressed_to": "ICE", "component": "ICE-ERO", "sent_date": "2026-09-01",
             "due_date": "2026-10-01", "as_of": "2026-09-01"},
        )  # fmt: skip
        await writer.create("bodycam", bodycam("Duluth", as_of="2025-01-02"))
    now = NOW + dt.timedelta(minutes=1)
    mine, other = await build_digests(db, [(GUILD, NOW), (OTHER, NOW)], now=now)
    alone = await build_digest(db, OTHER, since=NOW, now=now)
    assert mine.overdue_count == other.overdue_count + 1
    assert "GQ-1" in [q.key for q in mine.overdue] and "GQ-1" not in [q.key for q in other.overdue]
    cameras = {s.kind: s.count for s in mine.stale}["bodycam"]
    assert cameras == {s.kind: s.count for s in other.stale}["bodycam"] + 1
    assert (other.overdue_count, other.stale, other.funding) == (
        alone.overdue_count,
        alone.stale,
        alone.funding,
    )
    assert mine.funding is not None and mine.funding == other.funding  # no own funding records


async def test_windows_of_one_guild_share_the_newest_changes_and_big_counts_stop(
    db: Database, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """60 changes, then 3 more: the long window sees 63 (more than the 50 kept: counted), the
    short one exactly its 3, each newest first; past CHANGES_COUNTED the count says '+'."""
    start = clock.now()
    clock.advance(dt.timedelta(minutes=1))
    async with db.writer(Scope.guild(GUILD), Actor("editor", 1)) as writer:
        for n in range(60):
            await writer.create("bodycam", bodycam(f"Town {n:02}"))
    clock.advance(dt.timedelta(minutes=5))
    middle = clock.now()
    clock.advance(dt.timedelta(minutes=5))
    async with db.writer(Scope.guild(GUILD), Actor("editor", 1)) as writer:
        for n in range(60, 63):
            await writer.create("bodycam", bodycam(f"Town {n:02}"))
    now = clock.now() + dt.timedelta(minutes=1)
    long, short = await build_digests(db, [(GUILD, start), (GUILD, middle)], now=now)
    assert (long.change_count, long.more_changes, len(long.changes)) == (63, False, 50)
    assert [c.record_key for c in short.changes] == [
        "town-62-mn-ice-ero",
        "town-61-mn-ice-ero",
        "town-60-mn-ice-ero",
    ]
    assert (short.change_count, short.more_changes) == (3, False)
    monkeypatch.setattr("db.digests.CHANGES_COUNTED", 55)
    [capped] = await build_digests(db, [(GUILD, start)], now=now)
    assert (capped.change_count, capped.more_changes) == (55, True)
    [embed] = digest_embeds(capped)
    assert "55+ changes" in (embed.description or "")
    listed = embed.fields[0].value or ""
    shown = listed.count("• ")
    assert listed.endswith(f"… and {55 - shown}+ more")


async def test_the_starter_load_is_not_news_and_changes_read_by_label(
    db: Database, clock: FixedClock
) -> None:
    """`db seed` inside the window counts as no change; an editor's change afterwards is listed
    by the record's label, the field's name and words, and the editor as a mention."""
    since = clock.now()
    clock.advance(dt.timedelta(minutes=1))
    await load_seed(db)
    seeded = await build_digest(db, GUILD, since=since, now=clock.now())
    assert seeded.change_count == 0 and seeded.changes == []
    async with db.writer(Scope.shared(), Actor("alice", 4242)) as writer:
        await writer.change("bodycam", "minneapolis-mn-ice-ero", {"status": "suspended"})
    clock.advance(dt.timedelta(minutes=1))
    digest = await build_digest(db, GUILD, since=since, now=clock.now())
    assert digest.change_count == 1
    [change] = digest.changes
    assert change.label == "Minneapolis, MN · ICE-ERO" and change.actor_id == 4242
    [embed] = digest_embeds(digest)
    [listed] = [f.value or "" for f in embed.fields if f.name == "Changes (1)"]
    assert listed.endswith(
        "**Minneapolis, MN · ICE-ERO**: Status: Full → Suspended · by <@4242> · shared"
    )
    assert "minneapolis-mn-ice-ero" not in listed
    [stale] = [f.value or "" for f in embed.fields if (f.name or "").startswith("🕰️")]
    assert "Nationwide, US · CBP-OFO (" in stale and "nationwide-us-cbp-ofo" not in stale
