"""/admin oversight add|answer|update|close: keep oversight questions current from Discord.

`add` opens a modal for the long text (the options carry the rest); the others take options.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import discord
from discord import app_commands

from bot.deadline import opens_modal
from bot.render.admin import change_message
from cogs._options import BillOption, DateOption, QuestionOption, scope_of
from cogs.admin._base import (
    DATASET_HELP,
    AdminGroup,
    DatasetArg,
    bot_of,
    done,
    named,
    scope_for_write,
)
from cogs.admin._tools import (
    Pick,
    confirm_change,
    require_text,
    write_change,
)
from db.errors import InvalidInput, options_named
from db.models import Measure, OversightQuestion, QuestionStatus, Vehicle
from db.oversight import (
    answer_question,
    close_question,
    create_question,
    question_values,
    suggest_askers,
    suggest_components,
    update_question,
)
from db.sources import make_source

Interaction = discord.Interaction[Any]
MODAL_TIMEOUT = 900.0  # seconds to type the question (an interaction token lasts 15 minutes)
QUESTION_LIMIT = 4000  # QuestionFields.question
NOTES_LIMIT = 2000  # RecordFields.notes
# Data fields → the options (or modal fields) a person typed them in.
OPTION_NAMES = {
    "sent_date": "sent",
    "due_date": "due",
    "due_rule_measure_key": "due_rule_bill",
    "repeat_months": "repeat",
    "first_due_date": "due",
    "trigger_date": "trigger",
    "received_on": "answered_on",
    "url": "source_url",
    "outlet": "source_outlet",
    "sources": "source_url",
}
Q_HELP = "Question id"
# Discord counts every name, description and choice of /admin toward one 4,000-character budget.
CLEARABLE = {
    "component": ("component",),
    "sent": ("sent_date",),
    "due": ("due_date",),
    "due_rule": ("due_rule_measure_key", "due_rule_days"),
    "repeat": ("repeat_months", "first_due_date"),
    "trigger": ("trigger_date", "trigger_note"),
    "notes": ("notes",),
}
VehicleWord = app_commands.Transform[str, Pick(*(v.value for v in Vehicle))]
AnyStatus = app_commands.Transform[str, Pick(*(s.value for s in QuestionStatus))]
AnswerStatus = app_commands.Transform[
    str, Pick(QuestionStatus.answered.value, QuestionStatus.partially_answered.value)
]
CloseStatus = app_commands.Transform[
    str,
    Pick(
        QuestionStatus.answered.value, QuestionStatus.refused.value, QuestionStatus.withdrawn.value
    ),
]
ClearField = app_commands.Transform[str, Pick(*CLEARABLE)]
QuestionArg = app_commands.Transform[OversightQuestion, named(QuestionOption, "question")]
RuleBill = app_commands.Transform[Measure, named(BillOption, "due_rule_bill")]
SentDay = app_commands.Transform[dt.date, named(DateOption, "sent")]
DueDay = app_commands.Transform[dt.date, named(DateOption, "due")]
AnsweredDay = app_commands.Transform[dt.date, named(DateOption, "answered_on")]
TriggerDay = app_commands.Transform[dt.date, named(DateOption, "trigger")]
Months = app_commands.Range[int, 1, 12]
REPEAT_HELP = "Then every N months"
TRIGGER_HELP = "Condition date, not a deadline"
TRIGGER_NOTE_HELP = "What that date decides"


class QuestionModal(discord.ui.Modal):
    """The question's text (up to 4,000 characters) and notes; asker and addressee come filled in
    from the options and can be corrected here."""

    def __init__(
        self,
        *,
        command: Any,
        dataset: str,
        values: dict[str, Any],
        asked_by: str | None,
        addressed_to: str | None,
        custom_id: str,
    ) -> None:
        super().__init__(title="New oversight question", timeout=MODAL_TIMEOUT, custom_id=custom_id)
        self.command = command
        self.dataset = dataset
        self.values = values
        self.text: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="question",
            style=discord.TextStyle.paragraph,
            max_length=QUESTION_LIMIT,
            placeholder="The question as it was sent, word for word",
        )
        self.asked_by: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="asked_by", default=asked_by, max_length=200
        )
        self.addressed_to: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="addressed_to", default=addressed_to, max_length=200
        )
        self.notes: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="notes", required=False, max_length=NOTES_LIMIT
        )
        self.add_item(discord.ui.Label(text="Question", component=self.text))
        self.add_item(
            discord.ui.Label(
                text="Asked by", description="Member or committee", component=self.asked_by
            )
        )
        self.add_item(
            discord.ui.Label(
                text="Addressed to", description="Agency or office", component=self.addressed_to
            )
        )
        self.add_item(
            discord.ui.Label(
                text="Notes", description="Anything else staff should know", component=self.notes
            )
        )

    async def on_submit(self, interaction: Interaction) -> None:
        self.stop()
        scope = await scope_for_write(interaction, self.dataset)  # checked again at the submit
        values = {
            **self.values,
            "question": self.text.value,
            "asked_by": self.asked_by.value,
            "addressed_to": self.addressed_to.value,
            "notes": self.notes.value or None,
        }
        with options_named(OPTION_NAMES):
            change = await write_change(
                interaction,
                scope,
                "/admin oversight add",
                lambda writer: create_question(writer, values),
            )
        await done(interaction, change_message(change, shared=scope.is_shared))

    async def on_error(  # type: ignore[override]  # Modal.on_error drops BaseView's item
        self, interaction: Interaction, error: Exception
    ) -> None:
        self.stop()
        wrapped = app_commands.CommandInvokeError(self.command, error)
        await interaction.client.tree.on_error(interaction, wrapped)


class OversightAdmin(AdminGroup, name="oversight", description="Oversight questions"):
    @opens_modal
    @app_commands.command(name="add", description="Add a question (opens a form)")
    @app_commands.describe(
        asked_by="Who asked",
        addressed_to="Sent to whom",
        component="ICE, CBP, DHS…",
        vehicle="letter, qfr, hearing…",
        sent="Date sent",
        due="Date due",
        due_rule_bill="Bill starting the clock",
        due_rule_days="Days after enactment",
        repeat=REPEAT_HELP,
        trigger=TRIGGER_HELP,
        trigger_note=TRIGGER_NOTE_HELP,
        source_url="Its http(s) address",
        dataset=DATASET_HELP,
    )
    async def add(
        self,
        interaction: Interaction,
        asked_by: str | None = None,
        addressed_to: str | None = None,
        component: str | None = None,
        vehicle: VehicleWord | None = None,
        sent: SentDay | None = None,
        due: DueDay | None = None,
        due_rule_bill: RuleBill | None = None,
        due_rule_days: int | None = None,
        repeat: Months | None = None,
        trigger: TriggerDay | None = None,
        trigger_note: str | None = None,
        source_url: str | None = None,
        dataset: DatasetArg = "server",
    ) -> None:
        scope = await scope_for_write(interaction, dataset)
        with options_named(OPTION_NAMES):
            if source_url is not None:
                require_text("url", source_url, "give an http:// or https:// address")
            source = make_source(source_url) if source_url is not None else None
            if due_rule_bill is not None and scope.is_shared and due_rule_bill.guild_id:
                raise InvalidInput.one(
                    "due_rule_measure_key", "a shared question cannot follow a server's own bill"
                )
            values = question_values(
                {
                    "asked_by": asked_by,
                    "addressed_to": addressed_to,
                    "component": component,
                    "vehicle": vehicle,
                    "sent_date": sent,
                    "due_date": due,
                    "due_rule_measure_key": due_rule_bill.key if due_rule_bill else None,
                    "due_rule_days": due_rule_days,
                    "repeat_months": repeat,
                    "trigger_date": trigger,
                    "trigger_note": trigger_note,
                    "sources": [source] if source else None,
                }
            )
        asked, addressed = values.pop("asked_by", None), values.pop("addressed_to", None)
        modal = QuestionModal(
            command=interaction.command,
            dataset=dataset,
            values=values,
            asked_by=asked,
            addressed_to=addressed,
            custom_id=f"admin-oversight-add:{interaction.id}",
        )
        await interaction.response.send_modal(modal)

    @app_commands.command(name="answer", description="Record an answer")
    @app_commands.describe(
        question=Q_HELP,
        summary="What the answer says",
        answered_on="Date received",
        source_url="Answer's http(s) address",
        source_outlet="Answer's publisher",
        status="In full or in part",
        dataset=DATASET_HELP,
    )
    async def answer(
        self,
        interaction: Interaction,
        question: QuestionArg,
        summary: str,
        answered_on: AnsweredDay | None = None,
        source_url: str | None = None,
        source_outlet: str | None = None,
        status: AnswerStatus = QuestionStatus.answered.value,
        dataset: DatasetArg = "server",
    ) -> None:
        scope = await scope_for_write(interaction, dataset)
        today = bot_of(interaction).database.today()
        with options_named(OPTION_NAMES):
            source = make_source(source_url, source_outlet)
            change = await write_change(
                interaction,
                scope,
                "/admin oversight answer",
                lambda writer: answer_question(
                    writer,
                    question.key,
                    summary=summary,
                    received_on=answered_on or today,
                    source=source,
                    status=status,
                    today=today,
                ),
            )
        await confirm_change(interaction, change, scope)

    @app_commands.command(name="update", description="Change a question")
    @app_commands.describe(
        question=Q_HELP,
        asked_by="Who asked",
        addressed_to="Sent to whom",
        component="ICE, CBP, DHS…",
        vehicle="How asked",
        sent="Date sent",
        due="Date due",
        due_rule_bill="Bill starting the clock",
        due_rule_days="Days after enactment",
        repeat=REPEAT_HELP,
        trigger=TRIGGER_HELP,
        trigger_note=TRIGGER_NOTE_HELP,
        status="New status",
        notes="Notes (replace)",
        clear="Field to empty",
        dataset=DATASET_HELP,
    )
    async def update(
        self,
        interaction: Interaction,
        question: QuestionArg,
        asked_by: str | None = None,
        addressed_to: str | None = None,
        component: str | None = None,
        vehicle: VehicleWord | None = None,
        sent: SentDay | None = None,
        due: DueDay | None = None,
        due_rule_bill: RuleBill | None = None,
        due_rule_days: int | None = None,
        repeat: Months | None = None,
        trigger: TriggerDay | None = None,
        trigger_note: str | None = None,
        status: AnyStatus | None = None,
        notes: str | None = None,
        clear: ClearField | None = None,
        dataset: DatasetArg = "server",
    ) -> None:
        scope = await scope_for_write(interaction, dataset)
        given = {
            "asked_by": asked_by,
            "addressed_to": addressed_to,
            "component": component,
            "vehicle": vehicle,
            "sent_date": sent,
            "due_date": due,
            "due_rule_measure_key": due_rule_bill.key if due_rule_bill else None,
            "due_rule_days": due_rule_days,
            "repeat_months": repeat,
            "trigger_date": trigger,
            "trigger_note": trigger_note,
            "status": status,
            "notes": notes,
        }
        changes = {name: value for name, value in given.items() if value is not None}
        cleared = CLEARABLE.get(clear, ()) if clear else ()
        if clear and not cleared:
            raise InvalidInput.one("clear", f"must be one of {', '.join(CLEARABLE)}")
        if set(cleared) & set(changes):
            raise InvalidInput.one("clear", "cannot empty a field you are also setting")
        if not changes and not cleared:
            raise InvalidInput.one(
                "", "Nothing to change: give at least one option (asked_by, due, status, notes …)."
            )
        with options_named(OPTION_NAMES):
            change = await write_change(
                interaction,
                scope,
                "/admin oversight update",
                lambda writer: update_question(writer, question.key, changes, clear=cleared),
            )
        await confirm_change(interaction, change, scope)

    @app_commands.command(name="close", description="Close a question")
    @app_commands.describe(
        question=Q_HELP,
        status="How it ended",
        dataset=DATASET_HELP,
    )
    async def close(
        self,
        interaction: Interaction,
        question: QuestionArg,
        status: CloseStatus,
        dataset: DatasetArg = "server",
    ) -> None:
        scope = await scope_for_write(interaction, dataset)
        change = await write_change(
            interaction,
            scope,
            "/admin oversight close",
            lambda writer: close_question(writer, question.key, status),
        )
        await confirm_change(interaction, change, scope)

    @add.autocomplete("asked_by")
    @update.autocomplete("asked_by")
    async def _askers(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        async with bot_of(interaction).database.session() as session:
            names = await suggest_askers(session, scope_of(interaction), current[:100])
        return [app_commands.Choice(name=n[:100], value=n[:100]) for n in names]

    @add.autocomplete("component")
    @update.autocomplete("component")
    async def _components(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        async with bot_of(interaction).database.session() as session:
            names = await suggest_components(session, scope_of(interaction), current[:40])
        return [app_commands.Choice(name=n[:100], value=n[:100]) for n in names]
