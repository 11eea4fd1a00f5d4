"""db.calendar_events: the plan that keeps a guild's scheduled events equal to its next 60 days of
deadlines (soonest first, within Discord's 100), the intent recorded before each Discord call,
and adoption by marker after a crash, so nothing is ever created twice."""

from __future__ import annotations

import datetime as dt

from db.calendar import Deadline
from db.calendar_events import (
    CANCELLING,
    CREATING,
    DESCRIPTION_LIMIT,
    LEASE,
    LOCATION_LIMIT,
    MARKER,
    NAME_LIMIT,
    SCHEDULED,
    EventSpec,
    Operation,
    RemoteEvent,
    begin,
    calendar_status,
    claim,
    event_spec,
    finish,
    guilds_to_sync,
    marker_of,
    next_retry,
    plan,
    reconcile,
    record,
    release,
    set_enabled,
)
from db.engine import Database
from db.models import GuildEvent
from tests.db.records import GUILD_A, TODAY, D, add, change, question

NOW = dt.datetime(2026, 11, 28, 15, 0, tzinfo=dt.UTC)
GUILD = 1  # GUILD_A's id


def spec(uid: str, day: dt.date, name: str = "Report due") -> EventSpec:
    return EventSpec(uid, day, name, f"What is owed.\n\n{MARKER}{uid}", "U.S. Capitol")


def row(
    spec_: EventSpec, event_id: int | None, state: str = SCHEDULED, row_id: int = 1
) -> GuildEvent:
    return GuildEvent(
        id=row_id,
        guild_id=GUILD,
        uid=spec_.uid,
        discord_event_id=event_id,
        day=spec_.day,
        name=spec_.name,
        description_hash=spec_.digest,
        state=state,
        updated_at=NOW,
    )


def ours(event_id: int, uid: str) -> RemoteEvent:
    return RemoteEvent(event_id, f"What is owed.\n\n{MARKER}{uid}", mine=True)


def actions(operations: list[Operation]) -> list[tuple[str, str]]:
    return [(op.action, op.uid) for op in operations]


# ---------------------------------------------------------------- the plan, on its own


def test_the_soonest_fit_beside_other_members_events() -> None:
    """97 events of members leave room for 3: the soonest three deadlines, in date order."""
    others = [RemoteEvent(9000 + n, "Hearing", mine=False) for n in range(97)]
    wanted = [spec(f"question/GQ-{n}", TODAY + dt.timedelta(days=n)) for n in range(1, 6)]
    made = reconcile([], wanted, others)
    assert actions(made.operations) == [("create", f"question/GQ-{n}") for n in (1, 2, 3)]
    assert made.held_back == 2


def test_a_sooner_deadline_pushes_out_the_latest_and_cancels_come_first() -> None:
    """At the limit, a new sooner deadline takes the latest one's place: cancel, then create."""
    others = [RemoteEvent(9000 + n, "Hearing", mine=False) for n in range(98)]
    late = [spec("question/GQ-8", TODAY + dt.timedelta(days=8))]
    later = spec("question/GQ-9", TODAY + dt.timedelta(days=9))
    soon = spec("question/GQ-1", TODAY + dt.timedelta(days=1))
    rows = [row(late[0], 501, row_id=1), row(later, 502, row_id=2)]
    remote = [*others, ours(501, late[0].uid), ours(502, later.uid)]
    made = reconcile(rows, [soon, late[0], later], remote)
    assert actions(made.operations) == [("cancel", "question/GQ-9"), ("create", "question/GQ-1")]
    assert made.operations[0].event_id == 502 and made.held_back == 1


def test_moves_and_text_changes_update_in_place() -> None:
    """A new day sends the times (moved); a new title alone does not; an unchanged row is left."""
    first, second, third = (
        spec(f"question/GQ-{n}", TODAY + dt.timedelta(days=n)) for n in (1, 2, 3)
    )
    rows = [row(first, 501, row_id=1), row(second, 502, row_id=2), row(third, 503, row_id=3)]
    remote = [ours(501, first.uid), ours(502, second.uid), ours(503, third.uid)]
    moved = spec(first.uid, TODAY + dt.timedelta(days=20))
    renamed = spec(second.uid, second.day, name="Report due (revised)")
    made = reconcile(rows, [renamed, third, moved], remote)
    assert [(op.action, op.uid, op.event_id, op.moved) for op in made.operations] == [
        ("update", second.uid, 502, False),
        ("update", first.uid, 501, True),
    ]


def test_a_lost_creation_is_adopted_not_repeated() -> None:
    """The row says 'creating' with no id, and Discord lists an event of ours with its marker:
    it is adopted; a second event of ours with the same marker is removed."""
    wanted = spec("question/GQ-1", TODAY + dt.timedelta(days=1))
    rows = [row(wanted, None, state=CREATING)]
    made = reconcile(rows, [wanted], [ours(601, wanted.uid), ours(602, wanted.uid)])
    assert [(op.action, op.event_id) for op in made.operations] == [("cancel", 602), ("adopt", 601)]
    # A member's event that copies the marker is not ours: the row is created afresh.
    copied = RemoteEvent(603, f"{MARKER}{wanted.uid}", mine=False)
    assert actions(reconcile(rows, [wanted], [copied]).operations) == [("create", wanted.uid)]


