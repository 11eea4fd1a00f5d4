"""/admin import and /admin export end to end through the fake Discord: preview, confirm, cancel,
errors by row and column, limits, progress on large files, round trips, guilds apart, owners.

The fake has no attachment options yet (slash() refuses option type 11, and it serves no file
URLs), so `slash_with_file` builds the command payload from the fake's own parts and adds the
attachment, and a small local file host serves the bytes discord.py downloads.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import sys
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.client import OversightBot
from bot.config import Settings
from bot.console.files import FileHost as ConsoleFileHost
from bot.cooldowns import lift
from db.changes import plain_values
from db.engine import Database
from db.models import Revision
from db.scope import Actor, Scope, find_visible
from db.transfer import export_records, parse
from fakediscord import FakeDiscord, FakeGuild, FakeMember, Reply
from fakediscord.interactions import (
    APPLICATION_COMMAND,
    build_options,
    command_data,
    resolve_command,
)
from fakediscord.world import snowflake
from tests.cogs.admin_support import revision_count, with_owner
from tests.conftest import Office, running

Json = dict[str, Any]
HIDDEN = {"suppress_health_check": [HealthCheck.function_scoped_fixture]}
HEADER = "kind,city,state,component,status,as_of,notes"
CHICAGO = "bodycam,Chicago,IL,ICE-ERO,full,2026-11-20,Now full"
DENVER = "bodycam,Denver,CO,ICE-ERO,announced,2026-11-20,"


class FileHost(ConsoleFileHost):
    """The console's file host (127.0.0.1, as Discord's CDN serves attachments), given bytes."""

    def attachment(self, filename: str, data: bytes) -> Json:
        """The resolved attachment Discord puts in the interaction for an uploaded file."""
        attachment_id = str(snowflake())
        self.files[attachment_id] = data
        url = f"{self.base}/attachments/{attachment_id}/{filename}"
        return {
            "id": attachment_id,
            "filename": filename,
            "size": len(data),
            "url": url,
            "proxy_url": url,
            "content_type": "text/csv" if filename.endswith(".csv") else "application/json",
            "ephemeral": True,
        }


@pytest.fixture
async def host() -> AsyncIterator[FileHost]:
    files = FileHost()
    await files.start()
    yield files
    await files.stop()


async def slash_with_file(
    fake: FakeDiscord,
    host: FileHost,
    path: str,
    filename: str,
    data: bytes,
    *,
    user: FakeMember,
    guild: FakeGuild | None = None,
    **values: Any,
) -> Reply:
    """Run `/path` with its attachment option set to `data` named `filename` (the lowest level
    the fake allows: its payload builders, with the attachment added)."""
    guild = guild or user.guild
    command, chain, is_guild = resolve_command(fake.synced, guild.id, path)
    leaf = chain[-1]
    upload = next(o for o in leaf["options"] if o["type"] == 11)
    plain = {**leaf, "options": [o for o in leaf["options"] if o["type"] != 11]}
    options, resolved = build_options(command, [*chain[:-1], plain], values, guild)
    attachment = host.attachment(filename, data)
    node = options
    for _ in chain:
        node = node[0]["options"]
    node.append({"name": upload["name"], "type": 11, "value": attachment["id"]})
    resolved.setdefault("attachments", {})[attachment["id"]] = attachment
    payload = command_data(command, options, resolved, guild.id if is_guild else None)
    return await fake._interact(
        APPLICATION_COMMAND, f"/{path}", guild, guild.channel, user, payload, None, "visible", None
    )


def loaded_transfer_module() -> Any:
    """The module the running bot loaded (each bot loads its extensions afresh)."""
    return sys.modules["cogs.admin._transfer"]


def csv_file(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


async def bodycam(database: Database, scope: Scope, key: str) -> Json | None:
    async with database.session() as session:
        row = await find_visible(session, scope, "bodycam", key)
        return None if row is None else plain_values(row) | {"guild_id": row.guild_id}


async def finished(fake: FakeDiscord, reply: Reply, start: str, within: float = 30) -> str:
    """The import's last word, once the message shows it."""
    assert reply.message is not None
    message = reply.message
    await fake.wait_until(lambda: message.content.startswith(start), within, f"'{start}…'")
    return message.content


# ---------------------------------------------------------------- /admin import


