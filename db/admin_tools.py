"""Editors' record tools: add a question, answer, update and close it; add a source, set the
confidence, link two records, delete one.

Each function works inside the caller's writer (one transaction), changes the record the writer's
scope sees (a guild changing a shared record gets its own copy), writes nothing when nothing
changes, and returns a `Change`: what happened and each field's old and new value (JSON form).
Errors name the field they are about; `options_named` renames them after the options a person
typed (`sent_date` → `sent`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from db.changes import Writer, plain_values, proposed, validate
from db.edits import find_visible, get_visible
from db.errors import Duplicate, InvalidInput, Problem, ScopeError
from db.models import Confidence, QuestionStatus, Response, SourceRef
from db.oversight import add_question
from db.scope import Scope

Diff = dict[str, list[Any]]
EMPTY: tuple[Any, ...] = (None, [], "")  # values a summary of a new or deleted record leaves out
MAX_SOURCES = 20  # RecordFields.sources
URL_LIMIT = 500  # SourceRef.url
MAX_RESPONSES = 50  # QuestionFields.responses
ANSWER_STATUSES = (QuestionStatus.partially_answered, QuestionStatus.answered)
CLOSING_STATUSES = (QuestionStatus.answered, QuestionStatus.refused, QuestionStatus.withdrawn)
# A question's own fields that `/admin oversight update` may change.
QUESTION_FIELDS = (
    "asked_by",
    "addressed_to",
    "component",
    "vehicle",
    "sent_date",
    "due_date",
    "due_rule_measure_key",
    "due_rule_days",
    "status",
    "notes",
)


@dataclass(frozen=True)
class Change:
    """One write (or none): the record, what happened to it, and field → [old, new]."""

    kind: str
    key: str
    outcome: str  # created | updated | copied | unchanged | deleted
    diff: Diff
    row: Any
    shared_shows_again: bool = False  # a deleted guild copy uncovers the shared record

    @property
    def changed(self) -> bool:
        return self.outcome != "unchanged"


# ---------------------------------------------------------------- naming errors after options


def renamed(error: InvalidInput, names: Mapping[str, str]) -> InvalidInput:
    """The same problems, each field named as the person typed it (`sent_date` → `sent`);
    nested fields (`sources.0.url`) are renamed by their first part."""

    def name(field: str) -> str:
        if field in names:
            return names[field]
        head, dot, rest = field.partition(".")
        return f"{names[head]}{dot}{rest}" if head in names and dot else field

    renamed_error = InvalidInput([Problem(name(p.field), p.message) for p in error.problems])
    renamed_error.__cause__ = error.__cause__
    return renamed_error


@contextmanager
def options_named(names: Mapping[str, str]) -> Iterator[None]:
    """Re-raise InvalidInput from inside the block with its fields named after options."""
    try:
        yield
    except InvalidInput as error:
        raise renamed(error, names) from None


def _validated(model: Any, values: Mapping[str, Any]) -> dict[str, Any]:
    try:
        return model.model_validate(dict(values)).model_dump(mode="json")  # type: ignore[no-any-return]
    except ValidationError as error:
        raise InvalidInput.from_validation(error) from None


# ---------------------------------------------------------------- sources and responses


def outlet_of(url: str) -> str:
    """The site an address belongs to, for a source typed without an outlet."""
    host = urlsplit(url).hostname or url
    return host.removeprefix("www.")


def source_ref(
    url: str | None, outlet: str | None = None, published: dt.date | None = None
) -> dict[str, Any] | None:
    """A validated source (JSON form), or None when neither an address nor an outlet is given.
    Without an outlet, the address's site names it. Errors name `url`, `outlet`, `published`."""
    url = url.strip() if url is not None else None
    if not url and not (outlet and outlet.strip()):
        if published is not None:
            raise InvalidInput.one("published", "give the source's address or outlet too")
        return None
    values: dict[str, Any] = {"url": url or None, "published": published}
    if url and len(url) > URL_LIMIT:
        raise InvalidInput.one("url", f"must be at most {URL_LIMIT} characters")
    if url:
        _validated(SourceRef, {"outlet": "-", "url": url})  # the address first: it names the outlet
    values["outlet"] = outlet if outlet is not None and outlet.strip() else outlet_of(url or "")
    return _validated(SourceRef, values)


