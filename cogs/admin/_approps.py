"""/admin approps measure|action|line|period: keep the appropriations records current.

Each command checks on every call that the caller may write where they asked (this server's
records, or the shared dataset for the bot's owners), makes one change in one transaction, and
answers privately with what changed, field by field. The helpers at the top (named dates, option
names in errors, offered values, the change report) are shared with /admin bodycam.

Discord counts every name, description and choice of the whole /admin command against one size
limit, so descriptions are terse and fixed vocabularies are offered by autocomplete (not sent
as choices); the data layer refuses anything else with an error naming the option.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Coroutine, Iterable, Mapping
from typing import Any

import discord
from discord import app_commands

from bot.render.admin import change_lines, change_message, show_value
from bot.render.approps import CHAMBERS, MEASURE_KINDS, STAGES
from bot.render.common import CONFIDENCE_BADGES, CONTENT_LIMIT, clip, defang
from bot.service import CONGRESS_SYNC
from cogs._options import Bill, BillOption, DateOption
from cogs.admin._base import (
    DATASET_HELP,
    AdminGroup,
    DatasetArg,
    actor_name,
    bot_of,
    done,
    named,
    scope_for_write,
    typed_source,
)
from db import follows
from db.appropriations import (
    ActionRecorded,
    find_line,
    line_key,
    lookup_bill,
    period_key,
    record_action,
)
from db.changes import Change
from db.dates import format_date
from db.errors import Duplicate, InvalidInput, options_named
from db.follows import BillRef
from db.kinds import PERIOD_TYPE_LABELS
from db.models import Measure, bill_label
from db.scope import Actor, Scope
from db.sources import with_source

Interaction = discord.Interaction[Any]
Offer = Callable[[Interaction, str], Coroutine[Any, Any, list[app_commands.Choice[str]]]]

# ---------------------------------------------------------------- shared with /admin bodycam


def offer(labels: Mapping[str, str]) -> Offer:
    """Autocomplete over a fixed vocabulary (value → label): the values whose value or label
    contains what was typed."""

    async def complete(interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
        typed = current.strip().lower()
        return [
            app_commands.Choice(name=clip(f"{label} ({value})", 100), value=value)
            for value, label in labels.items()
            if typed in value.lower() or typed in label.lower()
        ][:25]

    return complete


AsOf = app_commands.Transform[dt.date, named(DateOption, "as_of")]
ActionDate = app_commands.Transform[dt.date, named(DateOption, "date")]
Start = app_commands.Transform[dt.date, named(DateOption, "start")]
End = app_commands.Transform[dt.date, named(DateOption, "end")]
Amount = app_commands.Range[int, 0, 10**13]
Year = app_commands.Range[int, 1990, 2100]
AS_OF_HELP = "As of (default today)"
SOURCE_URL_HELP = "Source URL"
SOURCE_OUTLET_HELP = "Source name (default: site)"
CONFIDENCE = dict(CONFIDENCE_BADGES)


def actor(interaction: Interaction) -> Actor:
    return Actor(actor_name(interaction), interaction.user.id)


def where(scope: Scope) -> str:
    return "the shared dataset" if scope.is_shared else "this server's records"


def code(value: str | None, known: Iterable[str] = ()) -> str | None:
    """A vocabulary value as typed ('Enacted ', 'ice-ero') in its stored spelling; anything
    else unchanged, for the data layer to refuse by name."""
    if value is None:
        return None
    typed = value.strip()
    spelled = {item.lower(): item for item in known}
    return spelled.get(typed.lower(), typed.lower() if not spelled else typed)


def given(**values: Any) -> dict[str, Any]:
    """The options someone filled in (text options typed as blank count as not given)."""
    return {
        name: value.strip() if isinstance(value, str) else value
        for name, value in values.items()
        if value is not None and not (isinstance(value, str) and not value.strip())
    }


# ---------------------------------------------------------------- options and names


class BillText(BillOption):
    """A bill as typed ('H.R. 7147', 'S. 12', 'H.J.Res. 5', '120-hr5') or picked from the list
    (its key), which need not exist yet: /admin approps measure adds it."""

    async def transform(self, interaction: Interaction, value: str) -> str:  # type: ignore[override]  # narrows the parent's result; discord.py reads it at run time
        if not value.strip():
            raise InvalidInput.one("bill", "give a bill number such as H.R. 7147")
        return value.strip()[:120]


PERIOD_TYPES = PERIOD_TYPE_LABELS
SHARED_ONLY = {"dataset": "shared"}  # bot.permissions: owners only, no dataset option
MEASURE_OPTIONS = {
    "measure_kind": "kind",
    "confidence_note": "reason",
    "bill_type": "bill",
    "bill_number": "bill",
    "congress": "bill",
    "sources": "source",
}
ACTION_OPTIONS = {"action_date": "date", "measure_key": "bill", "sources": "source"}
LINE_OPTIONS = {"measure_key": "bill", "sources": "source"}
PERIOD_OPTIONS = {
    "period_type": "type",
    "start_date": "start",
    "end_date": "end",
    "measure_key": "bill",
    "sources": "source",
}


def confirmation(change: Change, name: str, scope: Scope) -> str:
    """The private confirmation of a record edit (bot.render.admin.change_message)."""
    return change_message(change, shared=scope.is_shared, name=name)


def measure_name(values: Mapping[str, Any]) -> str:
    return bill_label(values["bill_type"], values.get("bill_number"), values["title"])


def line_name(values: Mapping[str, Any]) -> str:
    what = values.get("purpose") or values["account"]
    return f"FY{values['fiscal_year']} {values['component']} · {what}"


def period_name(values: Mapping[str, Any]) -> str:
    kind = "funding" if values["period_type"] == "funded" else "lapse"
    start = dt.date.fromisoformat(values["start_date"])
    return f"FY{values['fiscal_year']} {kind} from {format_date(start)}"


def _label(measure: Measure) -> str:
    return bill_label(measure.bill_type, measure.bill_number, measure.title)


def action_report(result: ActionRecorded, label: str, scope: Scope) -> str:
    """The action recorded, where its bill stands now (old → new), and due dates that moved."""
    action = result.action
    chamber = CHAMBERS.get(str(action.chamber), str(action.chamber))
    vote = f" ({defang(action.vote)})" if action.vote else ""
    lines = [
        f"Recorded in {where(scope)}: {label}, {chamber}, {format_date(action.action_date)}: "
        f"{clip(defang(action.text), 300)}{vote}"
    ]
    stage = str(result.measure.after["stage"])
    if result.measure.outcome == "unchanged":
        lines.append(f"Stage: {STAGES.get(stage, stage)} (unchanged).")
    else:
        lines.append(f"Stage now: {STAGES.get(stage, stage)}. {label} changed:")
        for field, (old, new) in result.measure.diff.items():
            lines += change_lines(field, old, new)
        if result.measure.outcome == "copied":
            lines.append("This server now has its own version of the bill; others keep the shared.")
    for question, old, new in result.due_dates:
        old_text, new_text = show_value("due_date", old), show_value("due_date", new)
        lines.append(f"Due date of {question}: {old_text} → {new_text}")
    return clip("\n".join(lines), CONTENT_LIMIT)


# ---------------------------------------------------------------- the commands


class AppropsAdmin(AdminGroup, name="approps", description="Edit appropriations records"):
    @app_commands.command(name="measure", description="Add or edit a bill")
    @app_commands.describe(
        bill="e.g. H.R. 7147, or pick one",
        title="Title (needed for a new bill)",
        fiscal_year="Fiscal year",
        kind="Kind of measure",
        stage="Stage",
        public_law="e.g. 119-86",
        report="e.g. H. Rept. 119-173",
        url="Its page (https://…)",
        source=SOURCE_URL_HELP,
        outlet=SOURCE_OUTLET_HELP,
        as_of=AS_OF_HELP,
        confidence="Confidence",
        reason="Why (the note if disputed)",
        dataset=DATASET_HELP,
    )
    @app_commands.autocomplete(
        kind=offer(MEASURE_KINDS), stage=offer(STAGES), confidence=offer(CONFIDENCE)
    )
    async def measure(
        self,
        interaction: Interaction,
        bill: app_commands.Transform[str, BillText],
        title: str | None = None,
        fiscal_year: Year | None = None,
        kind: str | None = None,
        stage: str | None = None,
        public_law: str | None = None,
        report: str | None = None,
        url: str | None = None,
        source: str | None = None,
        outlet: str | None = None,
        as_of: AsOf | None = None,
        confidence: str | None = None,
        reason: str | None = None,
        dataset: DatasetArg = "server",
    ) -> None:
        scope = await scope_for_write(interaction, dataset)
        database = bot_of(interaction).database
        today = database.today()
        ref = typed_source(source, outlet)
        values = given(
            title=title,
            fiscal_year=fiscal_year,
            measure_kind=code(kind),
            stage=code(stage),
            public_law=public_law,
            report=report,
            url=url,
            as_of=as_of,
            confidence=code(confidence),
            confidence_note=reason,
        )
        with options_named(MEASURE_OPTIONS):
            async with database.writer(scope, actor(interaction), reason=reason) as writer:
                found = await lookup_bill(writer.session, scope, bill, congress=None, today=today)
                if found.key is None:
                    raise InvalidInput.one(
                        "bill",
                        f"'{clip(bill, 60)}' is not a bill number: type one such as H.R. 7147, "
                        "S. 12, H.J.Res. 5 or 120-hr5, or pick a bill from the list",
                    )
                if found.measure is None:
                    assert found.number is not None
                    if "title" not in values:
                        raise InvalidInput.one(
                            "title", f"{found.key} is not recorded yet: give its title to add it"
                        )
                    values |= {
                        "congress": int(found.key.split("-", 1)[0]),
                        "bill_type": found.number.bill_type,
                        "bill_number": found.number.number,
                    }
                change = await writer.save(
                    "measure", values, key=found.key, also={"as_of": today}, source=ref
                )
        await done(interaction, confirmation(change, measure_name(change.after), scope))

    @app_commands.command(name="action", description="Record an action on a bill")
    @app_commands.describe(
        bill="The bill",
        date="e.g. 2026-01-22",
        chamber="Chamber",
        text="What happened",
        vote="e.g. 220-207 or voice vote",
        stage_after="Stage after it",
        source=SOURCE_URL_HELP,
        outlet=SOURCE_OUTLET_HELP,
        as_of=AS_OF_HELP,
        dataset=DATASET_HELP,
    )
    @app_commands.autocomplete(chamber=offer(CHAMBERS), stage_after=offer(STAGES))
    async def action(
        self,
        interaction: Interaction,
        bill: Bill,
        date: ActionDate,
        chamber: str,
        text: str,
        vote: str | None = None,
        stage_after: str | None = None,
        source: str | None = None,
        outlet: str | None = None,
        as_of: AsOf | None = None,
        dataset: DatasetArg = "server",
    ) -> None:
        scope = await scope_for_write(interaction, dataset)
        database = bot_of(interaction).database
        ref = typed_source(source, outlet)
        values = {
            "measure_key": bill.key,
            "action_date": date,
            "chamber": code(chamber),
            "text": text,
            "as_of": as_of or database.today(),
            "sources": with_source([], ref),
            **given(vote=vote, stage_after=code(stage_after)),
        }
        with options_named(ACTION_OPTIONS):
            try:
                async with database.writer(scope, actor(interaction), effective_on=date) as writer:
                    result = await record_action(writer, values)
            except Duplicate:
                raise Duplicate(
                    f"{_label(bill)} already has a {CHAMBERS.get(values['chamber'], chamber)} "
                    f"action on {format_date(date)} in {where(scope)}. Nothing was written."
                ) from None
        await done(interaction, action_report(result, defang(_label(bill)), scope))

    @app_commands.command(name="line", description="Set a funding line's amounts")
    @app_commands.describe(
        fiscal_year="Fiscal year",
        component="e.g. ICE",
        account="e.g. Operations and Support",
        purpose="e.g. Body-worn cameras",
        bill="Bill with the amounts",
        requested="Requested ($)",
        house="House bill ($)",
        senate="Senate bill ($)",
        enacted="Enacted ($)",
        source=SOURCE_URL_HELP,
        outlet=SOURCE_OUTLET_HELP,
        dataset=DATASET_HELP,
    )
    async def line(
        self,
        interaction: Interaction,
        fiscal_year: Year,
        component: str,
        account: str,
        purpose: str | None = None,
        bill: Bill | None = None,
        requested: Amount | None = None,
        house: Amount | None = None,
        senate: Amount | None = None,
        enacted: Amount | None = None,
        source: str | None = None,
        outlet: str | None = None,
        dataset: DatasetArg = "server",
    ) -> None:
        scope = await scope_for_write(interaction, dataset)
        database = bot_of(interaction).database
        ref = typed_source(source, outlet)
        purpose = (purpose or "").strip() or None
        values = {"fiscal_year": fiscal_year, "component": component, "account": account}
        values |= given(
            purpose=purpose,
            measure_key=bill.key if bill is not None else None,
            requested=requested,
            house=house,
            senate=senate,
            enacted=enacted,
        )
        with options_named(LINE_OPTIONS):
            async with database.writer(scope, actor(interaction)) as writer:
                existing = await find_line(
                    writer.session,
                    scope,
                    fiscal_year=fiscal_year,
                    component=component,
                    account=account,
                    purpose=purpose,
                )
                key = line_key(fiscal_year, component, account, purpose)
                change = await writer.save(
                    "funding_line",
                    values,
                    key=existing.key if existing is not None else key,
                    also={"as_of": database.today()},
                    source=ref,
                    identity=("fiscal_year", "component", "account", "purpose"),
                )
        await done(interaction, confirmation(change, line_name(change.after), scope))

    @app_commands.command(name="period", description="Set the funded-through date or a lapse")
    @app_commands.describe(
        fiscal_year="Fiscal year",
        type="funded or lapse",
        start="First day",
        end="Last day (leave out if still open)",
        bill="The funding bill",
        components="e.g. TSA, FEMA",
        description="What happened",
        source=SOURCE_URL_HELP,
        outlet=SOURCE_OUTLET_HELP,
        dataset=DATASET_HELP,
    )
    @app_commands.autocomplete(type=offer(PERIOD_TYPES))
    async def period(
        self,
        interaction: Interaction,
        fiscal_year: Year,
        type: str,
        start: Start,
        end: End | None = None,
        bill: Bill | None = None,
        components: str | None = None,
        description: str | None = None,
        source: str | None = None,
        outlet: str | None = None,
        dataset: DatasetArg = "server",
    ) -> None:
        scope = await scope_for_write(interaction, dataset)
        database = bot_of(interaction).database
        ref = typed_source(source, outlet)
        listed = None
        if components is not None:
            listed = [part.strip() for part in components.split(",") if part.strip()]
        period_type = code(type) or ""
        values = given(
            fiscal_year=fiscal_year,
            period_type=period_type,
            start_date=start,
            end_date=end,
            measure_key=bill.key if bill is not None else None,
            components=listed,
            description=description,
        )
        with options_named(PERIOD_OPTIONS):
            key = period_key(fiscal_year, period_type, start)
            async with database.writer(scope, actor(interaction)) as writer:
                change = await writer.save(
                    "funding_period",
                    values,
                    key=key,
                    also={"as_of": database.today()},
                    source=ref,
                    identity=("fiscal_year", "period_type", "start_date"),
                )
        await done(interaction, confirmation(change, period_name(change.after), scope))

    @app_commands.command(
        name="follow", description="Sync a bill from Congress.gov", extras=SHARED_ONLY
    )
    @app_commands.describe(bill="e.g. 119/hr/7147")
    async def follow(self, interaction: Interaction, bill: str) -> None:
        await scope_for_write(interaction, "shared")  # owners only: the sync writes the shared data
        database = bot_of(interaction).database
        ref = BillRef.parse(bill, today=database.today())
        added = await follows.follow(
            database, [ref], source="owner", followed_by=interaction.user.id
        )
        label = bill_label(ref.bill_type, ref.number, "")
        if not added:
            await done(interaction, f"{label} ({bill_congress(ref)}) is already followed.")
            return
        wake_congress_sync(interaction)
        await done(
            interaction,
            f"Following {label} ({bill_congress(ref)}) on Congress.gov: the next sync brings its "
            "actions into the shared dataset, and every channel following appropriations sees "
            "what changes.",
        )

    @app_commands.command(name="unfollow", description="Stop syncing a bill", extras=SHARED_ONLY)
    @app_commands.describe(bill="e.g. 119/hr/7147")
    async def unfollow(self, interaction: Interaction, bill: str) -> None:
        await scope_for_write(interaction, "shared")
        database = bot_of(interaction).database
        ref = BillRef.parse(bill, today=database.today())
        label = bill_label(ref.bill_type, ref.number, "")
        if not await follows.unfollow(database, ref):
            await done(interaction, f"{label} ({bill_congress(ref)}) was not followed.")
            return
        await done(
            interaction,
            f"No longer following {label} ({bill_congress(ref)}): its records stay as they are, "
            "and discovery will not take it up again (use follow to resume).",
        )


def bill_congress(ref: BillRef) -> str:
    """'119th Congress', '121st Congress', '122nd Congress'."""
    number = ref.congress
    ends = {1: "st", 2: "nd", 3: "rd"}
    suffix = "th" if 10 <= number % 100 <= 20 else ends.get(number % 10, "th")
    return f"{number}{suffix} Congress"


def wake_congress_sync(interaction: Interaction) -> None:
    """Run the Congress.gov sync now, if it runs in this bot."""
    for service in getattr(bot_of(interaction), "services", ()):
        if getattr(service, "name", "") == CONGRESS_SYNC:
            service.wake()
