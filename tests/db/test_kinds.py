"""The registry of record kinds and the words of every vocabulary."""

from __future__ import annotations

from db.kinds import CITABLE, KINDS, VOCABULARIES, kinds_in
from db.models import FIELDS_OF, RECORD_TABLES


def test_every_record_table_has_one_registry_entry() -> None:
    """Kinds, tables and field sets are the same set, and each entry points at its own."""
    assert set(KINDS) == set(RECORD_TABLES) == set(FIELDS_OF)
    for name, kind in KINDS.items():
        assert kind.table is RECORD_TABLES[name] and kind.fields is FIELDS_OF[name]
        assert kind.singular and kind.plural and kind.heading and kind.key_rule


def test_every_value_of_every_vocabulary_has_a_label() -> None:
    """A status, stage, chamber … added to an enum without words fails here, not in a reply."""
    for enum, labels in VOCABULARIES.items():
        assert set(labels) == set(enum), enum.__name__
        assert all(label.strip() for label in labels.values()), enum.__name__


def test_the_tracking_families_cover_every_kind_but_links() -> None:
    """/track follows appropriations, body cameras and oversight; links belong to neither."""
    families = [kinds_in(f) for f in ("appropriations", "bodycam", "oversight")]
    assert set().union(*families) == set(CITABLE) == set(KINDS) - {"link"}


def test_counts_read_as_words() -> None:
    """'1 bill', '2,000 body-camera records'."""
    assert KINDS["measure"].count(1) == "1 bill"
    assert KINDS["bodycam"].count(2000) == "2,000 body-camera records"
