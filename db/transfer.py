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

Hostile files are refused like any other bad row, before anything is written: JSON nested deeper
than any record needs (checked before parsing, which would otherwise recurse), numbers too long to
read, control characters or unpaired surrogates anywhere (field names, values, nested sources),
and dates outside the years typed dates accept (MIN_YEAR–MAX_YEAR), so no deadline derived from
them (a due rule's days after enactment, an alert's next day) can leave the calendar.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import re
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, get_args, get_origin

from sqlalchemy.exc import SQLAlchemyError

from db.changes import Writer, field_diff, own_rows, plain_values, proposed, validate
from db.dates import MAX_YEAR, MIN_YEAR, DateRangeError
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
# As db.models refuses in text, plus unpaired surrogates (JSON's "\ud800"), which no database
# can store; names (columns, fields) may not hold tab or line breaks either.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_NAME_CONTROL = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
_SHOWN_NAME = 40  # characters of an unknown name echoed in an error
# The deepest a field's value nests (responses → a response → its source), and a JSON file
# (envelope → records → a record → that field). Anything deeper cannot be a record.
FIELD_DEPTH = 3
FILE_DEPTH = FIELD_DEPTH + 3
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')  # unrolled: 2 MB in ~50 ms
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_JSON_TOKEN = re.compile(_JSON_STRING.pattern + r"|[\[\]{},]")

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
    if not text.strip():
        raise ImportFailed([RowError(0, "", f"it is empty; {_EXPECTED[fmt]}")])
    errors: list[RowError] = []
    raw = _read_csv(text, errors) if fmt == "csv" else _read_json(text, errors)
    records = []
    for row, kind, values in raw:
        try:
            fields = validate(kind, values)
        except InvalidInput as error:
            errors += _row_errors(row, error)
            continue
        if far := _dates_out_of_range(row, fields, values):
            errors += far
            continue
        valid = fields.model_dump(mode="json")
        # Only the given fields: a field the file leaves out keeps its stored value on update.
        records.append(ParsedRecord(row, kind, {name: valid[name] for name in values}))
    if errors:
        raise ImportFailed(sorted(errors, key=lambda e: e.row))  # stable: file order within a row
    return records


_ENVELOPE = f'{{"format": "{FORMAT_TAG}", "records": [...]}}'
_EXPECTED = {
    "json": f"expected an object {_ENVELOPE}",
    "csv": "the first row must name the columns (kind, then field names)",
}


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
    what = f"unknown kind {_shown(repr(value))}" if value else "missing"
    errors.append(RowError(row, "kind", f"{what}; accepted: {', '.join(FIELDS_OF)}"))
    return None


def _shown(name: str) -> str:
    """A name from the file, safe to echo: control characters spelled out, and short."""
    name = _NAME_CONTROL.sub(lambda m: f"\\u{ord(m[0]):04x}", name)
    return name if len(name) <= _SHOWN_NAME else name[: _SHOWN_NAME - 1] + "…"


# ---------------------------------------------------------------- hostile content


class _Unreadable(ValueError):
    """JSON text that cannot safely be read: `problem`, at `row` and `column` when known."""

    def __init__(self, problem: str, row: int = 0, column: str = "") -> None:
        super().__init__(problem)
        self.problem, self.row, self.column = problem, row, column


_TOO_DEEP = f"nested more than {FIELD_DEPTH} levels deep; no field needs more (a response's source)"


def _load_json(text: str, limit: int) -> Any:
    """json.loads, after refusing what breaks it: nesting past `limit` (the decoder recurses and
    would hit Python's recursion limit) and numbers over Python's 4,300 digits. Raises
    JSONDecodeError for bad syntax, _Unreadable for the rest."""
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    if max(itertools.accumulate(1 if c in "[{" else -1 for c in brackets), default=0) > limit:
        raise _too_deep(text, limit)
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise
    except (ValueError, RecursionError):
        raise _Unreadable("a number is too long to read (over 4,300 digits)") from None


def _too_deep(text: str, limit: int) -> _Unreadable:
    """Where `text` first nests past `limit`: a record's row and field inside an envelope's
    "records" (an object's key is the last string before its value), else a line and column."""
    depth, row, in_records, at = 0, 0, False, 0
    last: dict[int, str] = {}  # depth → the last string token seen at that depth
    for token in _JSON_TOKEN.finditer(text):
        t, at = token[0], token.start()
        if t in ("[", "{"):
            if depth == 1 and t == "[" and last.get(1) == '"records"':
                in_records, row = True, 1
            depth += 1
            last.pop(depth, None)
            if depth > limit:
                break
        elif t in ("]", "}"):
            depth -= 1
            in_records = in_records and depth >= 2
        elif t == ",":
            if in_records and depth == 2:
                row += 1
        else:
            last[depth] = t
    if limit == FIELD_DEPTH:  # a CSV cell: its row and column are the caller's
        return _Unreadable(_TOO_DEEP)
    if in_records and depth > 3:
        return _Unreadable(_TOO_DEEP, row, _field_name(last.get(3, '""')))
    line, column = text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at)
    return _Unreadable(
        f"JSON nested more than {limit} levels deep (line {line}, column {column}); no record "
        "needs more"
    )


def _field_name(token: str) -> str:
    """A JSON string token as the name it spells (shown safely)."""
    try:
        return _shown(json.loads(token))
    except ValueError:  # a bad escape: json.loads reports it once the nesting is fixed
        return _shown(token)