def test_unwanted_events_are_cancelled_and_vanished_ones_made_again() -> None:
    gone = spec("question/GQ-1", TODAY + dt.timedelta(days=1))
    deleted = spec("question/GQ-2", TODAY + dt.timedelta(days=2))
    rows = [row(gone, 501, row_id=1), row(deleted, 502, row_id=2)]
    made = reconcile(rows, [deleted], [ours(501, gone.uid)])  # a member deleted 502
    assert actions(made.operations) == [("cancel", gone.uid), ("create", deleted.uid)]


def test_an_event_gone_on_its_own_day_is_not_made_again() -> None:
    """Discord may end an event once its day has begun: today's is left alone, a later one
    that vanished (a member deleted it) is made again."""
    today = spec("question/GQ-1", TODAY)
    later = spec("question/GQ-2", TODAY + dt.timedelta(days=2))
    rows = [row(today, 501, row_id=1), row(later, 502, row_id=2)]
    made = reconcile(rows, [today, later], [], today=TODAY)
    assert actions(made.operations) == [("create", later.uid)]


def test_event_text_stays_within_discords_limits() -> None:
    """Name ≤ 100, description ≤ 1,000 ending in the marker, location 1–100."""
    deadline = Deadline(
        uid="question/GQ-12/3",
        day=TODAY,
        title="GQ-12 report 3 due: " + "a very long question " * 20,
        summary="\n".join(f"Source: outlet {n}: https://example.org/{n}" for n in range(80)),
        location="The Department of Homeland Security " * 5,
        url="https://example.org/best",
        sequence=0,
        uncertain=False,
    )
    made = event_spec(deadline)
    assert len(made.name) <= NAME_LIMIT and made.name.endswith("…")
    assert len(made.description) <= DESCRIPTION_LIMIT
    assert made.description.endswith(f"\n\n{MARKER}question/GQ-12/3")
    assert marker_of(made.description) == "question/GQ-12/3"
    assert 1 <= len(made.location) <= LOCATION_LIMIT
    empty = event_spec(Deadline("funding/x/end", TODAY, "DHS CR expires", "", "  ", None, 0, False))
    assert empty.location == "U.S. Capitol"


# ---------------------------------------------------------------- with the database


async def guild_question(db: Database, key: str, due: dt.date, **over: object) -> None:
    await add(db, "question", question(key=key, due_date=due, **over), scope=GUILD_A)


async def test_the_plan_reads_the_next_60_days_of_real_deadlines(db: Database) -> None:
    """Enabled: the guild's open questions due today to day 59 (not day 60); off: none."""
    await guild_question(db, "GQ-1", TODAY + dt.timedelta(days=3), addressed_to="CBP")
    await guild_question(db, "GQ-2", TODAY + dt.timedelta(days=59))
    await guild_question(db, "GQ-3", TODAY + dt.timedelta(days=60))
    assert (await plan(db, GUILD, today=TODAY, remote=[])).operations == []  # never turned on
    await set_enabled(db, GUILD, True, by=7, now=NOW)
    made = await plan(db, GUILD, today=TODAY, remote=[])
    assert actions(made.operations) == [("create", "question/GQ-1"), ("create", "question/GQ-2")]
    first = made.operations[0].spec
    assert first is not None and first.location == "CBP" and first.name.startswith("GQ-1 due")


async def test_intent_is_recorded_before_the_call_and_adopted_after_a_crash(db: Database) -> None:
    """`begin` commits a 'creating' row before Discord is called. If the process dies before
    `finish`, the next plan finds the created event by its marker and adopts it; if Discord
    never made it, the same row is created again."""
    await guild_question(db, "GQ-1", TODAY + dt.timedelta(days=3))
    await set_enabled(db, GUILD, True, by=7, now=NOW)
    [create] = (await plan(db, GUILD, today=TODAY, remote=[])).operations
    row_id = await begin(db, GUILD, create, NOW)
    status = await calendar_status(db, GUILD)
    assert (status.scheduled, status.pending) == (0, 1)  # the intent, committed

    # ... Discord created event 701 with the description we sent; the process died here.
    assert create.spec is not None
    remote = [RemoteEvent(701, create.spec.description, mine=True)]
    [adopt] = (await plan(db, GUILD, today=TODAY, remote=remote)).operations
    assert (adopt.action, adopt.row_id, adopt.event_id) == ("adopt", row_id, 701)
    await begin(db, GUILD, adopt, NOW)
    assert (await plan(db, GUILD, today=TODAY, remote=remote)).operations == []
    status = await calendar_status(db, GUILD)
    assert (status.scheduled, status.pending, status.next_day) == (1, 0, TODAY + dt.timedelta(3))

    # Had Discord not made it, the plan creates it again under the same row.
    await add(
        db, "question", question(key="GQ-2", due_date=TODAY + dt.timedelta(days=5)), scope=GUILD_A
    )
    [second] = (await plan(db, GUILD, today=TODAY, remote=remote)).operations
    second_row = await begin(db, GUILD, second, NOW)
    [again] = (await plan(db, GUILD, today=TODAY, remote=remote)).operations
    assert (again.action, again.row_id) == ("create", second_row)
    await finish(db, second_row, "create", NOW, 702)
    remote.append(RemoteEvent(702, "edited by a member", mine=True))
    assert (await plan(db, GUILD, today=TODAY, remote=remote)).operations == []


