"""Import and export of records as JSON or CSV. I/O-free: callers pass and get text or bytes.

JSON
    {"format": "oversight-desk/1", "records": [{"kind": "bodycam", "city": "Chicago", ...}, ...]}
    Each record is "kind" plus fields of that kind (the names in db/models.py) in JSON form: dates
    as ISO strings (YYYY-MM-DD), lists as lists. "key" may be left out for every kind except
    "question" (the others derive it). A field left out is "not given": its default when the record
    is created, its stored value kept when the record is updated. null clears a field.

CSV
    A header row, then one record per row. The first column is "kind"; the others are field names.
    An export of one kind has that kind's fields as columns, in model order; an export of several
    kinds has the union of their fields (a cell is empty where a field does not apply to the row's
    kind). List and object fields (sources, responses, components) hold compact JSON in one cell.
    An empty cell is null, or "not given" for a field that cannot be null (key, confidence, status,
    sources...). Import accepts UTF-8 with or without a BOM, \\n, \\r\\n or \\r line endings and
    columns in any order; it rejects unknown columns and non-empty cells in columns that do not
    belong to the row's kind.

    Spreadsheet safety: on export, a cell that starts with = + - @, tab or carriage return (after
    any number of ' quotes) gets one more leading ', so a spreadsheet shows it as text instead of
    running it. On import, one leading ' is removed from such a cell: export → import gives back
    the same values. (So a typed cell "'=x" imports as "=x".)

Rows are numbered from 1: the Nth data row of a CSV (spreadsheet row N+1) or the Nth JSON record;
row 0 is the file itself (its header or its envelope).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, get_args, get_origin

from sqlalchemy.exc import SQLAlchemyError

from db.changes import Writer, field_diff, own_rows, plain_values, proposed, validate
from db.engine import Database
from db.errors import DomainError, InvalidInput
from db.models import FIELDS_OF, RECORD_TABLES, RecordFields
from db.rules import CHANGES_OTHERS, references
from db.scope import Actor, Scope, visible

FORMATS = ("csv", "json")
FORMAT_TAG = "oversight-desk/1"
PROGRESS_EVERY = 500
_SHOWN_ERRORS = 20
_RISKY = re.compile(r"'*[=+\-@\t\r]")  # what a spreadsheet would run as a formula

_FIELDS = {kind: list(cls.model_fields) for kind, cls in FIELDS_OF.items()}
_COLUMNS = ["kind", *dict.fromkeys(name for names in _FIELDS.values() for name in names)]
_JSON_CELLS = {
    kind: {n for n, f in cls.model_fields.items() if get_origin(f.annotation) in (list, dict)}
    for kind, cls in FIELDS_OF.items()
}
_NULLABLE = {
    kind: {n for n, f in cls.model_fields.items() if type(None) in get_args(f.annotation)}
    for kind, cls in FIELDS_OF.items()
}


@dataclass(frozen=True)
class RowError:
    """One problem: `row` counts data rows / JSON records from 1 (0 = the file), `column` is the
    field name."""

    row: int
    column: str
    problem: str

    def __str__(self) -> str:
        column = f", column {self.column}" if self.column else ""
        return f"{f'row {self.row}' if self.row else 'file'}{column}: {self.problem}"


class ImportFailed(DomainError):
    """The file has problems; nothing was written. `errors` lists every one, `total` counts them."""

    def __init__(self, errors: list[RowError], total: int | None = None) -> None:
        self.errors = errors
        self.total = len(errors) if total is None else total
        lines = [str(error) for error in errors[:_SHOWN_ERRORS]]
        if self.total > len(lines):
            lines.append(f"… and {self.total - len(lines)} more")
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class ParsedRecord:
    """One valid record from a file: only the fields the file gives, in JSON form."""

    row: int
    kind: str
    values: dict[str, Any]


@dataclass
class ImportPlan:
    """What an import does (or did): records created, records changed with their diffs, and how
    many were already up to date."""

    created: list[ParsedRecord]
    changed: list[tuple[ParsedRecord, dict[str, list[Any]]]]  # field → [old, new]
    unchanged: int

    def summary(self) -> str:
        created, changed = len(self.created), len(self.changed)
        return f"{created} created, {changed} changed, {self.unchanged} unchanged"


def detect_format(filename: str) -> str:
    """'csv' or 'json' from the file name's extension."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix not in FORMATS:
        accepted = ", ".join(f".{fmt}" for fmt in FORMATS)
        raise DomainError(f"Cannot tell the format of '{filename}'; accepted: {accepted}.")
    return suffix


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise DomainError(f"Unknown format '{fmt}'; accepted: {', '.join(FORMATS)}.")


