"""/digest set … chart:true: the weekly (or any) digest attaches the funding chart, through the
fake Discord's multipart channel posts; the console saves it; older digests post without it."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from alembic import command
from PIL import Image
from sqlalchemy import text

from bot.client import OversightBot
from bot.config import Settings
from bot.console.app import Console
from bot.render.common import MESSAGE_EMBED_TEXT
from bot.schedule import Scheduler
from db import migrations
from db.clock import FixedClock
from db.digests import get_digest, set_digest
from db.engine import Database
from db.scope import Actor, Scope
from fakediscord import FakeDiscord, FakeMember, Perm
from fakediscord.world import Message
from tests.conftest import Office

WEEK = dt.timedelta(days=7, hours=1)


@pytest.fixture
def keeper(office: Office) -> FakeMember:
    return office.guild.add_member("keeper", permissions=Perm.MANAGE_CHANNELS)


async def weekly(bot: OversightBot, guild_id: int, channel_id: int, *, chart: bool) -> None:
    await set_digest(
        bot.database,
        guild_id,
        channel_id,
        "mondays 9am",
        "America/New_York",
        created_by=None,
        now=bot.database.clock.now(),
        chart=chart,
    )


def chart_of(post: Message) -> tuple[str, bytes]:
    """The digest's chart: its embed follows the digest's, showing the one attached PNG."""
    digest, chart = post.embeds
    assert digest["title"] == "Oversight digest"
    [attachment] = post.attachments
    name = attachment["filename"]
    assert chart["image"]["url"] == f"attachment://{name}"
    data = post.files[name]
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) < 1024 * 1024
    assert Image.open(io.BytesIO(data)).size[0] == 1200
    return name, data


def embed_chars(post: Message) -> int:
    total = 0
    for embed in post.embeds:
        total += len(embed.get("title", "")) + len(embed.get("description", ""))
        total += len((embed.get("footer") or {}).get("text", ""))
        total += sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", []))
    return total


async def test_set_with_chart_says_so_and_show_repeats_it(
    fake: FakeDiscord, office: Office, bot: OversightBot, keeper: FakeMember
) -> None:
    reply = await fake.slash("digest set", schedule="mondays 9am", chart=True, user=keeper)
    assert reply.content is not None and reply.content.startswith(
        f"Digest set for <#{office.guild.channel.id}>: Mondays at 9:00 AM (America/New_York), "
        "posted only when there is news, with the funding chart.\n"
    )
    row = await get_digest(bot.database, office.guild.channel.id)
    assert row is not None and row.chart
    shown = await fake.slash("digest show", user=keeper)
    assert ", with the funding chart.\n" in (shown.content or "")
    await fake.slash("digest set", schedule="mondays 9am", user=keeper)  # set again, no chart
    shown = await fake.slash("digest show", user=keeper)
    assert "chart" not in (shown.content or "")


async def test_a_digest_with_chart_posts_the_png_and_one_without_does_not(
    fake: FakeDiscord, office: Office, bot: OversightBot, clock: FixedClock
) -> None:
    """Two channels' weekly digests: the one set with chart:true posts the funding chart (its
    figures in words in a second embed, the PNG attached as a file of the channel message);
    the other posts the digest alone."""
    plain = office.guild.add_channel("plain")
    await fake.wait_until(lambda: bot.get_channel(plain.id) is not None)
    await weekly(bot, office.guild.id, office.guild.channel.id, chart=True)
    await weekly(bot, office.guild.id, plain.id, chart=False)
    clock.advance(WEEK)
    assert await Scheduler(bot).tick() == 2
    [post] = fake.messages(office.guild.channel)
    name, _ = chart_of(post)
    assert name == "funding-fy2026.png"
    words = post.embeds[1]
    assert words["title"] == "DHS funding lines · FY2026 · chart"
    assert "House $64,400,000,000" in words["description"]
    assert words["footer"]["text"].endswith(" · as of Jun 5, 2026")
    assert embed_chars(post) <= MESSAGE_EMBED_TEXT
    [alone] = fake.messages(plain)
    assert len(alone.embeds) == 1 and not alone.attachments


async def test_servers_that_see_the_same_lines_share_one_drawing(
    fake: FakeDiscord, office: Office, bot: OversightBot, clock: FixedClock
) -> None:
    """Three servers' digests with the chart, none with funding lines of its own: the same
    chart in each, drawn once; a server with its own line gets its own drawing."""
    guilds = [office.guild, fake.add_guild("Office B"), fake.add_guild("Office C")]
    own = fake.add_guild("Office D")
    await fake.wait_until(lambda: all(bot.get_guild(g.id) for g in [*guilds, own]))
    async with bot.database.writer(Scope.guild(own.id), Actor("t", 1)) as writer:
        await writer.create(
            "funding_line",
            {
                "fiscal_year": 2026,
                "component": "ICE",
                "account": "Own line",
                "house": 1_000_000,
                "as_of": "2026-11-01",
            },
        )
    for guild in [*guilds, own]:
        await weekly(bot, guild.id, guild.channel.id, chart=True)
    clock.advance(WEEK)
    assert await Scheduler(bot).tick() == 4
    charts = [chart_of(fake.messages(guild.channel)[0]) for guild in guilds]
    assert charts[0] == charts[1] == charts[2]
    assert chart_of(fake.messages(own.channel)[0]) != charts[0]
    assert bot.charts.drawings == 2


async def test_a_full_digest_leaves_its_chart_the_room_there_is(
    fake: FakeDiscord, office: Office, bot: OversightBot, clock: FixedClock
) -> None:
    """A week of 240 changes and 60 questions overdue or due soon fills every section of the
    digest: the chart's words list what fits in what is left and count the rest, and the
    message stays within Discord's 6,000 characters (the fake refuses more)."""
    from db.oversight import add_question

    await weekly(bot, office.guild.id, office.guild.channel.id, chart=True)
    clock.advance(dt.timedelta(hours=1))  # the week's changes come after the digest was set
    long = "how many cameras are worn in the field and who keeps the footage " * 4
    async with bot.database.writer(Scope.guild(office.guild.id), Actor("t", 1)) as writer:
        for n in range(60):
            due = "2026-12-01" if n % 2 else "2026-12-08"  # overdue, or due within the week
            values = {
                "question": f"Question {n}: {long}",
                "asked_by": "Rep. A",
                "addressed_to": "ICE Office of Congressional Relations " * 4,
                "due_date": due,
                "as_of": "2026-11-01",
            }
            await add_question(writer, values)
        for n in range(240):
            city = {
                "city": f"Town {n} " + "Heights " * 8,
                "state": "TX",
                "component": "ICE-ERO",
                "status": "partial",
                "as_of": "2026-11-01",
            }
            await writer.create("bodycam", city)
    clock.advance(WEEK)
    await Scheduler(bot).tick()
    [post] = fake.messages(office.guild.channel)
    chart_of(post)
    assert embed_chars(post) <= MESSAGE_EMBED_TEXT
    words = post.embeds[1]["description"]
    assert words.split("\n")[1].startswith("FY2026 has 8 funding lines: ")
    listed = [line for line in words.split("\n") if line.startswith("**")]
    counted = re.search(r"… and (\d+) more", words)
    assert len(listed) + (int(counted[1]) if counted else 0) == 8  # each line said or counted
    assert len(post.embeds[0]["fields"]) == 6  # every section of the digest is there


