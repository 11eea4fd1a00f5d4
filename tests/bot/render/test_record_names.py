"""Records named as people know them where lists show many (bot.render.history): a link by its two
ends, undo's autocomplete choices within Discord's 100 characters, the import preview naming a
link's end from the records as they read now."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from bot.render.history import (
    import_preview,
    link_ends,
    preview_rows_wanted,
    revision_label,
    revision_name,
    rows_wanted,
)
from db.changes import validate
from db.keys import bounded_key
from db.transfer import ParsedRecord

CAMERA = "minneapolis-mn-ice-ero"
LINE = "fy2026-ice-and-cbp-body-worn-cameras-for-officers"
LINK = f"funding_line:{LINE}~question:OQ-4"


def revision(kind: str, key: str, action: str = "update", **changes: list[Any]) -> Any:
    return SimpleNamespace(
        id=7, record_kind=kind, record_key=key, action=action, changes=changes,
        actor_name="alice (4242)", actor_id=4242,
    )  # fmt: skip


def rows(kind: str, values: dict[str, Any]) -> dict[tuple[str, str], Any]:
    """A record as it reads now, by (kind, key), as db.labels.visible_rows gives it."""
    fields = validate(kind, values)
    return {(kind, fields.key): fields}


CAMERA_LINE = {"fiscal_year": 2026, "measure_key": "119-hr7147", "component": "ICE and CBP",
               "account": "Account not named in our sources",
               "purpose": "Body-worn cameras for officers", "house": 20_000_000,
               "as_of": "2026-01-22"}  # fmt: skip


def test_a_link_is_named_by_its_ends_from_its_key_and_the_records_it_joins() -> None:
    """An update of the camera line ↔ OQ-4 link (its values hold only the note): its key says
    the ends; the line reads by its label, the question by its id."""
    noted = revision("link", LINK, notes=["old", "new"])
    assert rows_wanted([noted]) == {("funding_line", LINE)}
    assert revision_name(noted, rows("funding_line", CAMERA_LINE)) == (
        "Link: FY2026 ICE and CBP: Body-worn cameras for officers ↔ OQ-4"
    )


def test_a_shortened_link_key_is_not_read_for_its_ends() -> None:
    """A key cut to 120 characters with a hash names no ends: the link's row is read instead."""
    long_key = bounded_key(f"funding_line:{'x' * 110}~question:OQ-4", 120)
    assert link_ends(long_key) is None
    assert rows_wanted([revision("link", long_key, notes=["a", "b"])]) == {("link", long_key)}


def test_bills_and_actions_need_no_read() -> None:
    """A numbered bill and an action are named from their keys; a camera record is read."""
    found = rows_wanted([revision("measure", "119-hr7147"),
                         revision("action", "119-hr7147/2026-03-27/senate"),
                         revision("bodycam", CAMERA)])  # fmt: skip
    assert found == {("bodycam", CAMERA)}


@given(
    number=st.integers(1, 2**53 - 1),
    actor=st.text(min_size=1, max_size=100),
    city=st.text(min_size=1, max_size=100),
    old=st.text(max_size=300),
)
def test_every_choice_fits_in_100_characters(number: int, actor: str, city: str, old: str) -> None:
    """Any revision number, author, record name and value: a choice name Discord accepts."""
    change = SimpleNamespace(
        id=number, record_kind="bodycam", record_key=CAMERA, action="update",
        changes={"status": [old, "full"]}, actor_name=actor, actor_id=None,
    )  # fmt: skip
    camera = SimpleNamespace(city=city, state="MN", component="ICE-ERO")
    label = revision_label(change, {("bodycam", CAMERA): camera})
    assert 0 < len(label) <= 100 and label.startswith(f"#{number} · ")


def test_the_preview_names_a_links_end_from_the_records_as_they_read_now() -> None:
    """A new link between the camera line (not in the file) and OQ-4: named by the line's label
    when the records as they read now are given; its ends are not listed again by key."""
    link = ParsedRecord(1, "link", {"a_kind": "funding_line", "a_key": LINE, "b_kind": "question",
                                    "b_key": "OQ-4", "as_of": "2026-11-20"})  # fmt: skip
    bill = ParsedRecord(2, "link", {"a_kind": "measure", "a_key": "119-hr7147",
                                    "b_kind": "question", "b_key": "OQ-4"})  # fmt: skip
    assert preview_rows_wanted([link, bill], []) == {("funding_line", LINE)}
    preview = import_preview(
        "l.json", [link], [], 0, where="here", rows=rows("funding_line", CAMERA_LINE)
    )
    link_name = "Link: FY2026 ICE and CBP: Body-worn cameras for officers ↔ OQ-4"
    assert [(f.name, f.value) for f in preview.fields] == [
        (f"New: {link_name} (row 1)", "No other details.")
    ]