async def test_a_moved_due_date_is_one_update_then_nothing(db: Database) -> None:
    await guild_question(db, "GQ-1", TODAY + dt.timedelta(days=3))
    await set_enabled(db, GUILD, True, by=7, now=NOW)
    [create] = (await plan(db, GUILD, today=TODAY, remote=[])).operations
    row_id = await begin(db, GUILD, create, NOW)
    await finish(db, row_id, "create", NOW, 701)
    remote = [RemoteEvent(701, create.spec.description if create.spec else "", mine=True)]
    await change(db, "question", "GQ-1", {"due_date": TODAY + dt.timedelta(days=9)}, scope=GUILD_A)
    [move] = (await plan(db, GUILD, today=TODAY, remote=remote)).operations
    assert (move.action, move.event_id, move.moved) == ("update", 701, True)
    await begin(db, GUILD, move, NOW)
    # Crashed before Discord answered: the update is sent again, with the same values.
    [repeat] = (await plan(db, GUILD, today=TODAY, remote=remote)).operations
    assert repeat == move
    await finish(db, row_id, "update", NOW)
    assert (await plan(db, GUILD, today=TODAY, remote=remote)).operations == []


async def test_turning_off_cancels_and_a_cancel_survives_a_crash(db: Database) -> None:
    await guild_question(db, "GQ-1", TODAY + dt.timedelta(days=3))
    await set_enabled(db, GUILD, True, by=7, now=NOW)
    [create] = (await plan(db, GUILD, today=TODAY, remote=[])).operations
    row_id = await begin(db, GUILD, create, NOW)
    await finish(db, row_id, "create", NOW, 701)
    remote = [RemoteEvent(701, create.spec.description if create.spec else "", mine=True)]
    await set_enabled(db, GUILD, False, by=7, now=NOW)
    assert await guilds_to_sync(db, NOW) == [GUILD]  # off, but an event is left to remove
    [cancel] = (await plan(db, GUILD, today=TODAY, remote=remote)).operations
    assert (cancel.action, cancel.event_id) == ("cancel", 701)
    await begin(db, GUILD, cancel, NOW)
    async with db.session() as session:
        stored = await session.get(GuildEvent, row_id)
    assert stored is not None and stored.state == CANCELLING
    await finish(db, row_id, "cancel", NOW)
    assert (await plan(db, GUILD, today=TODAY, remote=[])).operations == []
    assert await guilds_to_sync(db, NOW) == []


async def test_one_worker_at_a_time_and_failures_wait(db: Database) -> None:
    """The lease keeps a second worker out until it is released or expires; a failed guild
    waits for its retry time."""
    await set_enabled(db, GUILD, True, by=7, now=NOW)
    assert await claim(db, GUILD, "worker-a", NOW)
    assert not await claim(db, GUILD, "worker-b", NOW)
    assert await claim(db, GUILD, "worker-a", NOW)  # a renewal
    assert await claim(db, GUILD, "worker-b", NOW + LEASE + dt.timedelta(seconds=1))
    await release(db, GUILD, "worker-b")
    assert await claim(db, GUILD, "worker-a", NOW)
    retry_at = NOW + dt.timedelta(minutes=1)
    await record(db, GUILD, NOW, error="Discord answered 503", retry_at=retry_at)
    assert await guilds_to_sync(db, NOW) == []
    assert await next_retry(db, NOW) == retry_at
    assert await guilds_to_sync(db, retry_at) == [GUILD]
    assert await next_retry(db, retry_at) is None  # due now: the round at hand tries it
    status = await calendar_status(db, GUILD)
    assert status.last_error == "Discord answered 503" and status.retry_at == retry_at
    await set_enabled(db, GUILD, True, by=7, now=NOW)  # turning it on again tries at once
    assert await guilds_to_sync(db, NOW) == [GUILD]


async def test_each_guild_plans_its_own_deadlines(db: Database) -> None:
    """Another guild's questions never become this guild's events."""
    await add(db, "question", question(key="GQ-1", due_date=D(2026, 12, 1)), scope=GUILD_A)
    await set_enabled(db, 2, True, by=7, now=NOW)
    assert (await plan(db, 2, today=TODAY, remote=[])).operations == []
