"""db.resolve: what people type (bill spellings, public laws, loose question ids, acronyms and
their names, '%' and '_' as plain characters) resolved the same way everywhere."""

from __future__ import annotations

import pytest

from db import resolve
from db.engine import Database
from db.suggest import suggest_measures, suggest_questions
from tests.db.records import SHARED, add, measure, question


@pytest.mark.parametrize(
    ("typed", "law"),
    [("P.L. 119-86", "119-86"), ("pl 119-86", "119-86"), ("Public Law 119-86", "119-86")],
)
def test_public_law_spellings(typed: str, law: str) -> None:
    assert resolve.public_law(typed) == law


def test_not_a_public_law() -> None:
    assert resolve.public_law("119-86") is None
    assert resolve.public_law("plan 119") is None


@pytest.mark.parametrize(
    ("typed", "keys"),
    [("oq2", ["OQ-2"]), ("OQ 2", ["OQ-2"]), ("gq-12", ["GQ-12"]), ("2", ["OQ-2", "GQ-2"])],
)
def test_question_ids_loosely(typed: str, keys: list[str]) -> None:
    assert resolve.question_keys(typed) == keys


@pytest.mark.parametrize(
    ("typed", "wanted"),
    [
        ("HSGAC", "homeland security and governmental affairs"),
        ("homeland security and governmental affairs", "hsgac"),
        ("TSA", "transportation security administration"),
        ("border patrol", "usbp"),
        ("USBP", "cbp-usbp"),
        ("coast guard", "uscg"),
        ("HSC", "house homeland security committee"),
    ],
)
def test_acronyms_and_names_both_ways(typed: str, wanted: str) -> None:
    [term] = resolve.terms(typed)
    assert wanted in term.alternatives


def test_bill_spellings_become_one_term() -> None:
    """'H.R. 7147', 'HR7147' and 'hjres 5' each look for the bill's code and its label."""
    for typed in ("H.R. 7147", "HR7147", "hr 7147"):
        [term] = resolve.terms(typed)
        assert term.found_in("Statute: FY2026 DHS appropriations (H.R. 7147)")
        assert term.found_in("119-hr7147")
    [joint] = resolve.terms("hjres 5")
    assert joint.found_in("H.J.Res. 5") and not joint.found_in("H.R. 5")


def test_an_acronym_is_a_whole_word() -> None:
    """'ICE' is in 'ICE-ERO' and 'ICE and CBP', not in 'office' or 'police'; a word being typed
    ('minn') is found at the start of a longer one."""
    [ice] = resolve.terms("ICE")
    assert ice.found_in("ICE-ERO") and ice.found_in("ICE and CBP")
    assert not ice.found_in("Office of Field Operations")
    assert not ice.found_in("city police")
    [typing] = resolve.terms("minn")
    assert typing.found_in("Minneapolis, MN")


def test_respell_corrects_every_word_from_the_records_words() -> None:
    """Each misspelled word becomes the closest word the records use; of two as close by their
    letters, the one fewer edits away ('retention', not 'extension'). Words the records hold,
    words being typed, acronyms and what nothing is close to stay as typed."""
    known = resolve.vocabulary(
        [
            "Department of Homeland Security Appropriations Act, 2026",
            "Consolidated Appropriations Act, 2026",
            "Body-camera footage: retention and extension rules",
        ]
    )
    assert {"homeland", "appropriations", "retention", "camera"} <= known
    assert "act" not in known and "2026" not in known  # too short to guess from; not a word
    assert resolve.respell("homland apropriations", known) == "homeland appropriations"
    assert resolve.respell("footage retension", known) == "footage retention"
    assert resolve.respell("homeland appro", known) is None
    assert resolve.respell("FEMA zzzzqqq", known) is None
    begins = resolve.starts(["apropriations"])  # the third letter is the one missed
    assert resolve.vocabulary(["Appropriations and April"], begins) == {"appropriations", "april"}


def test_did_you_mean_forgives_typos() -> None:
    names = ["Minneapolis, MN", "Chicago, IL", "Portland, OR"]
    assert resolve.did_you_mean("minneapols", names)[0] == "Minneapolis, MN"
    assert resolve.did_you_mean("zzzzqqq", names) == []
    assert resolve.suggestion_text(["A", "B", "C"]) == " Did you mean “A”, “B” or “C”?"
    assert resolve.suggestion_text([]) == ""


async def test_bills_by_what_people_type(db: Database) -> None:
    """Bare number, any spelling, public law and title words only it has all find H.R. 7147;
    title words two bills share find neither."""
    await add(
        db,
        "measure",
        measure(bill_number=7147, title="DHS Appropriations Act, 2026", public_law="119-86"),
    )
    await add(db, "measure", measure(bill_type="hjres", bill_number=5, title="Continuing Act"))
    await add(db, "measure", measure(bill_number=4213, title="DHS Appropriations Act, 2027"))
    async with db.session() as session:
        for typed in ("7147", "HR7147", "H.R. 7147", "P.L. 119-86", "119-hr7147", "act 2026"):
            found = await resolve.find_measure(session, SHARED, typed)
            assert found is not None and found.key == "119-hr7147", typed
        joint = await resolve.find_measure(session, SHARED, "hjres 5")
        assert joint is not None and joint.key == "119-hjres5"
        assert await resolve.find_measure(session, SHARED, "DHS Appropriations") is None
        assert await resolve.find_measure(session, SHARED, "9999") is None


async def test_autocomplete_offers_what_typing_finds(db: Database) -> None:
    """The bill a public law or bare number names leads its autocomplete;
    'oq2' and '2' offer OQ-2 first."""
    await add(db, "measure", measure(bill_number=7147, title="DHS Act", public_law="119-86"))
    await add(db, "measure", measure(bill_number=71, title="Other Act"))
    for n in (2, 12, 20):
        await add(db, "question", question(key=f"OQ-{n}"))
    async with db.session() as session:
        law = await suggest_measures(session, SHARED, "P.L. 119-86")
        assert law[0].value == "119-hr7147"
        assert law[0].label == "H.R. 7147 — DHS Act"
        assert (await suggest_measures(session, SHARED, "71"))[0].value == "119-hr71"
        for typed in ("oq2", "OQ 2", "2"):
            assert (await suggest_questions(session, SHARED, typed))[0].value == "OQ-2", typed
        found = await resolve.find_question(session, SHARED, "2")
        assert found is not None and found.key == "OQ-2"
        assert await resolve.find_question(session, SHARED, "99") is None
