"""Tests for db.keys and every derived key: each fits its column for any legal input, long keys
end in a stable hash so they never collide, and question ids have one spelling."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from db.changes import validate
from db.engine import Database
from db.errors import InvalidInput
from db.keys import bounded_key, question_id
from db.models import RECORD_TABLES, Revision, city_key
from tests.db.records import (
    EDITOR,
    SHARED,
    D,
    action,
    add,
    bodycam,
    funding_line,
    measure,
    question,
)

QUICK = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HASHED = re.compile(r".*-[0-9a-f]{8}")


def column_length(kind: str, column: str = "key") -> int:
    return RECORD_TABLES[kind].__table__.c[column].type.length  # type: ignore[attr-defined]


# Pieces that grow when keyed ('st' → 'saint', 'ⅷ' → 'viii', 'ﬃ' → 'ffi') or vanish ('東').
GROWING = ["St ", "st. ", "Ste ", "Ft ", "Mt ", "ⅷ", "ﬃ", "㎢", "É", "a", "7", "-", " ", "東"]
runs = st.tuples(st.sampled_from(GROWING), st.integers(1, 60)).map(lambda run: run[0] * run[1])
pieces = st.lists(runs, min_size=1, max_size=6).map("".join)  # long runs: 'St St St …'
words = st.text(st.characters(codec="utf-8", categories=("L", "N", "Zs", "P")), min_size=1)
legal_text = st.one_of(pieces, words)


def text_of(limit: int) -> st.SearchStrategy[str]:
    """Legal text of at most `limit` characters (not blank)."""
    return legal_text.map(lambda s: s[:limit]).filter(lambda s: s.strip() != "")


def keyed(kind: str, values: dict[str, Any]) -> str:
    """The key `values` get, or a rejected example when they are not legal."""
    try:
        return validate(kind, values).key
    except InvalidInput:
        assume(False)
        raise


# ---------------------------------------------------------------- bounded_key


def test_a_key_that_fits_is_unchanged() -> None:
    """A key of exactly the limit is returned as it is: existing keys never change."""
    assert bounded_key("a" * 120, 120) == "a" * 120


def test_a_long_key_is_cut_and_ends_in_a_stable_hash() -> None:
    """Two 130-character keys with the same start get two keys, each within 120, each the
    same every time."""
    first, second = bounded_key("a" * 129 + "x", 120), bounded_key("a" * 129 + "y", 120)
    assert first != second and len(first) <= 120 and len(second) <= 120
    assert HASHED.fullmatch(first) and first == bounded_key("a" * 129 + "x", 120)


@QUICK
@given(st.text(max_size=400), st.text(max_size=400), st.integers(20, 200))
def test_bounded_keys_fit_and_keep_distinct_keys_distinct(a: str, b: str, limit: int) -> None:
    """For any two keys and limit: both fit, and different keys stay different."""
    assert len(bounded_key(a, limit)) <= limit
    assert (bounded_key(a, limit) == bounded_key(b, limit)) == (a == b)


# ---------------------------------------------------------------- every derived key


@QUICK
@given(text_of(100))
def test_any_city_gets_a_city_key_and_a_key_that_fit(city: str) -> None:
    """Any legal city name, 'St St St …' and 'ⅷⅷⅷ' included, keys within both columns."""
    key = keyed("bodycam", bodycam(city=city))
    fields = validate("bodycam", bodycam(city=city))
    assert len(fields.city_key) <= column_length("bodycam", "city_key")
    assert len(key) <= column_length("bodycam")


def test_st_st_st_expands_past_the_column_but_its_key_fits() -> None:
    """'St St … Paul' (100 characters) would be a 200-character city key; it is 100 at most and
    distinct from the same city one 'St' shorter."""
    long, shorter = "St " * 32 + "Paul", "St " * 31 + "Paul"
    assert len(long) == 100 and len(city_key(long)) <= 100
    assert city_key(long) != city_key(shorter)
    assert HASHED.fullmatch(city_key(long))
    assert validate("bodycam", bodycam(city=long)).key == f"{city_key(long)}-mn-ice-ero"


@QUICK
@given(text_of(40), text_of(200), st.one_of(st.none(), text_of(300)))
def test_any_funding_line_key_fits(component: str, account: str, purpose: str | None) -> None:
    """Any legal component, account and purpose give a key within 120 characters."""
    values = funding_line(component=component, account=account, purpose=purpose)
    assert len(keyed("funding_line", values)) <= column_length("funding_line")


@QUICK
@given(text_of(300), st.integers(1, 200))
def test_any_unnumbered_measure_key_fits(title: str, congress: int) -> None:
    """An unnumbered measure's key (congress and title) fits whatever the title."""
    values = measure(bill_type="unnumbered", bill_number=None, title=title, congress=congress)
    assert len(keyed("measure", values)) <= column_length("measure")


@QUICK
@given(
    st.one_of(
        st.text(st.characters(codec="ascii", categories=("L", "N")), min_size=1, max_size=120),
        st.integers(1, 120).map(lambda n: "k" * n),
    )
)
def test_any_action_key_fits(measure_key: str) -> None:
    """An action on a measure with a 120-character key still gets a key within 120."""
    values = action(measure_key=measure_key, chamber="conference")
    assert len(keyed("action", values)) <= column_length("action")