# ---------------------------------------------------------------- parsing


def parse(data: bytes | str, fmt: str) -> list[ParsedRecord]:
    """Read and validate a whole file; raise ImportFailed listing every problem in it."""
    _check_format(fmt)
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data.removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        raise ImportFailed([RowError(0, "", f"not UTF-8 text (byte {error.start})")]) from None
    errors: list[RowError] = []
    raw = _read_csv(text, errors) if fmt == "csv" else _read_json(text, errors)
    records = []
    for row, kind, values in raw:
        try:
            valid = validate(kind, values).model_dump(mode="json")
        except InvalidInput as error:
            errors += _row_errors(row, error)
            continue
        # Only the given fields: a field the file leaves out keeps its stored value on update.
        records.append(ParsedRecord(row, kind, {name: valid[name] for name in values}))
    if errors:
        raise ImportFailed(sorted(errors, key=lambda e: e.row))  # stable: file order within a row
    return records


def _row_errors(row: int, error: InvalidInput) -> list[RowError]:
    found = []
    for problem in error.problems:
        column, *path = problem.field.split(".")  # 'sources.0.url' → sources: item 1, url: …
        where = "".join(f"item {int(p) + 1}, " if p.isdigit() else f"{p}: " for p in path)
        found.append(RowError(row, column, where + problem.message))
    return found


def _kind(row: int, value: Any, errors: list[RowError]) -> str | None:
    if isinstance(value, str) and value.strip() in FIELDS_OF:
        return value.strip()
    what = f"unknown kind {value!r}" if value else "missing"
    errors.append(RowError(row, "kind", f"{what}; accepted: {', '.join(FIELDS_OF)}"))
    return None


Raw = list[tuple[int, str, dict[str, Any]]]


def _read_json(text: str, errors: list[RowError]) -> Raw:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        errors.append(RowError(0, "", f"not valid JSON: {error.msg} ({where})"))
        return []
    items = document.get("records") if isinstance(document, dict) else None
    if not isinstance(items, list) or document.get("format") != FORMAT_TAG:
        envelope = f'{{"format": "{FORMAT_TAG}", "records": [...]}}'
        errors.append(RowError(0, "format", f"expected an object {envelope}"))
        return []
    for name in sorted(set(document) - {"format", "records"}):
        errors.append(RowError(0, name, 'unknown key; accepted: "format", "records"'))
    raw: Raw = []
    for row, item in enumerate(items, 1):
        if not isinstance(item, dict):
            errors.append(RowError(row, "", "a record must be a JSON object"))
            continue
        values = dict(item)
        kind = _kind(row, values.pop("kind", None), errors)
        if kind is None:
            continue
        for name in [name for name in values if name not in _FIELDS[kind]]:
            fields = ", ".join(_FIELDS[kind])
            errors.append(RowError(row, name, f"not a field of {kind}; its fields: {fields}"))
            del values[name]
        raw.append((row, kind, values))
    return raw


def _read_csv(text: str, errors: list[RowError]) -> Raw:
    try:
        return _read_csv_rows(text, errors)
    except csv.Error as error:  # e.g. a cell over the csv module's 131,072-character limit
        errors.append(RowError(0, "", f"not readable as CSV: {error}"))
        return []