def _control_errors(row: int, values: Mapping[str, Any]) -> list[RowError]:
    """A control character or unpaired surrogate in a name or anywhere in a value."""
    found = []
    for name, value in values.items():
        if bad := _NAME_CONTROL.search(name):
            named = f"the name contains {_character(bad[0])}; remove it"
            found.append(RowError(row, _shown(name), named))
        elif (problem := _control_in(value)) is not None:
            found.append(RowError(row, name, problem))
    return found


def _control_in(value: Any, where: str = "") -> str | None:
    if isinstance(value, str):
        if bad := _CONTROL.search(value):
            return f"{where}{_character(bad[0])} at character {bad.start() + 1}; remove it"
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if (problem := _control_in(item, f"{where}item {i + 1}, ")) is not None:
                return problem
    elif isinstance(value, dict):
        for name, item in value.items():
            if bad := _NAME_CONTROL.search(name):
                return f"{where}a name contains {_character(bad[0])}; remove it"
            if (problem := _control_in(item, f"{where}{name}: ")) is not None:
                return problem
    return None


def _character(c: str) -> str:
    if "\ud800" <= c <= "\udfff":
        return f"an unpaired surrogate U+{ord(c):04X} (not valid Unicode)"
    return f"control character U+{ord(c):04X}"


def _dates_out_of_range(
    row: int, fields: RecordFields, values: Mapping[str, Any]
) -> list[RowError]:
    """Dates the file gives outside MIN_YEAR–MAX_YEAR (what typed dates accept): deadlines and
    alerts derived from them must stay inside the calendar."""
    dumped = fields.model_dump()  # Python form: dates stay dates
    accepted = f"is outside the years accepted, {MIN_YEAR}–{MAX_YEAR}"
    return [
        RowError(row, name, f"{where}{day.isoformat()} {accepted}")
        for name in values
        for where, day in _dates_in(dumped.get(name))
        if not MIN_YEAR <= day.year <= MAX_YEAR
    ]


def _dates_in(value: Any, where: str = "") -> Iterator[tuple[str, dt.date]]:
    if isinstance(value, dt.date):
        yield where, value
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _dates_in(item, f"{where}item {i + 1}, ")
    elif isinstance(value, dict):
        for name, item in value.items():
            yield from _dates_in(item, f"{where}{name}: ")


# ---------------------------------------------------------------- reading files


Raw = list[tuple[int, str, dict[str, Any]]]


def _read_json(text: str, errors: list[RowError]) -> Raw:
    try:
        document = _load_json(text, FILE_DEPTH)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        errors.append(RowError(0, "", f"not valid JSON: {error.msg} ({where})"))
        return []
    except _Unreadable as error:
        errors.append(RowError(error.row, error.column, error.problem))
        return []
    items = document.get("records") if isinstance(document, dict) else None
    if not isinstance(items, list) or document.get("format") != FORMAT_TAG:
        errors.append(RowError(0, "format", _EXPECTED["json"]))
        return []
    for name in sorted(set(document) - {"format", "records"}):
        errors.append(RowError(0, _shown(name), 'unknown key; accepted: "format", "records"'))
    raw: Raw = []
    for row, item in enumerate(items, 1):
        if not isinstance(item, dict):
            errors.append(RowError(row, "", "a record must be a JSON object"))
            continue
        if unsafe := _control_errors(row, item):
            errors += unsafe
            continue
        values = dict(item)
        kind = _kind(row, values.pop("kind", None), errors)
        if kind is None:
            continue
        for name in [name for name in values if name not in _FIELDS[kind]]:
            fields = ", ".join(_FIELDS[kind])
            errors.append(
                RowError(row, _shown(name), f"not a field of {kind}; its fields: {fields}")
            )
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
    header = next(rows, [])
    for name in header:
        if bad := _NAME_CONTROL.search(name):
            problem = f"the column name contains {_character(bad[0])}; remove it"
            errors.append(RowError(0, _shown(name), problem))
    header = [name.strip() for name in header]
    if "kind" not in header:
        errors.append(RowError(0, "kind", f"missing: {_EXPECTED['csv']}"))
        return []
    known: list[tuple[int, str]] = []
    for i, name in enumerate(header):
        if _NAME_CONTROL.search(name):
            continue  # reported above
        if name not in _COLUMNS:
            accepted = ", ".join(_COLUMNS)
            errors.append(RowError(0, _shown(name), f"unknown column; accepted: {accepted}"))
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
        kind_cell = cells[kind_at] if kind_at < len(cells) else ""
        if unsafe := _control_errors(row, {"kind": kind_cell}):
            errors += unsafe
            continue
        kind = _kind(row, kind_cell, errors)
        if kind is None:
            continue
        values = _csv_values(row, kind, cells, known, errors)
        if unsafe := _control_errors(row, values):
            errors += unsafe
            continue
        raw.append((row, kind, values))
    return raw


def _csv_values(
    row: int, kind: str, cells: list[str], known: list[tuple[int, str]], errors: list[RowError]
) -> dict[str, Any]:
    """One row's cells as field values (JSON cells decoded); problems go to `errors`."""
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
                values[name] = _load_json(cell, FIELD_DEPTH)
            except json.JSONDecodeError as error:
                where = f"character {error.pos + 1}"
                errors.append(RowError(row, name, f"not valid JSON: {error.msg} ({where})"))
            except _Unreadable as error:
                errors.append(RowError(row, name, error.problem))
        else:
            values[name] = cell
    return values


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
    except (OverflowError, DateRangeError) as error:  # a derived date (e.g. a due rule's)
        problem = f"a date derived from it is past the calendar's end: {error}"
        raise ImportFailed([RowError(row, "", problem)]) from error
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
