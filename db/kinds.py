"""The record kinds and the words for every vocabulary: one registry that every label, heading and
table lookup reads, so a kind or a status is named the same way everywhere.

Words only, no Discord: emoji and colours stay with the renderers (bot/render), keyed by the same
enums. Every enum value has a label (tests/db/test_kinds.py checks it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from db.models import (
    BILL_PREFIX,
    FIELDS_OF,
    RECORD_TABLES,
    BillType,
    CameraStatus,
    Chamber,
    Component,
    Confidence,
    MeasureKind,
    PeriodType,
    QuestionStatus,
    RecordFields,
    Stage,
    Vehicle,
)


@dataclass(frozen=True)
class RecordKind:
    """One kind of record: its table and validated fields, how people call it, which /track
    family it belongs to and how its key is made."""

    name: str
    label: str  # short, before a record's name in lists and suggestions: "Body cameras"
    singular: str  # "body-camera record"
    plural: str  # "body-camera records"
    heading: str  # a section of a list or digest: "Body cameras"
    family: str  # what /track follows it as: appropriations | bodycam | oversight | links
    key_rule: str  # how its key is made, for people

    @property
    def table(self) -> type[RecordFields]:
        return RECORD_TABLES[self.name]

    @property
    def fields(self) -> type[RecordFields]:
        return FIELDS_OF[self.name]

    def count(self, number: int) -> str:
        """'1 bill', '7 bills'."""
        return f"{number:,} {self.singular if number == 1 else self.plural}"


KINDS: dict[str, RecordKind] = {
    kind.name: kind
    for kind in (
        RecordKind(
            "measure",
            "Bill",
            "bill",
            "bills",
            "Bills and measures",
            "appropriations",
            "congress-type-number, e.g. 119-hr7147",
        ),
        RecordKind(
            "action",
            "Action",
            "bill action",
            "bill actions",
            "Bill actions",
            "appropriations",
            "bill/date/chamber, e.g. 119-hr7147/2026-01-22/house",
        ),
        RecordKind(
            "funding_line",
            "Funding line",
            "funding line",
            "funding lines",
            "Funding lines",
            "appropriations",
            "fiscal year, component and purpose, e.g. fy2026-ice-body-worn-cameras",
        ),
        RecordKind(
            "funding_period",
            "Funding period",
            "funding period",
            "funding periods",
            "Funding periods",
            "appropriations",
            "fiscal year, type and start, e.g. fy2027-funded-2026-10-01",
        ),
        RecordKind(
            "bodycam",
            "Body cameras",
            "body-camera record",
            "body-camera records",
            "Body cameras",
            "bodycam",
            "city, state and component, e.g. minneapolis-mn-ice-ero",
        ),
        RecordKind(
            "question",
            "Question",
            "oversight question",
            "oversight questions",
            "Oversight questions",
            "oversight",
            "OQ-n in the shared dataset, GQ-n in a server",
        ),
        RecordKind(
            "link",
            "Link",
            "link",
            "links",
            "Links between records",
            "links",
            "the two ends, e.g. bodycam:minneapolis-mn-ice-ero~question:OQ-4",
        ),
    )
}
CITABLE = tuple(name for name in KINDS if name != "link")  # kinds /cite and /search show


def kind_of(name: str) -> RecordKind:
    """The registry entry; a name not in it is a programming error (KeyError)."""
    return KINDS[name]


def kinds_in(family: str) -> frozenset[str]:
    return frozenset(name for name, kind in KINDS.items() if kind.family == family)


def label(name: str) -> str:
    """The short word put before a record's name in lists and suggestions ('Bill')."""
    return KINDS[name].label if name in KINDS else name.replace("_", " ").capitalize()


def singular(name: str) -> str:
    """How people call one record of kind `name` (the name itself, readable, if unknown)."""
    return KINDS[name].singular if name in KINDS else name.replace("_", " ")


# ---------------------------------------------------------------- the vocabularies' words
# Keyed by the enum members, str-typed: rows and options hold the plain value, and a StrEnum
# member is equal to (and hashes like) its value.