def _read_csv_rows(text: str, errors: list[RowError]) -> Raw:
    rows = csv.reader(io.StringIO(text, newline=""))  # newline="": csv sees \r, \n and \r\n
    header = [name.strip() for name in next(rows, [])]
    if "kind" not in header:
        errors.append(RowError(0, "kind", "missing: the first row must name the columns"))
        return []
    known: list[tuple[int, str]] = []
    for i, name in enumerate(header):
        if name not in _COLUMNS:
            errors.append(RowError(0, name, f"unknown column; accepted: {', '.join(_COLUMNS)}"))
        elif name in header[:i]:
            errors.append(RowError(0, name, "column appears more than once"))
        elif name != "kind":
            known.append((i, name))
    kind_at = header.index("kind")
    raw: Raw = []
    for row, cells in enumerate(rows, 1):
        if not any(cells):
            continue  # a blank line
        if len(cells) > len(header):
            errors.append(RowError(row, "", f"{len(cells)} cells but {len(header)} columns"))
            continue
        kind = _kind(row, cells[kind_at] if kind_at < len(cells) else "", errors)
        if kind is None:
            continue
        values: dict[str, Any] = {}
        for i, name in known:
            cell = _unescape(cells[i]) if i < len(cells) else ""  # short rows: trailing cells empty
            if name not in _FIELDS[kind]:
                if cell:
                    errors.append(RowError(row, name, f"not a field of {kind}; leave it empty"))
            elif not cell:
                if name in _NULLABLE[kind]:
                    values[name] = None
            elif name in _JSON_CELLS[kind]:
                try:
                    values[name] = json.loads(cell)
                except json.JSONDecodeError as error:
                    where = f"character {error.pos + 1}"
                    errors.append(RowError(row, name, f"not valid JSON: {error.msg} ({where})"))
            else:
                values[name] = cell
        raw.append((row, kind, values))
    return raw


def _escape(cell: str) -> str:
    return "'" + cell if _RISKY.match(cell) else cell


def _unescape(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and _RISKY.match(cell) else cell


# ---------------------------------------------------------------- writing files


def dump(
    records: Iterable[tuple[str, Mapping[str, Any]]], fmt: str, *, kinds: Sequence[str] = ()
) -> str:
    """Serialise (kind, values in JSON form) pairs. CSV columns are the fields of the kinds
    present, or of `kinds` when there are no records (so an empty export is still a template)."""
    _check_format(fmt)
    records = list(records)
    if fmt == "json":
        body = {"format": FORMAT_TAG, "records": [{"kind": k, **v} for k, v in records]}
        return json.dumps(body, ensure_ascii=False, indent=2) + "\n"
    present = {kind for kind, _ in records} or set(kinds)
    columns = list(dict.fromkeys(n for kind in FIELDS_OF if kind in present for n in _FIELDS[kind]))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["kind", *columns])
    for kind, values in records:
        writer.writerow([kind, *(_cell(values.get(name)) for name in columns)])
    return out.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return _escape(str(value))


async def export_records(
    db: Database, scope: Scope, *, kinds: Sequence[str] | None = None, fmt: str = "json"
) -> str:
    """The records the scope can see, ordered by kind (FIELDS_OF order) and then key."""
    _check_format(fmt)
    wanted = [kinds] if isinstance(kinds, str) else list(kinds or FIELDS_OF)
    unknown = [kind for kind in wanted if kind not in FIELDS_OF]
    if unknown:
        raise DomainError(f"Unknown kind {unknown[0]!r}; accepted: {', '.join(FIELDS_OF)}.")
    records: list[tuple[str, dict[str, Any]]] = []
    async with db.session() as session:
        for kind in [kind for kind in FIELDS_OF if kind in wanted]:
            rows = (await session.execute(visible(RECORD_TABLES[kind], scope))).scalars().all()
            # Sorted here, not in SQL: PostgreSQL's collation would order keys unlike SQLite's.
            records += [(kind, plain_values(row)) for row in sorted(rows, key=lambda r: r.key)]
    return dump(records, fmt, kinds=wanted)


# ---------------------------------------------------------------- importing


async def plan_import(db: Database, scope: Scope, records: list[ParsedRecord]) -> ImportPlan:
    """What apply_import would do, against the scope's own records; writes nothing."""
    fields = _checked(records)
    async with db.session() as session:
        existing = await own_rows(session, scope, _pairs(records, fields))
    return _plan(records, fields, existing)