def _same_address(a: str | None, b: str | None) -> bool:
    def norm(url: str | None) -> str:
        if not url:
            return ""
        parts = urlsplit(url.strip())
        path = parts.path.rstrip("/")
        query = f"?{parts.query}" if parts.query else ""
        return f"{parts.scheme.lower()}://{parts.netloc.lower()}{path}{query}"

    return bool(a) and bool(b) and norm(a) == norm(b)


# ---------------------------------------------------------------- changing a visible record


def _diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> Diff:
    return {name: [old.get(name), value] for name, value in new.items() if old.get(name) != value}


def _created(row: Any) -> Diff:
    """A new record's fields as [None, value], leaving out the empty ones."""
    return {name: [None, value] for name, value in plain_values(row).items() if value not in EMPTY}


async def change_fields(
    writer: Writer,
    kind: str,
    key: str,
    changes: Mapping[str, Any],
    *,
    also: Mapping[str, Any] | None = None,
) -> Change:
    """Change fields of the record the writer's scope sees. `also` (say a newer as-of date) is
    written only when `changes` change something: a no-op writes nothing and copies nothing."""
    row = await get_visible(writer.session, writer.scope, kind, key)
    old, fields = proposed(row, changes)
    if not _diff(old, fields.model_dump(mode="json")):
        return Change(kind, row.key, "unchanged", {}, row)
    copied = row.guild_id is None and writer.scope.guild_id is not None
    written, _ = await writer.edit(row, {**changes, **(also or {})})
    diff = _diff(old, plain_values(written))
    return Change(kind, written.key, "copied" if copied else "updated", diff, written)


# ---------------------------------------------------------------- oversight questions


def question_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """Check a new question's values before its text is typed: the text, asker and addressee may
    still be missing (placeholders stand in). Returns the values without empty entries."""
    given = {name: value for name, value in values.items() if value is not None}
    placeholders = {"question": "?", "asked_by": "?", "addressed_to": "?", "as_of": dt.date.min}
    validate("question", {**placeholders, **given, "key": "OQ-0"})
    return given


async def create_question(writer: Writer, values: Mapping[str, Any]) -> Change:
    """A new question with the next free id of the writer's scope (OQ-n shared, GQ-n a guild's),
    as of today unless said otherwise."""
    row = await add_question(writer, {"as_of": writer.effective_on, **values})
    return Change("question", row.key, "created", _created(row), row)


async def answer_question(
    writer: Writer,
    key: str,
    *,
    summary: str,
    received_on: dt.date,
    source: Mapping[str, Any] | None = None,
    status: str = QuestionStatus.answered,
    today: dt.date | None = None,
) -> Change:
    """Append a response and set the status (answered or partially answered). Errors name
    `summary`, `received_on`, `status`."""
    if status not in {s.value for s in ANSWER_STATUSES}:
        raise InvalidInput.one("status", "must be 'answered' or 'partially_answered'")
    if today is not None and received_on > today:
        raise InvalidInput.one("received_on", "must not be after today")
    response = _validated(
        Response, {"received_on": received_on, "summary": summary, "source": source}
    )
    row = await get_visible(writer.session, writer.scope, "question", key)
    responses = [*plain_values(row)["responses"], response]
    if len(responses) > MAX_RESPONSES:
        raise InvalidInput.one(
            "summary", f"a question keeps at most {MAX_RESPONSES} responses; edit the notes instead"
        )
    as_of = max(row.as_of, received_on)
    return await change_fields(
        writer, "question", row.key, {"responses": responses, "status": status, "as_of": as_of}
    )


async def update_question(
    writer: Writer, key: str, changes: Mapping[str, Any], *, clear: tuple[str, ...] = ()
) -> Change:
    """Change a question's own fields (and empty those in `clear`); the as-of date becomes today
    when anything changes."""
    allowed = set(QUESTION_FIELDS)
    unknown = sorted((set(changes) | set(clear)) - allowed)
    if unknown:
        raise InvalidInput.one(unknown[0], "cannot be changed here")
    values = {**{name: None for name in clear}, **changes}
    return await change_fields(writer, "question", key, values, also={"as_of": writer.effective_on})


