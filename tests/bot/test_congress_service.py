"""The Congress.gov sync running inside the bot: by itself, into following channels, in /about,
and followed by owners with /admin approps follow."""

from __future__ import annotations

import json
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from bot.client import OversightBot
from bot.config import CongressSettings, Settings
from bot.congress_service import CongressService
from bot.dispatch import Dispatcher
from congress.client import CongressClient
from congress.sync import CongressSync
from db.clock import FixedClock
from db.engine import Database, make_engine
from db.follows import BillRef
from db.models import CongressFollow
from db.tracking import add_subscription
from fakecongress import FakeCongress
from fakediscord import FakeDiscord
from tests.cogs.admin_support import with_owner
from tests.conftest import Office, running
from tests.support.replies import ts

FIXTURES = Path(__file__).parents[1] / "fixtures" / "congress"
KEY = "service-test-key"


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeCongress]:
    async with FakeCongress(FIXTURES, api_key=KEY) as server:
        yield server


def with_congress(settings: Settings, fake_api: FakeCongress) -> Settings:
    congress = CongressSettings(
        api_base=fake_api.base_url, api_key=SecretStr(KEY), congresses=(119,)
    )
    return settings.model_copy(update={"congress": congress})


async def test_the_sync_runs_by_itself_and_posts_to_following_channels(
    fake: FakeDiscord,
    office: Office,
    bot_db: Database,
    settings: Settings,
    fake_api: FakeCongress,
) -> None:
    """Started with the bot, the sync writes what Congress.gov has; a channel following
    appropriations is told; a new action on Congress.gov reaches a following channel after the
    next round."""
    await add_subscription(bot_db, office.guild.id, office.guild.channel.id, "appropriations")
    bot = OversightBot(settings=with_congress(settings, fake_api), database=bot_db)
    service = CongressService(bot, bot.settings.congress)
    bot.services += [Dispatcher(bot, worker="test:1", pace=0.0), service]
    async with running(fake, bot):
        await fake.wait_until(lambda: service.last_report is not None, 10, "the first sync")
        assert service.last_report is not None and service.last_report.refreshed >= 5
        first = await fake.wait_for_messages(office.guild.channel, 1)
        assert "Congress.gov" in json.dumps(first[0].embeds)
        # A channel that starts following now has no backlog: its first post is the new action,
        # however long the first sync's dozens of posts take to reach the other channel.
        later = office.guild.add_channel("later")
        await add_subscription(bot_db, office.guild.id, later.id, "appropriations")
        bill = json.loads((FIXTURES / "bill/119/hr/7481.json").read_text())
        actions = json.loads((FIXTURES / "bill/119/hr/7481/actions.json").read_text())
        bill["bill"]["updateDate"] = "2026-12-04T09:00:00Z"
        actions["actions"].insert(
            0,
            {
                "actionDate": "2026-11-27",
                "text": "Subcommittee Hearings Held.",
                "type": "Committee",
                "sourceSystem": {"code": 1, "name": "House committee actions"},
                "recordedVotes": [],
            },
        )
        fake_api.set("bill/119/hr/7481", bill)
        fake_api.set("bill/119/hr/7481/actions", actions)
        service.wake()
        [post] = await fake.wait_for_messages(later, 1, within=60)
        assert "Subcommittee Hearings Held." in json.dumps(post.embeds)
        # A post names the bill, the chamber and the day, not the action's key.
        assert post.embeds[0]["title"] == "New · H.R. 7481 · House · Nov 27, 2026"
    assert all(KEY not in str(r.path) + str(r.query) for r in fake_api.requests)


async def test_about_says_the_sync_is_off_without_a_key(
    fake: FakeDiscord, office: Office, bot_db: Database, settings: Settings
) -> None:
    """No CONGRESS_API_KEY: /about says the live data is off and why."""
    bot = OversightBot(settings=settings, database=bot_db)
    bot.services.append(CongressService(bot, settings.congress))
    async with running(fake, bot):
        reply = await fake.slash("about", user=office.staffer)
    [embed] = reply.embeds
    field = next(f for f in embed["fields"] if f["name"] == "Live data from Congress.gov")
    assert field["value"].startswith("Off: no Congress.gov API key (set CONGRESS_API_KEY)")


async def test_an_owner_follows_a_bill_and_an_admin_who_is_not_cannot(
    fake: FakeDiscord, office: Office, bot_db: Database, settings: Settings
) -> None:
    """Following is the owners' (the sync writes the shared dataset); a bad bill names `bill`."""
    owner = office.guild.add_member("owner")
    bot = OversightBot(settings=with_owner(settings, owner.id), database=bot_db)
    async with running(fake, bot):
        refused = await fake.slash(
            "admin approps follow", user=office.admin, options={"bill": "119/hr/9001"}
        )
        followed = await fake.slash(
            "admin approps follow", user=owner, options={"bill": "H.R. 9001"}
        )
        again = await fake.slash("admin approps follow", user=owner, options={"bill": "119-hr9001"})
        nonsense = await fake.slash(
            "admin approps follow", user=owner, options={"bill": "the DHS bill"}
        )
        stopped = await fake.slash(
            "admin approps unfollow", user=owner, options={"bill": "119/hr/9001"}
        )
    assert "bot's owners" in refused.content
    assert followed.content.startswith("Following H.R. 9001 (119th Congress) on Congress.gov")
    assert again.content == "H.R. 9001 (119th Congress) is already followed."
    assert "'the DHS bill' is not a bill" in nonsense.content
    assert stopped.content.startswith("No longer following H.R. 9001 (119th Congress)")
    async with bot_db.session() as session:
        row = (await session.execute(select(CongressFollow))).scalar_one()
    assert (row.congress, row.bill_type, row.number, row.active) == (119, "hr", 9001, False)
    assert row.followed_by == owner.id


async def test_a_synced_continuing_resolution_shows_in_approps_status(
    fake: FakeDiscord,
    office: Office,
    settings: Settings,
    fake_api: FakeCongress,
    sqlite_template: Path,
    tmp_path: Path,
    clock: FixedClock,
) -> None:
    """From an empty dataset, syncing H.R. 5371 makes /approps status say FY2026 was funded
    through January 30, 2026 by it."""
    path = tmp_path / "empty.db"
    shutil.copyfile(sqlite_template, path)
    database = Database(make_engine(f"sqlite+aiosqlite:///{path}"), clock=clock)
    try:
        async with CongressClient(base_url=fake_api.base_url, api_key=KEY) as client:
            await CongressSync(database, client).run(bills=[BillRef(119, "hr", 5371)])
        async with running(fake, OversightBot(settings=settings, database=database)):
            reply = await fake.slash(
                "approps status", user=office.staffer, options={"fiscal_year": 2026}
            )
    finally:
        await database.close()
    text = json.dumps(reply.embeds, ensure_ascii=False)
    start, end = ts(2025, 11, 12), ts(2026, 1, 30)  # as Discord timestamps
    assert f"Funded {start} – {end} by H.R. 5371 (P.L. 119-37)" in text