async def apply_import(
    db: Database,
    scope: Scope,
    actor: Actor,
    records: list[ParsedRecord],
    *,
    reason: str = "import",
    progress: Callable[[int, int], Awaitable[None]] | None = None,
) -> ImportPlan:
    """Upsert every record in file order in ONE transaction: all of them or, on any error, none.
    Records are written PROGRESS_EVERY at a time (Writer.stage_upsert; measures one by one, as
    they can change other records). `progress(done, total)` is awaited every PROGRESS_EVERY
    records and after the last, once they are written."""
    total = len(records)
    fields = _checked(records)
    async with db.writer(scope, actor, reason=reason) as writer:
        # The rows the file names and the ones they point at (before and after), read once for all
        # records; planned inside the write transaction, so it describes exactly what gets written.
        pointed_at = {pair for valid in fields for pair in _pointed_at(valid)}
        existing = await writer.preload(_pairs(records, fields) | pointed_at)
        await writer.preload(pair for row in existing.values() for pair in _pointed_at(row))
        plan = _plan(records, fields, existing)
        first = 1  # the first row not yet written
        for done, (record, valid) in enumerate(zip(records, fields, strict=True), 1):
            if record.kind in CHANGES_OTHERS:
                await _write_staged(writer, first, record.row - 1)  # keep file order
                first = record.row + 1
                await _at(record.row, writer.upsert(record.kind, record.values))
            else:
                staging = writer.stage_upsert(record.kind, record.values, valid=valid)
                await _at(record.row, staging)
            if done % PROGRESS_EVERY == 0 or done == total:
                await _write_staged(writer, first, record.row)
                first = record.row + 1
                if progress is not None:
                    await progress(done, total)
    return plan


async def _at(row: int, write: Awaitable[Any]) -> None:
    """Await one record's write; its problems become errors of its row."""
    try:
        await write
    except InvalidInput as error:
        raise ImportFailed(_row_errors(row, error)) from error
    except DomainError as error:
        raise ImportFailed([RowError(row, "key", str(error))]) from error
    except SQLAlchemyError as error:
        problem = f"the database refused it: {_refusal(error)}"
        raise ImportFailed([RowError(row, "", problem)]) from error


async def _write_staged(writer: Writer, first: int, last: int) -> None:
    """Write the staged records; the database refuses them together, so an error names them all."""
    try:
        await writer.write_staged()
    except SQLAlchemyError as error:
        rows = f"rows {first}–{last}" if first < last else f"row {first}"
        problem = f"the database refused {rows}: {_refusal(error)}"
        raise ImportFailed([RowError(0, "", problem)]) from error


def _refusal(error: SQLAlchemyError) -> str:
    return str(getattr(error, "orig", None) or error).splitlines()[0]


def _checked(records: list[ParsedRecord]) -> list[RecordFields]:
    """Each record validated; ImportFailed listing every invalid record and duplicate key."""
    errors: list[RowError] = []
    checked: list[RecordFields] = []
    first_row: dict[tuple[str, str], int] = {}
    for record in records:
        try:
            fields = validate(record.kind, record.values)
        except InvalidInput as error:
            errors += _row_errors(record.row, error)
            continue
        checked.append(fields)
        if (record.kind, fields.key) in first_row:
            other = first_row[(record.kind, fields.key)]
            problem = f"duplicate key '{fields.key}' (also row {other})"
            errors.append(RowError(record.row, "key", problem))
        first_row.setdefault((record.kind, fields.key), record.row)
    if errors:
        raise ImportFailed(errors)
    return checked


def _pairs(records: list[ParsedRecord], fields: list[RecordFields]) -> set[tuple[str, str]]:
    return {(record.kind, valid.key) for record, valid in zip(records, fields, strict=True)}


def _pointed_at(fields: RecordFields) -> list[tuple[str, str]]:
    """(kind, key) of the records these fields (or a stored row) point at."""
    return [(kind, key) for _name, kind, key in references(fields)]


def _plan(
    records: list[ParsedRecord], fields: list[RecordFields], existing: Mapping[tuple[str, str], Any]
) -> ImportPlan:
    errors: list[RowError] = []
    plan = ImportPlan([], [], 0)
    for record, valid in zip(records, fields, strict=True):
        row = existing.get((record.kind, valid.key))
        if row is None:
            plan.created.append(record)
            continue
        try:
            diff = _diff(row, record.values)
        except InvalidInput as error:
            errors += _row_errors(record.row, error)
            continue
        if diff:
            plan.changed.append((record, diff))
        else:
            plan.unchanged += 1
    if errors:
        raise ImportFailed(errors)
    return plan


def _diff(row: Any, values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """What Writer.update would change, without writing."""
    return field_diff(*proposed(row, values))
