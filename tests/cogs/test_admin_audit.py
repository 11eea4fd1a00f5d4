"""/admin history and /admin undo end to end through the fake Discord: revisions page by page,
undo as a new revision, refusals with reasons, scopes, owners, viewers, and random input."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event

from bot.client import OversightBot
from bot.config import Settings
from bot.render.common import embed_text_length
from bot.render.history import history_page, revision_label
from db.changes import plain_values
from db.dates import discord_timestamp
from db.engine import Database
from db.history import history
from db.models import Revision
from db.scope import Actor, Scope, find_visible
from fakediscord import FakeDiscord
from tests.cogs.admin_support import revision_count, with_owner
from tests.conftest import NOW, Office, running
from tests.support.replies import fields

Json = dict[str, Any]
KEY = "minneapolis-mn-ice-ero"
RECORD = f"bodycam:{KEY}"
ALICE = Actor("alice (4242)", 4242)
HIDDEN = {"suppress_health_check": [HealthCheck.function_scoped_fixture]}


async def revisions_of(database: Database, scope: Scope, key: str = KEY) -> list[Revision]:
    async with database.session() as session:
        return await history(session, scope, "bodycam", key)


async def seen(database: Database, scope: Scope, key: str = KEY) -> Json | None:
    async with database.session() as session:
        row = await find_visible(session, scope, "bodycam", key)
        return None if row is None else plain_values(row) | {"guild_id": row.guild_id}


async def guild_edit(database: Database, guild_id: int, changes: Json, key: str = KEY) -> None:
    """An editor of the guild changes the bodycam it sees (its own copy on the first change)."""
    async with database.writer(Scope.guild(guild_id), ALICE) as writer:
        await writer.change("bodycam", key, changes)


# ---------------------------------------------------------------- /admin history


async def test_history_shows_revisions_newest_first_with_diffs_who_and_when(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """Minneapolis' shared record: the seed's update (none_known → full, effective Feb 2) above
    its creation, each with its number, who, when and the effective date; private."""
    reply = await fake.slash("admin history", record=RECORD, user=office.admin)
    assert reply.ephemeral
    shared = await revisions_of(bot.database, Scope.shared())
    newest = shared[-1]
    first = reply.embeds[0]
    assert first["title"] == f"#{newest.id} · Updated · Minneapolis, MN · ICE-ERO"
    assert "**Status**: None known → Full" in first["description"]
    facts = fields(first)
    assert facts["By"] == "seed"
    assert facts["When"].startswith(discord_timestamp(newest.recorded_at, "f"))
    assert facts["Effective"] == discord_timestamp(dt.date(2026, 2, 2), "D")
    assert facts["Reason"] == "starter dataset"
    assert "shared" in facts["Dataset"]
    assert first["author"]["name"] == (
        f"History of Minneapolis, MN · ICE-ERO · {len(shared)} revisions"
    )
    assert reply.embeds[-1]["title"].startswith(f"#{shared[0].id} · Created")


async def test_history_in_a_guild_includes_its_own_copy(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """After the office's own change, its history starts with the copy's creation by alice,
    not marked as shared."""
    await guild_edit(bot.database, office.guild.id, {"status": "partial"})
    reply = await fake.slash("admin history", record=RECORD, user=office.admin)
    top = reply.embeds[0]
    assert " · Created · " in top["title"] and "bodycam" not in top["title"]
    assert fields(top)["By"] == "<@4242>"
    assert "Dataset" not in fields(top)


async def test_history_shows_mentions_as_typed_without_pinging(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """A note with @everyone and a role mention appears as typed but broken, so it cannot
    ping."""
    await guild_edit(bot.database, office.guild.id, {"notes": "@everyone ask <@&55>"})
    reply = await fake.slash("admin history", record=RECORD, user=office.admin)
    assert "**Notes**: “@\u200beveryone ask <\u200b@\u200b&55>”" in reply.embeds[0]["description"]


async def test_a_long_history_is_paged_and_the_pages_turn(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """Ten changes by the office and two shared revisions: three pages of four, newest first,
    turned with Next."""
    for count in range(1, 11):
        await guild_edit(bot.database, office.guild.id, {"officers_equipped": count})
    reply = await fake.slash("admin history", record=RECORD, user=office.admin)
    assert len(reply.embeds) == 4
    assert "**Officers equipped**: 9 → 10" in reply.embeds[0]["description"]
    assert "page 1 of 3" in reply.embeds[-1]["footer"]["text"]
    turned = await fake.click(reply, "page:next", user=office.admin)
    assert "**Officers equipped**: 5 → 6" in turned.embeds[0]["description"]


async def test_history_for_a_viewer_is_refused(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """A staffer without Manage Server (who sees /admin through an override) is refused
    privately."""
    reply = await fake.slash("admin history", record=RECORD, user=office.staffer)
    assert reply.ephemeral and reply.content.startswith("Only editors can change records")
    assert not reply.embeds


async def test_history_of_an_unknown_record_says_so(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """A record that does not exist: a private 'No record' naming what to type."""
    reply = await fake.slash("admin history", record="no-such-place", user=office.admin)
    assert reply.ephemeral and reply.content.startswith("No record 'no-such-place'")


async def test_a_guild_never_sees_another_guilds_history(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """Another office's copy of Minneapolis stays out of this office's history."""
    other = fake.add_guild("Office of Sen. Other")
    await guild_edit(bot.database, other.id, {"status": "ended"})
    reply = await fake.slash("admin history", record=RECORD, user=office.admin, guild=office.guild)
    text = str(reply.embeds)
    assert "ended" not in text and "alice" not in text


def test_the_fullest_history_page_fits_in_one_message() -> None:
    """Four revisions with the longest title, reason, actor and many long fields stay under
    Discord's 6,000 characters per message."""
    long = "x" * 2000
    revision = Revision(
        id=10**12,
        guild_id=None,
        record_kind="question",
        record_key="Q" * 120,
        action="update",
        changes={f"field{i}": [long, long] for i in range(30)},
        actor_id=10**18,
        actor_name="n" * 100,
        recorded_at=NOW,
        effective_on=dt.date(2026, 1, 1),
        reason="r" * 500,
        undoes_revision_id=10**12,
    )
    page = history_page([revision] * 4, 0, kind="question", key="Q" * 120, viewer_guild_id=1)
    assert sum(embed_text_length(e) for e in page) + 40 <= 6000
    assert len(revision_label(revision)) <= 100