async def test_preview_shows_the_chart_as_it_would_post(
    fake: FakeDiscord, office: Office, bot: OversightBot, keeper: FakeMember
) -> None:
    await fake.slash("digest set", schedule="mondays 9am", chart=True, user=keeper)
    reply = await fake.slash("digest preview", user=keeper)
    assert reply.ephemeral and reply.message is not None
    assert reply.embeds[0]["title"] == "Oversight digest (preview)"
    assert reply.embeds[1]["image"]["url"] == "attachment://funding-fy2026.png"
    assert [a["filename"] for a in reply.message.attachments] == ["funding-fy2026.png"]


async def test_the_console_saves_a_digests_chart(
    bot_db: Database, settings: Settings, tmp_path: Path, clock: FixedClock
) -> None:
    """In the offline console the digest's chart is written to the save folder, and the console
    says where, under the post."""
    folder = tmp_path / "saved"
    async with Console(settings, bot_db, out=io.StringIO(), tz=dt.UTC, save_dir=folder) as desk:
        await desk.run_line('/digest set "mondays 9am" chart:true')
        clock.advance(WEEK)
        assert await desk.scheduler.tick() == 1
        text = await desk.run_line("/digest show")
    assert "\n\n(posted in #general)\n" in text
    saved = folder / "funding-fy2026.png"
    assert f"Saved funding-fy2026.png ({saved.stat().st_size:,} bytes) to {saved}" in text
    assert saved.read_bytes().startswith(b"\x89PNG")


async def test_a_digest_set_before_the_chart_existed_posts_without_it(db: Database) -> None:
    """A schedule stored at migration 0009 reads as chart: false after the upgrade."""
    now = dt.datetime(2026, 11, 28, 15, 0, tzinfo=dt.UTC)
    try:
        async with db.engine.begin() as connection:
            await connection.run_sync(
                lambda sync: command.downgrade(migrations.alembic_config(sync), "0009")
            )
        async with db.engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO digest_schedule (guild_id, channel_id, rule, timezone, "
                    "description, post_empty, created_at, last_run_at, next_run_at) VALUES "
                    "(1, 2, 'FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0;BYSECOND=0', "
                    "'America/New_York', 'Mondays at 9:00 AM', false, :now, :now, :now)"
                ),
                {"now": now},
            )
    finally:
        await migrations.upgrade(db.engine)  # leave the shared PostgreSQL schema at head
    row = await get_digest(db, 2)
    assert row is not None and row.chart is False