async def close_question(writer: Writer, key: str, status: str) -> Change:
    """Close a question as answered, refused or withdrawn."""
    if status not in {s.value for s in CLOSING_STATUSES}:
        raise InvalidInput.one("status", "must be 'answered', 'refused' or 'withdrawn'")
    return await update_question(writer, key, {"status": status})


# ---------------------------------------------------------------- any record


async def add_source(writer: Writer, kind: str, key: str, source: Mapping[str, Any]) -> Change:
    """Append a source (from `source_ref`); an address already listed writes nothing."""
    row = await get_visible(writer.session, writer.scope, kind, key)
    sources = plain_values(row)["sources"]
    if any(_same_address(old.get("url"), source.get("url")) for old in sources):
        raise Duplicate(
            f"That address is already listed among the sources of {row.key}; nothing changed."
        )
    if len(sources) >= MAX_SOURCES:
        raise InvalidInput.one(
            "url", f"a record keeps at most {MAX_SOURCES} sources; this one has {len(sources)}"
        )
    return await change_fields(writer, kind, row.key, {"sources": [*sources, dict(source)]})


async def set_confidence(
    writer: Writer, kind: str, key: str, level: str, reason: str | None = None
) -> Change:
    """Set how sure the record is; 'disputed' needs the reason (what conflicts). The reason is
    kept as the confidence note, which a new level without a reason clears."""
    if level not in {c.value for c in Confidence}:
        raise InvalidInput.one("level", "must be 'confirmed', 'reported' or 'disputed'")
    if level == Confidence.disputed and not (reason and reason.strip()):
        raise InvalidInput.one("reason", "say what conflicts when the level is 'disputed'")
    changes = {"confidence": level, "confidence_note": reason}
    with options_named({"confidence_note": "reason", "confidence": "level"}):
        return await change_fields(writer, kind, key, changes)


async def link_records(
    writer: Writer, record: tuple[str, str], other: tuple[str, str], note: str | None = None
) -> Change:
    """Link two visible records (in either order, one link); errors name `record`, `other`,
    `note`. A link the scope already sees writes nothing."""
    for option, (kind, key) in (("record", record), ("other", other)):
        if await find_visible(writer.session, writer.scope, kind, key) is None:
            raise InvalidInput.one(option, f"no {kind.replace('_', ' ')} '{key}' is visible here")
    if record == other:
        raise InvalidInput.one("other", "a record cannot be linked to itself; pick another one")
    values = {
        "a_kind": record[0],
        "a_key": record[1],
        "b_kind": other[0],
        "b_key": other[1],
        "as_of": writer.effective_on,
        "notes": note,
    }
    with options_named({"notes": "note"}):
        fields = validate("link", values)
    if await find_visible(writer.session, writer.scope, "link", fields.key) is not None:
        raise Duplicate(
            f"Those records are already linked ({record[0]} {record[1]} ↔ {other[0]} {other[1]}); "
            "nothing changed."
        )
    row = await writer.create("link", values)
    return Change("link", row.key, "created", _created(row), row)


SHARED_DELETE = (
    "{key} belongs to the shared dataset, which the bot's owners keep: a server can delete only "
    "its own records, so the shared record stays. You can change it instead (your server then "
    "keeps its own version)."
)


async def deletable(session: AsyncSession, scope: Scope, kind: str, key: str) -> Any:
    """The record the scope sees under `key`, if the scope may delete it (its own)."""
    row = await get_visible(session, scope, kind, key)
    if row.guild_id != scope.guild_id:
        raise ScopeError(SHARED_DELETE.format(key=row.key))
    return row


async def delete_record(writer: Writer, kind: str, key: str) -> Change:
    """Delete the scope's own record (its delete revision keeps every field). A guild deleting
    its own copy of a shared record sees the shared one again."""
    row = await deletable(writer.session, writer.scope, kind, key)
    old = plain_values(row)
    await writer.delete(row)
    again = await find_visible(writer.session, writer.scope, kind, row.key) is not None
    diff = {name: [value, None] for name, value in old.items() if value not in EMPTY}
    return Change(kind, row.key, "deleted", diff, row, shared_shows_again=again)