# ---------------------------------------------------------------- /admin undo


async def test_undo_reverts_a_change_as_a_new_revision_by_the_editor(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """The office set officers to 10, then 40; undoing the 40 sets 10 back, shows the change,
    and records an 'undo' revision by the admin that points at #N."""
    guild = Scope.guild(office.guild.id)
    await guild_edit(bot.database, office.guild.id, {"officers_equipped": 10})
    await guild_edit(bot.database, office.guild.id, {"officers_equipped": 40})
    target = (await revisions_of(bot.database, guild))[-1]
    reply = await fake.slash("admin undo", revision=target.id, user=office.admin)
    assert reply.ephemeral
    new = (await revisions_of(bot.database, guild))[-1]
    assert reply.content == (
        f"Undid #{target.id}: Minneapolis, MN · ICE-ERO set back (revision #{new.id})."
    )
    assert reply.embeds[0]["title"] == f"#{new.id} · Undone · Minneapolis, MN · ICE-ERO"
    assert "**Officers equipped**: 40 → 10" in reply.embeds[0]["description"]
    assert (await seen(bot.database, guild))["officers_equipped"] == 10
    assert (new.action, new.undoes_revision_id, new.reason) == (
        "undo",
        target.id,
        f"undo of #{target.id}",
    )
    assert (new.actor_id, new.actor_name) == (office.admin.id, f"admin ({office.admin.id})")
    assert new.changes == {"officers_equipped": [40, 10]}


async def test_undoing_the_guilds_copy_brings_the_shared_record_back(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """The office's first change made its own copy; undoing it shows the shared record again,
    which never changed."""
    guild = Scope.guild(office.guild.id)
    await guild_edit(bot.database, office.guild.id, {"status": "partial"})
    copy = (await revisions_of(bot.database, guild))[-1]
    reply = await fake.slash("admin undo", revision=copy.id, user=office.admin)
    assert reply.content.startswith(f"Undid #{copy.id}: Minneapolis, MN · ICE-ERO deleted")
    now = await seen(bot.database, guild)
    assert (now["guild_id"], now["status"]) == (None, "full")


async def test_undoing_a_new_record_and_that_undo_name_it_by_its_label(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """The office added Denver: undoing that deletes it, undoing the deletion brings it back;
    both confirmations name Denver by city and component, never by its key."""
    guild = Scope.guild(office.guild.id)
    values = {"city": "Denver", "state": "CO", "component": "ICE-ERO", "status": "announced",
              "as_of": "2026-11-20"}  # fmt: skip
    async with bot.database.writer(guild, ALICE) as writer:
        await writer.create("bodycam", values)
    created = (await revisions_of(bot.database, guild, "denver-co-ice-ero"))[-1]
    reply = await fake.slash("admin undo", revision=created.id, user=office.admin)
    deletion = (await revisions_of(bot.database, guild, "denver-co-ice-ero"))[-1]
    assert reply.content == (
        f"Undid #{created.id}: Denver, CO · ICE-ERO deleted (revision #{deletion.id})."
    )
    again = await fake.slash("admin undo", revision=deletion.id, user=office.admin)
    back = (await revisions_of(bot.database, guild, "denver-co-ice-ero"))[-1]
    assert again.content == (
        f"Undid #{deletion.id}: Denver, CO · ICE-ERO re-created (revision #{back.id})."
    )
    assert "denver-co-ice-ero" not in again.content + json.dumps(again.embeds)


async def test_undo_refused_when_a_later_change_touched_the_same_field(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """10, 40, then 41 officers: undoing the 40 is refused, naming the later revision and the
    field; nothing is written."""
    guild = Scope.guild(office.guild.id)
    for count in (10, 40, 41):
        await guild_edit(bot.database, office.guild.id, {"officers_equipped": count})
    *_, target, later = await revisions_of(bot.database, guild)
    before = await revision_count(bot.database)
    reply = await fake.slash("admin undo", revision=target.id, user=office.admin)
    assert reply.ephemeral
    assert reply.content.startswith("Later revisions changed the same fields of bodycam")
    assert f"#{later.id} (officers_equipped)" in reply.content
    assert await revision_count(bot.database) == before
    assert (await seen(bot.database, guild))["officers_equipped"] == 41


async def test_undo_by_a_viewer_is_refused_and_writes_nothing(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """A staffer cannot undo the office's change: refused privately, nothing written."""
    await guild_edit(bot.database, office.guild.id, {"status": "partial"})
    target = (await revisions_of(bot.database, Scope.guild(office.guild.id)))[-1]
    before = await revision_count(bot.database)
    reply = await fake.slash("admin undo", revision=target.id, user=office.staffer)
    assert reply.ephemeral and reply.content.startswith("Only editors can change records")
    assert await revision_count(bot.database) == before


async def test_a_guild_editor_cannot_undo_a_shared_revision(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """The seed's revision of the shared dataset: refused as the owners' business."""
    shared = (await revisions_of(bot.database, Scope.shared()))[-1]
    before = await revision_count(bot.database)
    reply = await fake.slash("admin undo", revision=shared.id, user=office.admin)
    assert reply.content.startswith(f"Revision #{shared.id} changed the shared dataset")
    assert await revision_count(bot.database) == before


async def test_shared_dataset_undo_is_refused_to_a_guild_editor_who_asks(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """dataset: shared from someone who is not an owner: refused before anything is looked
    up."""
    shared = (await revisions_of(bot.database, Scope.shared()))[-1]
    reply = await fake.slash("admin undo", revision=shared.id, dataset="shared", user=office.admin)
    assert reply.content.startswith("Only the bot's owners can change the shared dataset")


async def test_another_guilds_revision_is_not_found(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """Another office's revision number is unknown here, and is not offered either."""
    other = fake.add_guild("Office of Sen. Other")
    await guild_edit(bot.database, other.id, {"status": "ended"})
    theirs = (await revisions_of(bot.database, Scope.guild(other.id)))[-1]
    reply = await fake.slash(
        "admin undo", revision=theirs.id, user=office.admin, guild=office.guild
    )
    assert reply.content.startswith(f"No revision #{theirs.id} in this server's records")
    offered = await fake.autocomplete(
        "admin undo",
        focused="revision",
        value=str(theirs.id),
        user=office.admin,
        guild=office.guild,
    )
    assert offered == []
    assert (await seen(bot.database, Scope.guild(other.id)))["status"] == "ended"


async def test_undo_autocomplete_offers_the_offices_recent_revisions(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """Typing nothing offers the office's own newest revisions, labelled with number, record,
    change and author; a viewer is offered nothing."""
    await guild_edit(bot.database, office.guild.id, {"status": "partial"})
    await guild_edit(bot.database, office.guild.id, {"status": "full"})
    newest = (await revisions_of(bot.database, Scope.guild(office.guild.id)))[-1]
    offered = await fake.autocomplete("admin undo", focused="revision", value="", user=office.admin)
    assert offered[0] == {
        "name": f"#{newest.id} · Minneapolis, MN · ICE-ERO · Status: Partial → Full · by alice",
        "value": newest.id,
    }
    assert len(offered) == 2
    assert (
        await fake.autocomplete("admin undo", focused="revision", value="", user=office.staffer)
        == []
    )


async def test_undo_autocomplete_names_each_record_by_its_label(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """Changes to the office's own copies of a camera record and a question, and a new link
    between them: each choice names the record as people know it (city and component, the
    question by id and text, the link by its two ends), never by key; words typed match the
    name; every name fits in 100 characters, the change still shown."""
    guild = Scope.guild(office.guild.id)
    async with bot.database.writer(guild, ALICE) as writer:
        for status, to in (("partial", "ICE"), ("full", "CBP")):  # the first edits copy
            await writer.change("bodycam", KEY, {"status": status})
            await writer.change("question", "OQ-4", {"addressed_to": to})
        await writer.create("link", {"a_kind": "question", "a_key": "OQ-4", "b_kind": "bodycam",
                                     "b_key": KEY, "as_of": "2026-11-20"})  # fmt: skip
    offered = await fake.autocomplete("admin undo", focused="revision", value="", user=office.admin)
    link, question, camera = (choice["value"] for choice in offered[:3])
    assert [choice["name"] for choice in offered[:3]] == [
        f"#{link} · Link: Minneapolis, MN · ICE-ERO ↔ OQ-4 · added · by alice",
        f"#{question} · OQ-4: Spend plan for the $20,000,000 provided for… · Addressed "
        "to: “ICE” → “CBP” · by alice",
        f"#{camera} · Minneapolis, MN · ICE-ERO · Status: Partial → Full · by alice",
    ]
    assert all(len(choice["name"]) <= 100 for choice in offered)
    assert not any(KEY in choice["name"] or "record" in choice["name"] for choice in offered)
    typed = await fake.autocomplete(
        "admin undo", focused="revision", value="minneapolis status", user=office.admin
    )
    assert [choice["value"] for choice in typed] == [camera]


async def test_undo_autocomplete_reads_labels_in_one_go_however_many_revisions(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """Naming the choices by label costs the same database statements for 2 revisions of camera
    records as for 25: the labels are read together, not one revision at a time."""
    guild = Scope.guild(office.guild.id)

    async def add_cities(count: int, start: int) -> None:
        async with bot.database.writer(guild, ALICE) as writer:
            for number in range(start, start + count):
                await writer.create("bodycam", {"city": f"Town {number}", "state": "CO",
                                                "component": "ICE-ERO", "status": "announced",
                                                "as_of": "2026-11-20"})  # fmt: skip
                await writer.change("bodycam", f"town-{number}-co-ice-ero", {"status": "full"})

    async def statements_for_choices() -> tuple[int, list[Json]]:
        executed: list[str] = []
        engine = bot.database.engine.sync_engine
        record = lambda *args: executed.append(args[2])  # noqa: E731  # the statement's text
        event.listen(engine, "before_cursor_execute", record)
        try:
            offered = await fake.autocomplete(
                "admin undo", focused="revision", value="", user=office.admin
            )
        finally:
            event.remove(engine, "before_cursor_execute", record)
        return len(executed), offered

    await add_cities(1, 0)
    few, offered = await statements_for_choices()
    assert [choice["name"].split(" · ")[1] for choice in offered] == ["Town 0, CO"] * 2
    await add_cities(12, 1)
    many, offered = await statements_for_choices()
    assert len(offered) == 25 and few == many
    assert offered[0]["name"].split(" · ")[1:3] == ["Town 12, CO", "ICE-ERO"]
    assert offered[0]["name"].endswith("Status: Announced → Full · by alice")


async def test_an_owner_undoes_a_shared_revision_with_dataset_shared(
    fake: FakeDiscord, office: Office, bot_db: Database, settings: Settings
) -> None:
    """An owner undoes the seed's 'full' for Minneapolis in the shared dataset: every guild sees
    none_known again, and the undo is the owner's."""
    shared = (await revisions_of(bot_db, Scope.shared()))[-1]
    client = OversightBot(settings=with_owner(settings, office.admin.id), database=bot_db)
    async with running(fake, client):
        offered = await fake.autocomplete(
            "admin undo",
            focused="revision",
            value=str(shared.id),
            options={"dataset": "shared"},
            user=office.admin,
        )
        reply = await fake.slash(
            "admin undo", revision=shared.id, dataset="shared", user=office.admin
        )
    assert offered[0]["value"] == shared.id
    assert reply.content.startswith(f"Undid #{shared.id}")
    assert (await seen(bot_db, Scope.guild(office.guild.id)))["status"] == "none_known"
    new = (await revisions_of(bot_db, Scope.shared()))[-1]
    assert (new.guild_id, new.actor_id, new.undoes_revision_id) == (
        None,
        office.admin.id,
        shared.id,
    )


async def test_an_unknown_revision_number_is_named(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """A number that is no revision: 'No revision #N' with where to find numbers."""
    reply = await fake.slash("admin undo", revision=987654, user=office.admin)
    assert reply.content == (
        "No revision #987654 in this server's records. Pick one from the list, or find its number "
        "with /admin history."
    )


@settings(max_examples=20, deadline=None, **HIDDEN)
@given(
    revision=st.integers(1, 2**53 - 1) | st.integers(1, 400),
    dataset=st.sampled_from(["server", "shared"]),
    record=st.text(min_size=1, max_size=100),
)
async def test_random_undo_and_history_options_never_break_or_write(
    fake: FakeDiscord, office: Office, bot: OversightBot, revision: int, dataset: str, record: str
) -> None:
    """Any revision number, dataset and typed record: a private answer, never 'Something went
    wrong', and nothing written (the office has no revisions of its own to undo)."""
    before = await revision_count(bot.database)
    undone = await fake.slash("admin undo", revision=revision, dataset=dataset, user=office.admin)
    shown = await fake.slash("admin history", record=record, user=office.admin)
    offered = await fake.autocomplete(
        "admin undo", focused="revision", value=record[:20], user=office.admin
    )
    for reply in (undone, shown):
        assert reply.ephemeral
        assert not (reply.content or "").startswith("Something went wrong")
    assert len(offered) <= 25
    assert await revision_count(bot.database) == before
