"""A new bill action reaches a channel following appropriations as news: its post opens with one
plain sentence of what happened, whether an editor recorded it (/admin approps action) or the
Congress.gov sync did, and a procedural vote never reads as passage."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.client import OversightBot
from bot.config import Settings
from bot.dispatch import Dispatcher
from congress.client import CongressClient
from congress.sync import CongressSync
from db.engine import Database
from db.follows import BillRef
from db.tracking import add_subscription
from fakecongress import FakeCongress
from fakediscord import FakeDiscord
from tests.conftest import Office, running

FIXTURES = Path(__file__).parents[1] / "fixtures" / "congress"
API_KEY = "action-posts-key"
Json = dict[str, Any]


@pytest.fixture
async def dispatching(
    fake: FakeDiscord, office: Office, bot_db: Database, settings: Settings
) -> AsyncIterator[OversightBot]:
    """The real bot with its dispatcher."""
    bot = OversightBot(settings=settings, database=bot_db)
    bot.services.append(Dispatcher(bot, worker="test:1", pace=0.0))
    async with running(fake, bot):
        yield bot


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeCongress]:
    async with FakeCongress(FIXTURES, api_key=API_KEY) as server:
        yield server


async def follow_appropriations(db: Database, office: Office) -> None:
    await add_subscription(db, office.guild.id, office.guild.channel.id, "appropriations")


async def action_post(fake: FakeDiscord, office: Office, title: str) -> Json:
    """The embed posted in the office's channel whose title is `title`."""

    def found() -> Json | None:
        embeds = [e for m in fake.messages(office.guild.channel) for e in m.embeds]
        return next((e for e in embeds if e.get("title") == title), None)

    await fake.wait_until(lambda: found() is not None, 30, f"a post titled {title!r}")
    post = found()
    assert post is not None
    return post


def first_line(embed: Json) -> str:
    return str(embed["description"]).split("\n", 1)[0]


async def test_an_editors_senate_passage_opens_with_what_happened(
    fake: FakeDiscord, office: Office, bot_db: Database, dispatching: OversightBot
) -> None:
    """The office records H.R. 4213 passing the Senate 71-29: the channel reads it in one
    sentence, bill by number and roll call from the text, before the fields."""
    await follow_appropriations(bot_db, office)
    reply = await fake.slash(
        "admin approps action",
        options={
            "bill": "H.R. 4213",
            "date": "2026-11-20",
            "chamber": "senate",
            "text": "Passed Senate by Yea-Nay Vote. 71 - 29. Record Vote Number: 47.",
            "vote": "71-29",
            "stage_after": "passed_senate",
        },
        user=office.admin,
    )
    assert (reply.content or "").startswith("Recorded")
    post = await action_post(fake, office, "New · H.R. 4213 · Senate · Nov 20, 2026")
    sentence, blank, *fields = str(post["description"]).splitlines()
    assert sentence == "H.R. 4213 passed the Senate 71-29 (roll call 47)."
    assert blank == "" and "**Bill**: H.R. 4213" in fields
    assert "119-hr4213" not in json.dumps(post)


async def test_an_editors_cloture_vote_is_told_as_procedural_not_passage(
    fake: FakeDiscord, office: Office, bot_db: Database, dispatching: OversightBot
) -> None:
    """Cloture invoked 60-40 on H.R. 4213: the sentence says so and calls it a procedural vote;
    nothing in it says the bill passed."""
    await follow_appropriations(bot_db, office)
    await fake.slash(
        "admin approps action",
        options={
            "bill": "H.R. 4213",
            "date": "2026-11-19",
            "chamber": "senate",
            "text": "Cloture invoked in Senate by Yea-Nay Vote. 60 - 40. Record Vote Number: 46.",
            "vote": "60-40",
        },
        user=office.admin,
    )
    post = await action_post(fake, office, "New · H.R. 4213 · Senate · Nov 19, 2026")
    assert first_line(post) == (
        "Cloture was invoked on H.R. 4213 in the Senate 60-40 (a procedural vote, not passage)."
    )
    assert "passed" not in first_line(post).lower()


async def test_a_synced_senate_vote_reaches_the_channel_as_a_sentence(
    fake: FakeDiscord,
    office: Office,
    bot_db: Database,
    dispatching: OversightBot,
    fake_api: FakeCongress,
) -> None:
    """Congress.gov shows H.R. 7481 clearing cloture and passing the Senate: after the next sync
    the channel reads each in one sentence, by Congress.gov, the roll call from the vote's
    address where the text names none."""
    ref = BillRef(119, "hr", 7481)
    async with CongressClient(base_url=fake_api.base_url, api_key=API_KEY) as client:
        sync = CongressSync(bot_db, client)
        await sync.run(bills=[ref])
        await follow_appropriations(bot_db, office)  # from now on: the first sync is not news
        bill = json.loads((FIXTURES / "bill/119/hr/7481.json").read_text())
        actions = json.loads((FIXTURES / "bill/119/hr/7481/actions.json").read_text())
        bill["bill"]["updateDate"] = "2026-12-04T09:00:00Z"
        actions["actions"][:0] = [senate_action(
            "Passed Senate without amendment by Yea-Nay Vote. 71 - 29.", "17000", 47
        ), senate_action(
            "Cloture on the measure invoked in Senate by Yea-Nay Vote. 60 - 40. "
            "Record Vote Number: 45.", "", 45, day="2026-12-02"
        )]  # fmt: skip
        fake_api.set("bill/119/hr/7481", bill)
        fake_api.set("bill/119/hr/7481/actions", actions)
        await sync.run(bills=[ref])
    passage = await action_post(fake, office, "New · H.R. 7481 · Senate · Dec 3, 2026")
    assert first_line(passage) == "H.R. 7481 passed the Senate 71-29 (roll call 47)."
    assert {"name": "By", "value": "Congress.gov", "inline": True} in passage["fields"]
    cloture = await action_post(fake, office, "New · H.R. 7481 · Senate · Dec 2, 2026")
    assert first_line(cloture) == (
        "Cloture was invoked on H.R. 7481 in the Senate 60-40 (a procedural vote, not passage)."
    )


def senate_action(text: str, code: str, roll: int, *, day: str = "2026-12-03") -> Json:
    """A Senate floor action as Congress.gov lists it, with its recorded vote."""
    url = (
        f"https://www.senate.gov/legislative/LIS/roll_call_votes/vote1192/vote_119_2_{roll:05}.xml"
    )
    return {
        "actionCode": code,
        "actionDate": day,
        "recordedVotes": [{"chamber": "Senate", "congress": 119, "rollNumber": roll,
                           "sessionNumber": 2, "url": url}],
        "sourceSystem": {"code": 0, "name": "Senate"},
        "text": text,
        "type": "Floor",
    }  # fmt: skip