async def test_import_previews_then_confirm_changes_the_data(
    fake: FakeDiscord, office: Office, bot: OversightBot, host: FileHost
) -> None:
    """A file changing Chicago and adding Denver: the preview counts 1 new and 1 changed with
    the field diffs; Confirm writes both for this office only, as the admin's revisions."""
    guild = Scope.guild(office.guild.id)
    reply = await slash_with_file(
        fake, host, "admin import", "cams.csv", csv_file(CHICAGO, DENVER), user=office.admin
    )
    assert reply.ephemeral
    preview = reply.embeds[0]
    assert preview["title"] == "Import preview: cams.csv"
    assert "**1** new · **1** changed · **0** unchanged" in preview["description"]
    names = [field["name"] for field in preview["fields"]]
    assert names == [
        "Changed: Chicago, IL · ICE-ERO (row 1)",
        "New: Denver, CO · ICE-ERO (row 2)",
    ]
    assert "**Status**: Court-ordered → Full" in preview["fields"][0]["value"]
    clicked = await fake.click(reply, "confirm:yes", user=office.admin)
    done = await finished(fake, clicked, "Imported")
    assert done == (
        "Imported cams.csv into this server's records: 1 created, 1 changed, 0 unchanged."
    )
    chicago = await bodycam(bot.database, guild, "chicago-il-ice-ero")
    assert (chicago["guild_id"], chicago["status"], chicago["notes"]) == (
        office.guild.id,
        "full",
        "Now full",
    )
    assert chicago["court_case"]  # the shared record's other facts came along in the copy
    assert (await bodycam(bot.database, guild, "denver-co-ice-ero"))["status"] == "announced"
    assert (await bodycam(bot.database, Scope.shared(), "chicago-il-ice-ero"))[
        "status"
    ] == "court_ordered"
    async with bot.database.session() as session:
        query = select(Revision).where(Revision.guild_id == office.guild.id)
        written = list((await session.execute(query)).scalars())
    assert {(r.actor_id, r.actor_name, r.reason) for r in written} == {
        (office.admin.id, f"admin ({office.admin.id})", "/admin import cams.csv")
    }


async def test_the_preview_names_each_record_as_people_know_it(
    fake: FakeDiscord, office: Office, bot: OversightBot, host: FileHost
) -> None:
    """A bill, an action on it, a question and a camera record: each preview line names the
    record by its number, bill and day, id and question, or city, with its row; never a key."""
    data = envelope(
        {"kind": "measure", "congress": 119, "bill_type": "hr", "bill_number": 9001,
         "title": "DHS Appropriations Act, 2027", "as_of": "2026-11-20"},
        {"kind": "action", "measure_key": "119-hr7147", "action_date": "2026-11-02",
         "chamber": "senate", "text": "Motion to proceed agreed to.", "as_of": "2026-11-20"},
        question(question="How many body cameras has ICE bought with the FY2026 money, and "
                 "where are they deployed today?"),
        camera(),
    )  # fmt: skip
    reply = await slash_with_file(fake, host, "admin import", "mix.json", data, user=office.admin)
    names = [field["name"] for field in reply.embeds[0]["fields"]]
    assert names == [
        "New: H.R. 9001 (row 1)",
        "New: H.R. 7147 · Senate · Nov 2, 2026 (row 2)",
        "New: GQ-40: How many body cameras has ICE bought with the FY2026 money, and where are "
        "they… (row 3)",
        "New: Denver, CO · ICE-ERO (row 4)",
    ]
    assert not any(key in " ".join(names) for key in ("119-hr", "denver-co", "bodycam", "measure"))


async def test_the_preview_names_a_link_by_its_two_ends(
    fake: FakeDiscord, office: Office, bot: OversightBot, host: FileHost
) -> None:
    """The starter link between H.R. 7147 and OQ-4 (this office's copy), and a new one between
    OQ-4 and the Denver record the same file adds: each reads 'Link: <one end> ↔ <the other>',
    bill by number, question by id, camera record by city and component; the preview never
    shows a link's key or its ends' keys."""
    data = envelope(
        {"kind": "link", "a_kind": "question", "a_key": "OQ-4", "b_kind": "measure",
         "b_key": "119-hr7147", "as_of": "2026-11-20"},
        {"kind": "link", "a_kind": "question", "a_key": "oq-4", "b_kind": "bodycam",
         "b_key": "denver-co-ice-ero", "as_of": "2026-11-20",
         "notes": "Denver's cameras come out of the spend plan."},
        camera(),
    )  # fmt: skip
    reply = await slash_with_file(fake, host, "admin import", "links.json", data, user=office.admin)
    fields = reply.embeds[0]["fields"]
    assert [field["name"] for field in fields] == [
        "Changed: Link: H.R. 7147 ↔ OQ-4 (row 1)",
        "New: Link: Denver, CO · ICE-ERO ↔ OQ-4 (row 2)",
        "New: Denver, CO · ICE-ERO (row 3)",
    ]
    assert fields[1]["value"] == "**Notes**: “Denver's cameras come out of the spend plan.”"
    shown = json.dumps(fields, ensure_ascii=False)
    assert not any(key in shown for key in ("119-hr", "denver-co", "measure", "bodycam", "~"))