STAGE_LABELS: dict[str, str] = {
    Stage.introduced: "Introduced",
    Stage.committee_reported: "Reported by committee",
    Stage.passed_house: "Passed the House",
    Stage.passed_senate: "Passed the Senate",
    Stage.resolving_differences: "Resolving differences",
    Stage.enacted: "Enacted",
    Stage.vetoed: "Vetoed",
}
CHAMBER_LABELS: dict[str, str] = {  # in the order a bill meets them
    Chamber.house: "House",
    Chamber.senate: "Senate",
    Chamber.conference: "Conference",
    Chamber.president: "President",
    Chamber.other: "Other",
}
MEASURE_KIND_LABELS: dict[str, str] = {
    MeasureKind.regular: "regular bill",
    MeasureKind.omnibus_division: "omnibus, DHS division",
    MeasureKind.cr: "continuing resolution",
    MeasureKind.supplemental: "supplemental",
    MeasureKind.reconciliation: "reconciliation",
}
PERIOD_TYPE_LABELS: dict[str, str] = {
    PeriodType.funded: "funded through the end date",
    PeriodType.lapse: "lapse in appropriations",
}
BILL_TYPE_LABELS: dict[BillType, str] = {**BILL_PREFIX, BillType.unnumbered: "unnumbered"}
CAMERA_STATUS_LABELS: dict[str, str] = {
    CameraStatus.full: "Full",
    CameraStatus.partial: "Partial",
    CameraStatus.announced: "Announced",
    CameraStatus.court_ordered: "Court-ordered",
    CameraStatus.none_known: "None known",
    CameraStatus.suspended: "Suspended",
    CameraStatus.ended: "Ended",
}
COMPONENT_LABELS: dict[str, str] = {
    Component.ice_ero: "ICE Enforcement and Removal Operations",
    Component.ice_hsi: "ICE Homeland Security Investigations",
    Component.cbp_usbp: "CBP U.S. Border Patrol",
    Component.cbp_ofo: "CBP Office of Field Operations",
    Component.other: "Other DHS component",
}
QUESTION_STATUS_LABELS: dict[str, str] = {
    QuestionStatus.pending: "Pending",
    QuestionStatus.acknowledged: "Acknowledged",
    QuestionStatus.partially_answered: "Partially answered",
    QuestionStatus.answered: "Answered",
    QuestionStatus.refused: "Refused",
    QuestionStatus.withdrawn: "Withdrawn",
}
VEHICLE_LABELS: dict[str, str] = {
    Vehicle.letter: "Letter",
    Vehicle.qfr: "Question for the record",
    Vehicle.hearing: "Hearing",
    Vehicle.statute: "Statute (reporting requirement)",
    Vehicle.other: "Other",
}
CONFIDENCE_LABELS: dict[str, str] = {
    Confidence.confirmed: "Confirmed",
    Confidence.reported: "Reported",
    Confidence.disputed: "Disputed",
}
# Why a record has its confidence, said after the label: 'Confirmed (primary source)'.
CONFIDENCE_REASONS: dict[str, str] = {
    "primary": "primary source",
    "several": "several sources",
    "one_secondary": "one secondary source",
    "secondary": "secondary sources",
    "unsourced": "no source recorded",
    "conflict": "sources conflict",
}
# Every vocabulary and its words, for the completeness test and for whoever lists them.
VOCABULARIES: dict[type[StrEnum], Mapping[Any, str]] = {
    Stage: STAGE_LABELS,
    Chamber: CHAMBER_LABELS,
    MeasureKind: MEASURE_KIND_LABELS,
    PeriodType: PERIOD_TYPE_LABELS,
    BillType: BILL_TYPE_LABELS,
    CameraStatus: CAMERA_STATUS_LABELS,
    Component: COMPONENT_LABELS,
    QuestionStatus: QUESTION_STATUS_LABELS,
    Vehicle: VEHICLE_LABELS,
    Confidence: CONFIDENCE_LABELS,
}