@QUICK
@given(text_of(120), text_of(120))
def test_any_link_key_fits(a_key: str, b_key: str) -> None:
    """A link between two records with 120-character keys gets a key within 120."""
    assume(a_key.strip() != b_key.strip())
    values = {"a_kind": "funding_line", "a_key": a_key, "b_kind": "bodycam", "b_key": b_key,
              "as_of": D(2026, 11, 1)}  # fmt: skip
    assert len(keyed("link", values)) <= column_length("link")


tails = st.text(st.characters(codec="ascii", categories=("Ll", "Nd")), min_size=1, max_size=30)


@QUICK
@given(st.data(), tails, tails)
def test_long_natural_fields_with_one_start_never_share_a_key(
    data: st.DataObject, one: str, other: str
) -> None:
    """Records whose long natural fields differ only at the end (past any old cut) keep
    distinct keys: unnumbered titles, funding purposes, cities, actions and links."""
    assume(one != other)
    start = data.draw(st.sampled_from(["Border ", "St ", "Department of Homeland Security "]))
    stem = (start * 100)[:250]

    def keys(tail: str) -> list[str]:
        return [
            keyed("measure", measure(bill_type="unnumbered", bill_number=None,
                                     title=f"{stem} {tail}"[-300:])),
            keyed("funding_line", funding_line(purpose=f"{stem} {tail}"[-300:])),
            keyed("bodycam", bodycam(city=f"{stem[:60]} {tail}")),
            keyed("action", action(measure_key=f"{stem[:100]}-{tail}"[-120:])),
            keyed("link", {"a_kind": "bodycam", "a_key": f"{stem[:110]}{tail}"[-120:],
                           "b_kind": "funding_line", "b_key": "x" * 120, "as_of": D(2026, 1, 1)}),
        ]  # fmt: skip

    for kind, mine, theirs in zip(("measure", "funding_line", "bodycam", "action", "link"),
                                  keys(one), keys(other), strict=True):  # fmt: skip
        assert mine != theirs, kind
        assert len(mine) <= column_length(kind)


def test_short_keys_are_as_before() -> None:
    """Keys that always fitted keep their old form (no data migration)."""
    assert validate("measure", measure()).key == "119-hr4213"
    assert validate("funding_line", funding_line()).key == "fy2027-ice-ero-body-worn-cameras"
    assert validate("bodycam", bodycam(city="St. Paul")).key == "saint-paul-mn-ice-ero"
    assert validate("action", action()).key == "119-hr4213/2026-10-15/house"
    unnumbered = measure(bill_type="unnumbered", bill_number=None, title="One Big Beautiful Bill")
    assert validate("measure", unnumbered).key == "119-one-big-beautiful-bill"


# ---------------------------------------------------------------- question ids


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("oq-1", "OQ-1"),
        ("OQ1", "OQ-1"),
        ("oq 1", "OQ-1"),
        (" OQ-01 ", "OQ-1"),
        ("gq_12", "GQ-12"),
        ("Gq-0", "GQ-0"),
        ("Q-1", "Q-1"),  # an imported id of another form stays as it is, only trimmed
        (" oq-1a ", "oq-1a"),
    ],
)
def test_question_ids_have_one_spelling(typed: str, expected: str) -> None:
    """'oq-1', 'OQ1', 'oq 1' and ' OQ-01 ' are all OQ-1; other ids are kept."""
    assert question_id(typed) == expected
    assert validate("question", question(key=typed)).key == expected


def test_a_question_id_with_a_control_character_is_refused() -> None:
    """A key with a control character is refused, and the message says why."""
    with pytest.raises(InvalidInput) as caught:
        validate("question", question(key="OQ-1\x00"))
    assert str(caught.value) == "key: must not contain control characters"


def test_a_link_to_a_question_names_it_in_its_one_spelling() -> None:
    """A link to 'oq 4' is a link to OQ-4 (and keyed so)."""
    link = validate(
        "link", {"a_kind": "question", "a_key": "oq 4", "b_kind": "measure",
                 "b_key": "119-hr4213", "as_of": D(2026, 11, 1)},
    )  # fmt: skip
    assert (link.b_kind, link.b_key) == ("question", "OQ-4")
    assert link.key == "measure:119-hr4213~question:OQ-4"


# ---------------------------------------------------------------- written on both databases


async def test_records_with_maximal_fields_are_written(db: Database) -> None:
    """The longest legal city, title, purpose and question id, and links between them, are
    written (PostgreSQL refused an over-long city key or link key before) and found again."""
    city = "St " * 32 + "Paul"
    camera = await add(db, "bodycam", bodycam(city=city))
    line = await add(db, "funding_line", funding_line(component="C" * 40, purpose="p " * 150))
    title = "Emergency " * 30
    bill = await add(db, "measure", measure(bill_type="unnumbered", bill_number=None, title=title))
    step = await add(db, "action", action(measure_key=bill.key, chamber="conference"))
    asked = await add(db, "question", question(key="Q" * 120))
    links = [
        await add(db, "link", {"a_kind": a.kind, "a_key": a.key, "b_kind": b.kind,
                               "b_key": b.key, "as_of": D(2026, 11, 1)})
        for a, b in [(camera, line), (camera, asked), (line, asked), (step, asked)]
    ]  # fmt: skip
    assert len(camera.city_key) <= 100 and len(camera.key) <= 120
    assert len({link.key for link in links}) == 4
    async with db.writer(SHARED, EDITOR) as writer:
        for row in (camera, line, bill, step, asked, *links):
            assert (await writer.find(row.kind, row.key)).id == row.id
    async with db.session() as session:
        longest = await session.execute(select(func.max(func.length(Revision.record_key))))
        assert longest.scalar_one() <= 120