async def test_the_preview_shows_mentions_as_typed_without_pinging(
    fake: FakeDiscord, office: Office, bot: OversightBot, host: FileHost
) -> None:
    """A note with @everyone and a user mention is shown as typed, broken so it cannot ping;
    once imported it is stored exactly as typed."""
    row = DENVER.rstrip(",") + ",@everyone see <@123>"
    reply = await slash_with_file(
        fake, host, "admin import", "cams.csv", csv_file(row), user=office.admin
    )
    shown = reply.embeds[0]["fields"][0]["value"]
    assert "@\u200beveryone see <\u200b@\u200b123>" in shown
    await finished(fake, await fake.click(reply, "confirm:yes", user=office.admin), "Imported")
    stored = await bodycam(bot.database, Scope.guild(office.guild.id), "denver-co-ice-ero")
    assert stored["notes"] == "@everyone see <@123>"


async def test_cancel_writes_nothing(
    fake: FakeDiscord, office: Office, bot: OversightBot, host: FileHost
) -> None:
    """Cancel after the preview: the message says so and no revision is written."""
    before = await revision_count(bot.database)
    reply = await slash_with_file(
        fake, host, "admin import", "cams.csv", csv_file(DENVER), user=office.admin
    )
    cancelled = await fake.click(reply, "confirm:no", user=office.admin)
    assert cancelled.message.content == "Cancelled: nothing was imported."
    assert not cancelled.message.components
    assert await revision_count(bot.database) == before


async def test_no_answer_in_time_writes_nothing(
    fake: FakeDiscord,
    office: Office,
    bot: OversightBot,
    host: FileHost,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Nobody clicks: the buttons go away with 'nothing was imported', and nothing is."""
    monkeypatch.setattr(loaded_transfer_module(), "CONFIRM_TIMEOUT", 0.2)
    before = await revision_count(bot.database)
    reply = await slash_with_file(
        fake, host, "admin import", "cams.csv", csv_file(DENVER), user=office.admin
    )
    assert await finished(fake, reply, "No answer in time") == (
        "No answer in time: nothing was imported."
    )
    assert not reply.message.components
    assert await revision_count(bot.database) == before


async def test_errors_are_listed_by_row_and_column_and_nothing_is_written(
    fake: FakeDiscord, office: Office, bot: OversightBot, host: FileHost
) -> None:
    """Bad status, bad state and bad date: each named by row and column, no buttons, nothing
    written."""
    before = await revision_count(bot.database)
    rows = (DENVER, "bodycam,Austin,Texas,ICE-ERO,sometimes,2026-13-01,")
    reply = await slash_with_file(
        fake, host, "admin import", "bad.csv", csv_file(*rows), user=office.admin
    )
    embed = reply.embeds[0]
    assert embed["title"] == "bad.csv: 3 problems; nothing was imported"
    assert embed["description"].splitlines() == [
        "• row 2, column as_of: Input should be a valid date or datetime, month value is outside "
        "expected range of 1-12",
        "• row 2, column state: String should have at most 2 characters",
        "• row 2, column status: Input should be 'none_known', 'announced', 'partial', 'full', "
        "'court_ordered', 'suspended' or 'ended'",
    ]
    assert not reply.message.components
    assert await revision_count(bot.database) == before


async def test_only_the_first_twenty_errors_are_listed_with_the_count(
    fake: FakeDiscord, office: Office, bot: OversightBot, host: FileHost
) -> None:
    """30 bad rows: twenty listed, 'and 10 more', 30 in the title."""
    rows = [f"bodycam,Town {n},XX1,ICE-ERO,full,2026-11-20," for n in range(30)]
    reply = await slash_with_file(
        fake, host, "admin import", "bad.csv", csv_file(*rows), user=office.admin
    )
    embed = reply.embeds[0]
    assert embed["title"] == "bad.csv: 30 problems; nothing was imported"
    assert len(embed["description"].splitlines()) == 20


async def test_a_failure_while_applying_writes_nothing_at_all(
    fake: FakeDiscord, office: Office, bot: OversightBot, host: FileHost
) -> None:
    """Two good rows and an action for a bill that does not exist: the preview passes, the
    apply fails on that row, and not even the good rows are written."""
    before = await revision_count(bot.database)
    action = json.dumps(
        {
            "format": "oversight-desk/1",
            "records": [
                {"kind": "bodycam", "city": "Denver", "state": "CO", "component": "ICE-ERO",
                 "status": "announced", "as_of": "2026-11-20"},
                {"kind": "bodycam", "city": "Boise", "state": "ID", "component": "ICE-ERO",
                 "status": "announced", "as_of": "2026-11-20"},
                {"kind": "action", "measure_key": "119-hr99999", "action_date": "2026-11-01",
                 "chamber": "house", "text": "Passed.", "as_of": "2026-11-20"},
            ],
        }
    ).encode()  # fmt: skip
    reply = await slash_with_file(fake, host, "admin import", "x.json", action, user=office.admin)
    assert "**3** new" in reply.embeds[0]["description"]
    clicked = await fake.click(reply, "confirm:yes", user=office.admin)
    await fake.wait_until(lambda: bool(clicked.message.embeds), what="the error list")
    problem = clicked.message.embeds[0]["description"]
    assert problem.startswith("• row 3, column measure_key: no measure with key '119-hr99999'")
    assert await revision_count(bot.database) == before


async def test_a_large_import_shows_its_progress(
    fake: FakeDiscord, office: Office, bot: OversightBot, host: FileHost
) -> None:
    """1,001 new cities: the response is edited to 'Importing… 500 / 1,001' and '1,000 /
    1,001' on the way, then shows the result."""
    rows = [f"bodycam,Town {n},MN,ICE-ERO,announced,2026-11-20," for n in range(1001)]
    reply = await slash_with_file(
        fake, host, "admin import", "many.csv", csv_file(*rows), user=office.admin
    )
    assert "**1,001** new" in reply.embeds[0]["description"]
    assert "… and 991 more" in reply.embeds[0]["footer"]["text"]
    clicked = await fake.click(reply, "confirm:yes", user=office.admin)
    done = await finished(fake, clicked, "Imported")
    assert "1,001 created" in done
    shown = [edit.get("content") for edit in clicked.message.edits if edit.get("content")]
    assert shown[:3] == [f"Importing… {n} / 1,001" for n in ("0", "500", "1,000")]
    assert await bodycam(bot.database, Scope.guild(office.guild.id), "town-999-mn-ice-ero")


async def test_a_file_over_two_megabytes_is_refused_before_download(
    fake: FakeDiscord, office: Office, bot: OversightBot, host: FileHost
) -> None:
    """A 2.1 MB file: refused with its size and the limit."""
    big = csv_file(f"bodycam,Big,MN,ICE-ERO,announced,2026-11-20,{'x' * (2_200_000)}")
    reply = await slash_with_file(fake, host, "admin import", "big.csv", big, user=office.admin)
    assert reply.ephemeral
    assert reply.content.startswith("file: big.csv is 2.1 MB; the limit is 2 MB")


async def test_a_file_over_ten_thousand_rows_is_refused(
    fake: FakeDiscord, office: Office, bot: OversightBot, host: FileHost
) -> None:
    """10,001 rows: refused, saying how many and the limit; nothing written."""
    before = await revision_count(bot.database)
    rows = ["bodycam,A,MN,ICE-ERO,full,2026-11-20,"] * 10_001
    reply = await slash_with_file(
        fake, host, "admin import", "rows.csv", csv_file(*rows), user=office.admin
    )
    assert reply.content.startswith("file: rows.csv has 10,001 rows; the limit is 10,000")
    assert await revision_count(bot.database) == before


async def test_a_csv_cell_too_long_to_read_is_named(
    fake: FakeDiscord, office: Office, bot: OversightBot, host: FileHost
) -> None:
    """A 150,000-character cell (more than CSV reading allows): a named error, not a crash."""
    data = csv_file("bodycam,Denver,CO,ICE-ERO,full,2026-11-20," + "x" * 150_000)
    reply = await slash_with_file(fake, host, "admin import", "long.csv", data, user=office.admin)
    text = json.dumps(reply.embeds)
    assert "long.csv" in text and "not readable as CSV: field larger than field limit" in text


async def test_a_file_that_is_not_csv_or_json_is_refused(
    fake: FakeDiscord, office: Office, bot: OversightBot, host: FileHost
) -> None:
    """notes.txt: 'Cannot tell the format', naming .csv and .json."""
    reply = await slash_with_file(
        fake, host, "admin import", "notes.txt", b"hello", user=office.admin
    )
    assert reply.content == "Cannot tell the format of 'notes.txt'; accepted: .csv, .json."


async def test_import_by_a_viewer_is_refused_and_writes_nothing(
    fake: FakeDiscord, office: Office, bot: OversightBot, host: FileHost
) -> None:
    """A staffer's import: refused privately, no preview, nothing written."""
    before = await revision_count(bot.database)
    reply = await slash_with_file(
        fake, host, "admin import", "cams.csv", csv_file(DENVER), user=office.staffer
    )
    assert reply.ephemeral and reply.content.startswith("Only editors can change records")
    assert await revision_count(bot.database) == before


async def test_a_guild_editor_cannot_import_into_the_shared_dataset(
    fake: FakeDiscord, office: Office, bot: OversightBot, host: FileHost
) -> None:
    """dataset: shared from an admin who is not an owner: refused, nothing written."""
    reply = await slash_with_file(
        fake,
        host,
        "admin import",
        "cams.csv",
        csv_file(DENVER),
        user=office.admin,
        dataset="shared",
    )
    assert reply.content.startswith("Only the bot's owners can change the shared dataset")


async def test_an_owner_imports_into_the_shared_dataset_for_every_guild(
    fake: FakeDiscord, office: Office, bot_db: Database, settings: Settings, host: FileHost
) -> None:
    """An owner's import with dataset: shared changes the shared Chicago record itself."""
    client = OversightBot(settings=with_owner(settings, office.admin.id), database=bot_db)
    async with running(fake, client):
        reply = await slash_with_file(
            fake,
            host,
            "admin import",
            "cams.csv",
            csv_file(CHICAGO),
            user=office.admin,
            dataset="shared",
        )
        assert "Into the shared dataset" in reply.embeds[0]["description"]
        clicked = await fake.click(reply, "confirm:yes", user=office.admin)
        await finished(fake, clicked, "Imported")
    chicago = await bodycam(bot_db, Scope.guild(office.guild.id), "chicago-il-ice-ero")
    assert (chicago["guild_id"], chicago["status"]) == (None, "full")


async def test_two_guilds_imports_never_see_each_other(
    fake: FakeDiscord, office: Office, bot: OversightBot, host: FileHost
) -> None:
    """Both offices import Denver with different statuses: each sees its own, and the second
    office's preview counts Denver as new, not as the first office's record."""
    other = fake.add_guild("Office of Sen. Other")
    other_admin = other.add_member("other-admin", permissions=1 << 5)
    first = await slash_with_file(
        fake, host, "admin import", "a.csv", csv_file(DENVER), user=office.admin
    )
    await finished(fake, await fake.click(first, "confirm:yes", user=office.admin), "Imported")
    theirs = DENVER.replace("announced", "full")
    second = await slash_with_file(
        fake, host, "admin import", "b.csv", csv_file(theirs), user=other_admin
    )
    assert "**1** new · **0** changed" in second.embeds[0]["description"]
    await finished(fake, await fake.click(second, "confirm:yes", user=other_admin), "Imported")
    key = "denver-co-ice-ero"
    assert (await bodycam(bot.database, Scope.guild(office.guild.id), key))["status"] == "announced"
    assert (await bodycam(bot.database, Scope.guild(other.id), key))["status"] == "full"
    assert await bodycam(bot.database, Scope.shared(), key) is None


# ---------------------------------------------------------------- /admin export


def attachment_of(reply: Reply) -> tuple[str, bytes]:
    assert reply.message is not None and reply.message.attachments
    name = reply.message.attachments[0]["filename"]
    return name, reply.message.files[name]


async def test_export_sends_a_csv_file_with_a_bom_and_escaped_formulas(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """Body cameras as CSV: a private file named by kind and date, UTF-8 with a BOM, every
    visible record (shared and the office's own), and a note starting '=' escaped."""
    async with bot.database.writer(Scope.guild(office.guild.id), _actor()) as writer:
        await writer.create(
            "bodycam",
            {"city": "Denver", "state": "CO", "component": "ICE-ERO", "status": "full",
             "as_of": "2026-11-20", "notes": "=HYPERLINK(\"http://x\")"},
        )  # fmt: skip
    reply = await fake.slash("admin export", kind="bodycam", user=office.admin)
    assert reply.ephemeral
    name, data = attachment_of(reply)
    assert name == "oversight-desk-bodycam-2026-11-28.csv"
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    expected = await export_records(bot.database, Scope.guild(office.guild.id), kinds=["bodycam"])
    assert len(rows) == len(json.loads(expected)["records"])
    denver = next(row for row in rows if row["city"] == "Denver")
    assert denver["notes"] == '\'=HYPERLINK("http://x")'
    assert reply.content.startswith(f"Body cameras: {len(rows)} records visible in this server")


async def test_export_by_a_viewer_is_refused(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """A staffer gets no file, only the refusal."""
    reply = await fake.slash("admin export", kind="all", user=office.staffer)
    assert reply.content.startswith("Only editors can change records")
    assert not reply.message.attachments


async def test_an_export_over_the_size_limit_says_so_and_suggests_a_kind(
    fake: FakeDiscord, office: Office, bot: OversightBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bigger than the limit (shrunk for the test): no file, the size, and a narrower kind."""
    monkeypatch.setattr(loaded_transfer_module(), "EXPORT_LIMIT", 1000)
    reply = await fake.slash("admin export", kind="all", format="json", user=office.admin)
    assert "over Discord's 1000 bytes limit for a file" in reply.content
    assert "Export one kind at a time" in reply.content
    assert not reply.message.attachments


@pytest.mark.parametrize("fmt", ["csv", "json"])
async def test_export_then_import_through_discord_changes_nothing(
    fake: FakeDiscord, office: Office, bot: OversightBot, host: FileHost, fmt: str
) -> None:
    """Everything the office sees (shared records, its own, its copy of a shared one), exported
    and imported back as it came: nothing to import, no shared record copied, nothing
    written."""
    async with bot.database.writer(Scope.guild(office.guild.id), _actor()) as writer:
        await writer.create(
            "bodycam",
            {"city": "Denver", "state": "CO", "component": "ICE-ERO", "status": "full",
             "as_of": "2026-11-20", "notes": "+1 @everyone <@123> =SUM(A1)"},
        )  # fmt: skip
        await writer.change("bodycam", "chicago-il-ice-ero", {"notes": "-Our copy"})
    before = await revision_count(bot.database)
    exported = await fake.slash("admin export", kind="all", format=fmt, user=office.admin)
    name, data = attachment_of(exported)
    reply = await slash_with_file(fake, host, "admin import", name, data, user=office.admin)
    assert reply.content.startswith("Nothing to import: all ")
    assert reply.content.endswith("records in the file already match this server's records. "
                                  "Nothing was written.")  # fmt: skip
    assert await revision_count(bot.database) == before


def _actor() -> Actor:
    return Actor("test editor", 1)


# ---------------------------------------------------------------- random input

_cells = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
_columns = st.lists(
    st.sampled_from(["kind", "city", "state", "component", "status", "as_of", "notes", "bogus"]),
    min_size=1,
    max_size=6,
)


@settings(max_examples=20, deadline=None, **HIDDEN)
@given(
    columns=_columns,
    rows=st.lists(st.lists(_cells, max_size=7), max_size=4),
    name=st.sampled_from(["f.csv", "f.json", "f.CSV", "f.txt", "f"]),
    raw=st.binary(max_size=40),
)
async def test_random_files_never_break_or_write_without_confirm(
    fake: FakeDiscord,
    office: Office,
    bot: OversightBot,
    host: FileHost,
    columns: list[str],
    rows: list[list[str]],
    name: str,
    raw: bytes,
) -> None:
    """Any file content and name: a private answer (a preview, errors or a refusal), never
    'Something went wrong', and nothing written until Confirm (Cancel when a preview shows)."""
    lift(bot)  # one admin's 40 imports on purpose, not a flood to refuse
    before = await revision_count(bot.database)
    out = io.StringIO()
    csv.writer(out).writerows([columns, *rows])
    for data in (out.getvalue().encode(), raw):
        reply = await slash_with_file(fake, host, "admin import", name, data, user=office.admin)
        assert reply.ephemeral
        assert not (reply.content or "").startswith("Something went wrong")
        if reply.message is not None and reply.message.components:
            await fake.click(reply, "confirm:no", user=office.admin)
        assert await revision_count(bot.database) == before


@settings(max_examples=20, deadline=None, **HIDDEN)
@given(
    kind=st.sampled_from(["measure", "action", "funding_line", "funding_period", "bodycam",
                          "question", "link", "all"]),
    fmt=st.sampled_from(["csv", "json"]),
)  # fmt: skip
async def test_random_exports_never_break_or_write(
    fake: FakeDiscord, office: Office, bot: OversightBot, kind: str, fmt: str
) -> None:
    """Any kind and format: a private file that parses back, and nothing written."""
    lift(bot)  # one admin's 20 exports on purpose, not a flood to refuse
    before = await revision_count(bot.database)
    reply = await fake.slash("admin export", kind=kind, format=fmt, user=office.admin)
    name, data = attachment_of(reply)
    assert reply.ephemeral and name.endswith(f".{fmt}")
    assert parse(data, fmt) is not None
    assert await revision_count(bot.database) == before


async def test_the_import_waits_for_nothing_else(
    fake: FakeDiscord, office: Office, bot: OversightBot, host: FileHost
) -> None:
    """Two previews open at once each answer their own buttons (one cancelled, one confirmed)."""
    one, two = await asyncio.gather(
        slash_with_file(fake, host, "admin import", "1.csv", csv_file(DENVER), user=office.admin),
        slash_with_file(fake, host, "admin import", "2.csv", csv_file(CHICAGO), user=office.admin),
    )
    await fake.click(one, "confirm:no", user=office.admin)
    await finished(fake, await fake.click(two, "confirm:yes", user=office.admin), "Imported")
    guild = Scope.guild(office.guild.id)
    assert await bodycam(bot.database, guild, "denver-co-ice-ero") is None
    assert (await bodycam(bot.database, guild, "chicago-il-ice-ero"))["status"] == "full"


# ---------------------------------------------------------------- hostile files

DEEP = "[" * 10_000 + "]" * 10_000


def envelope(*records: Json) -> bytes:
    return json.dumps({"format": "oversight-desk/1", "records": list(records)}).encode()


def camera(**values: Any) -> Json:
    return {"kind": "bodycam", "city": "Denver", "state": "CO", "component": "ICE-ERO",
            "status": "announced", "as_of": "2026-11-20", **values}  # fmt: skip


def question(**values: Any) -> Json:
    return {"kind": "question", "key": "GQ-40", "question": "When?", "asked_by": "Rep. Example",
            "addressed_to": "ICE", "as_of": "2026-11-20", **values}  # fmt: skip


@pytest.mark.parametrize(
    ("name", "data", "problem"),
    [
        ("deep.json", DEEP.encode(), "• file: JSON nested more than 6 levels deep (line 1, "),
        (
            "deep.json",
            envelope(camera(), camera(city="Boise", state="ID", sources="@")).replace(
                b'"@"', DEEP.encode()
            ),
            "• row 2, column sources: nested more than 3 levels deep",
        ),
        (
            "ctl.csv",
            csv_file(DENVER, header=HEADER.replace("notes", "no\x00tes")),
            "• file, column no\\u0000tes: the column name contains control character U+0000",
        ),
        (
            "ctl.json",
            envelope(camera(sources=[{"outlet": "NYT", "url": "https://x/\x01"}])),
            "• row 1, column sources: item 1, url: control character U+0001 at character 11",
        ),
        (
            "far.json",
            envelope(question(due_date="9999-12-31")),
            "• row 1, column due_date: 9999-12-31 is outside the years accepted, 1900–2100",
        ),
        ("empty.json", b"", "• file: it is empty; expected an object {"),
        ("latin1.csv", HEADER.encode() + b"\nbodycam,M\xfcnchen", "• file: not UTF-8 text"),
        ("list.json", b"[1, 2, 3]", '• file, column format: expected an object {"format"'),
    ],
    ids=["deep-file", "deep-field", "control-header", "control-source", "far-date",
         "empty", "not-utf8", "not-object"],
)  # fmt: skip
async def test_hostile_files_are_refused_by_row_and_column_and_write_nothing(
    fake: FakeDiscord,
    office: Office,
    bot: OversightBot,
    host: FileHost,
    name: str,
    data: bytes,
    problem: str,
) -> None:
    """Deep nesting, control characters, dates past the accepted years, an empty file, bytes
    that are not UTF-8, a JSON list: the thinking message becomes the list of problems (no
    buttons); nothing is written."""
    before = await revision_count(bot.database)
    reply = await slash_with_file(fake, host, "admin import", name, data, user=office.admin)
    embed = reply.embeds[0]
    assert embed["title"].endswith("nothing was imported")
    assert embed["description"].startswith(problem)
    assert not reply.message.components
    assert await revision_count(bot.database) == before


async def test_a_derived_deadline_past_the_calendar_finishes_the_progress_message(
    fake: FakeDiscord, office: Office, bot: OversightBot, host: FileHost
) -> None:
    """A bill stored with enactment in 9999 and a question due 3,650 days after it: the preview
    passes, Confirm fails at that row, and the 'Importing…' message becomes the error list;
    nothing is written."""
    async with bot.database.writer(Scope.guild(office.guild.id), _actor()) as writer:
        await writer.create(
            "measure",
            {"congress": 119, "bill_type": "hr", "bill_number": 9, "title": "Far",
             "enacted_on": "9999-12-01", "as_of": "2026-11-20"},
        )  # fmt: skip
    before = await revision_count(bot.database)
    rule = question(due_rule_measure_key="119-hr9", due_rule_days=3650)
    reply = await slash_with_file(
        fake, host, "admin import", "rule.json", envelope(camera(), rule), user=office.admin
    )
    assert "**2** new" in reply.embeds[0]["description"]
    clicked = await fake.click(reply, "confirm:yes", user=office.admin)
    await fake.wait_until(lambda: bool(clicked.message.embeds), what="the error list")
    assert clicked.message.embeds[0]["description"].startswith(
        "• row 2, column due_rule_days: 3,650 days from Dec 1, 9999 is outside the calendar"
    )
    assert not clicked.message.content
    assert await revision_count(bot.database) == before


async def test_an_unexpected_failure_while_writing_finishes_the_progress_message(
    fake: FakeDiscord,
    office: Office,
    bot: OversightBot,
    host: FileHost,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A bug inside the write: the 'Importing…' message says what happened, with a ref, and
    that nothing was imported; there is no second message."""

    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(loaded_transfer_module(), "apply_import", broken)
    reply = await slash_with_file(
        fake, host, "admin import", "cams.csv", csv_file(DENVER), user=office.admin
    )
    clicked = await fake.click(reply, "confirm:yes", user=office.admin)
    text = await finished(fake, clicked, "Something went wrong")
    assert "while writing cams.csv: nothing was imported" in text
    assert not clicked.message.components and not clicked.message.embeds
    assert not reply.followups and not clicked.followups
    assert await bodycam(bot.database, Scope.guild(office.guild.id), "denver-co-ice-ero") is None


async def test_an_unexpected_failure_while_reading_finishes_the_thinking_message(
    fake: FakeDiscord,
    office: Office,
    bot: OversightBot,
    host: FileHost,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A bug while checking the file: the thinking message itself says so, with a ref."""

    def broken(*args: Any) -> Any:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(loaded_transfer_module(), "parse", broken)
    reply = await slash_with_file(
        fake, host, "admin import", "cams.csv", csv_file(DENVER), user=office.admin
    )
    assert reply.content.startswith("Something went wrong (ref ")
    assert "while importing cams.csv: nothing was imported" in reply.content
    assert not reply.followups


async def test_the_preview_names_a_link_end_that_is_already_recorded_by_its_label(
    fake: FakeDiscord, office: Office, bot: OversightBot, host: FileHost
) -> None:
    """A new link from OQ-4 to the Minneapolis record (in the starter data, not in the file):
    the preview looks the record up and names it as people know it."""
    data = envelope(
        {"kind": "link", "a_kind": "question", "a_key": "OQ-4", "b_kind": "bodycam",
         "b_key": "minneapolis-mn-ice-ero", "as_of": "2026-11-20"},
    )  # fmt: skip
    reply = await slash_with_file(fake, host, "admin import", "link.json", data, user=office.admin)
    [field] = reply.embeds[0]["fields"]
    assert field["name"] == "New: Link: Minneapolis, MN · ICE-ERO ↔ OQ-4 (row 1)"
