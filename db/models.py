"""SQLModel tables and the validated field sets behind them.

Each record kind has a `*Fields` base (validation: lengths, enums, ranges) and a table class that
adds the scope (`guild_id`, NULL = the shared dataset), the id and the timestamps. Writes validate
through the `*Fields` base; tables never validate on their own (SQLModel's rule for table models).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, field_validator, model_validator
from sqlalchemy import JSON, BigInteger, Index, String, Table, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from db.keys import bounded_key, question_id
from db.types import UTCDateTime

# ---------------------------------------------------------------- shared vocabulary


class Confidence(StrEnum):
    confirmed = "confirmed"
    reported = "reported"
    disputed = "disputed"


class Chamber(StrEnum):
    house = "house"
    senate = "senate"
    president = "president"
    conference = "conference"
    other = "other"


class BillType(StrEnum):
    """Congress.gov's bill types (the lower-case codes of its API and URLs)."""

    hr = "hr"
    s = "s"
    hjres = "hjres"
    sjres = "sjres"
    hconres = "hconres"
    sconres = "sconres"
    hres = "hres"
    sres = "sres"
    unnumbered = "unnumbered"  # e.g. a reconciliation bill reported before it had a number


class MeasureKind(StrEnum):
    regular = "regular"
    omnibus_division = "omnibus_division"
    cr = "cr"
    supplemental = "supplemental"
    reconciliation = "reconciliation"


class Stage(StrEnum):
    """Stages in order; `ORDER` lets an action advance a measure but never move it back."""

    introduced = "introduced"
    committee_reported = "committee_reported"
    passed_house = "passed_house"
    passed_senate = "passed_senate"
    resolving_differences = "resolving_differences"
    enacted = "enacted"
    vetoed = "vetoed"


STAGE_ORDER: dict[Stage, int] = {stage: i for i, stage in enumerate(Stage)}


class PeriodType(StrEnum):
    funded = "funded"
    lapse = "lapse"


class Component(StrEnum):
    ice_ero = "ICE-ERO"
    ice_hsi = "ICE-HSI"
    cbp_usbp = "CBP-USBP"
    cbp_ofo = "CBP-OFO"
    other = "other"


class CameraStatus(StrEnum):
    none_known = "none_known"
    announced = "announced"
    partial = "partial"
    full = "full"
    court_ordered = "court_ordered"
    suspended = "suspended"
    ended = "ended"


class Vehicle(StrEnum):
    letter = "letter"
    qfr = "qfr"
    hearing = "hearing"
    statute = "statute"
    other = "other"


class QuestionStatus(StrEnum):
    pending = "pending"
    acknowledged = "acknowledged"
    partially_answered = "partially_answered"
    answered = "answered"
    refused = "refused"
    withdrawn = "withdrawn"


OPEN_STATUSES = frozenset(
    {QuestionStatus.pending, QuestionStatus.acknowledged, QuestionStatus.partially_answered}
)


def _http_url(value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"(?i:https?)://[^\s/$.?#][^\s]*", value):
        raise ValueError("must be an http:// or https:// address")
    return value


HttpUrl = Annotated[str, AfterValidator(_http_url)]


def _shaped(pattern: str, accepted: str) -> AfterValidator:
    """A text check whose error says what is accepted (SQLModel's own `regex=` is not enforced)."""

    def check(value: str | None) -> str | None:
        if value is not None and not re.fullmatch(pattern, value):
            raise ValueError(f"must look like {accepted}")
        return value

    return AfterValidator(check)


PublicLaw = Annotated[str | None, _shaped(r"\d{1,3}-\d{1,4}", "119-86 (congress-number)")]
Vote = Annotated[
    str | None,
    _shaped(
        r"\d{1,3}-\d{1,3}|voice vote|unanimous consent", "220-207, voice vote or unanimous consent"
    ),
]
StateCode = Annotated[str, _shaped(r"[A-Z]{2}", "a two-letter code such as MN (US for nationwide)")]


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _no_control(value: str) -> str:
    # PostgreSQL refuses NUL in text, and no other control character belongs in a record.
    if _CONTROL.search(value):
        raise ValueError("must not contain control characters")
    return value


def _clean_text(value: str) -> str:
    value = _no_control(value).strip()
    if not value:
        raise ValueError("must not be blank")
    return value


def _clean_optional(value: str | None) -> str | None:
    return (_no_control(value).strip() or None) if value is not None else None


Text = Annotated[str, AfterValidator(_clean_text)]
OptText = Annotated[str | None, AfterValidator(_clean_optional)]


class SourceRef(BaseModel):
    """Where a fact comes from: an outlet, an address and the publication date when known."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    outlet: Text = Field(max_length=120)
    url: HttpUrl | None = Field(default=None, max_length=500)
    published: dt.date | None = None


class Response(BaseModel):
    """An answer (or partial answer) received to an oversight question."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    received_on: dt.date
    summary: Text = Field(max_length=2000)
    source: SourceRef | None = None


def slug(value: str) -> str:
    """Lowercase ASCII words joined by '-': accents folded, punctuation dropped."""
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


_CITY_WORDS = {"st": "saint", "ste": "sainte", "ft": "fort", "mt": "mount"}
KEY_LENGTH = 120  # every record's key column (and Revision/ChangeEvent/Subscription.record_key)
CITY_KEY_LENGTH = 100
UNNUMBERED_TITLE_LENGTH = 60  # an unnumbered measure's key keeps this much of its title


def city_key(city: str) -> str:
    """Case-, accent- and abbreviation-insensitive form: 'St. Paul' and 'Saint Paul' match.
    Bounded: 'St St St …' grows as 'st' becomes 'saint', and NFKD can spell 'ⅷ' as 'viii'."""
    words = (_CITY_WORDS.get(word, word) for word in slug(city).split("-") if word)
    return bounded_key("-".join(words), CITY_KEY_LENGTH)


# ---------------------------------------------------------------- the common envelope


class RecordFields(SQLModel):
    """What every record carries: its key, sources, as-of date and confidence."""

    model_config = ConfigDict(extra="forbid", validate_assignment=False)  # type: ignore[assignment]  # SQLModel types model_config as its own SQLModelConfig

    key: str = Field(default="", max_length=KEY_LENGTH, index=True)
    as_of: dt.date
    confidence: Confidence = Field(default=Confidence.reported, sa_type=String(16))
    confidence_note: OptText = Field(default=None, max_length=500)
    notes: OptText = Field(default=None, max_length=2000)
    sources: list[SourceRef] = Field(default_factory=list, max_length=20, sa_type=JSON)

    kind: ClassVar[str] = ""
    # Most kinds derive their key from their natural fields (`make_key`); questions are given one.
    derives_key: ClassVar[bool] = True

    def make_key(self) -> str:
        raise NotImplementedError

    @model_validator(mode="after")
    def _derive_key(self) -> RecordFields:
        if self.confidence == Confidence.disputed and not self.confidence_note:
            raise ValueError("confidence_note: say what conflicts when confidence is 'disputed'")
        if not self.key:
            self.key = self.make_key()
        return self


class RecordRow(SQLModel):
    """Columns every table adds to its fields: id, scope and timestamps."""

    id: int | None = Field(default=None, primary_key=True)
    guild_id: int | None = Field(default=None, sa_type=BigInteger, index=True)
    created_at: dt.datetime = Field(sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(sa_type=UTCDateTime)


# SQLite reuses the id of a deleted newest row unless AUTOINCREMENT is set; revisions are
# grouped by record id, so a reused id would mix two records' histories.
NEVER_REUSE_IDS = {"sqlite_autoincrement": True}


def scope_key_indexes(table: str, *extra: Index) -> tuple[Any, ...]:
    """One key per scope: the shared dataset's keys are unique, and so are each guild's (plus
    the table's `extra` indexes)."""
    return (
        Index(
            f"uq_{table}_shared_key",
            "key",
            unique=True,
            sqlite_where=text("guild_id IS NULL"),
            postgresql_where=text("guild_id IS NULL"),
        ),
        Index(
            f"uq_{table}_guild_key",
            "guild_id",
            "key",
            unique=True,
            sqlite_where=text("guild_id IS NOT NULL"),
            postgresql_where=text("guild_id IS NOT NULL"),
        ),
        *extra,
        NEVER_REUSE_IDS,
    )


# ---------------------------------------------------------------- appropriations


BILL_PREFIX = {
    BillType.hr: "H.R.",
    BillType.s: "S.",
    BillType.hjres: "H.J.Res.",
    BillType.sjres: "S.J.Res.",
    BillType.hconres: "H.Con.Res.",
    BillType.sconres: "S.Con.Res.",
    BillType.hres: "H.Res.",
    BillType.sres: "S.Res.",
}


def bill_label(bill_type: str, number: int | None, title: str) -> str:
    """'H.R. 7147'; an unnumbered measure is known by its title."""
    if bill_type == BillType.unnumbered or number is None:
        return title
    return f"{BILL_PREFIX[BillType(bill_type)]} {number}"


class MeasureFields(RecordFields):
    kind: ClassVar[str] = "measure"
    congress: int = Field(ge=1, le=200)
    fiscal_year: int | None = Field(default=None, ge=1990, le=2100, index=True)
    bill_type: BillType = Field(sa_type=String(16))
    bill_number: int | None = Field(default=None, ge=1, le=99999)
    title: Text = Field(max_length=300)
    measure_kind: MeasureKind = Field(default=MeasureKind.regular, sa_type=String(24))
    stage: Stage = Field(default=Stage.introduced, sa_type=String(32))
    public_law: PublicLaw = Field(default=None, max_length=16)
    enacted_on: dt.date | None = None
    report: OptText = Field(default=None, max_length=60)
    url: HttpUrl | None = Field(default=None, max_length=500)

    def make_key(self) -> str:
        if self.bill_type == BillType.unnumbered or self.bill_number is None:
            return f"{self.congress}-{bounded_key(slug(self.title), UNNUMBERED_TITLE_LENGTH)}"
        return f"{self.congress}-{self.bill_type.value}{self.bill_number}"

    @property
    def label(self) -> str:
        return bill_label(self.bill_type, self.bill_number, self.title)


class Measure(MeasureFields, RecordRow, table=True):
    __table_args__ = scope_key_indexes("measure")


class MeasureActionFields(RecordFields):
    kind: ClassVar[str] = "action"
    measure_key: Text = Field(max_length=120, index=True)
    action_date: dt.date
    chamber: Chamber = Field(sa_type=String(16))
    text: Text = Field(max_length=1000)
    vote: Vote = Field(default=None, max_length=40)
    stage_after: Stage | None = Field(default=None, sa_type=String(32))

    def make_key(self) -> str:
        raw = f"{self.measure_key}/{self.action_date.isoformat()}/{self.chamber.value}"
        return bounded_key(raw, KEY_LENGTH)


class MeasureAction(MeasureActionFields, RecordRow, table=True):
    __tablename__ = "measure_action"
    __table_args__ = scope_key_indexes("measure_action")


class FundingLineFields(RecordFields):
    kind: ClassVar[str] = "funding_line"
    fiscal_year: int = Field(ge=1990, le=2100, index=True)
    measure_key: OptText = Field(default=None, max_length=120)
    component: Text = Field(max_length=40)
    account: Text = Field(max_length=200)
    purpose: OptText = Field(default=None, max_length=300)
    requested: int | None = Field(default=None, ge=0, le=10**13, sa_type=BigInteger)
    house: int | None = Field(default=None, ge=0, le=10**13, sa_type=BigInteger)
    senate: int | None = Field(default=None, ge=0, le=10**13, sa_type=BigInteger)
    enacted: int | None = Field(default=None, ge=0, le=10**13, sa_type=BigInteger)

    def make_key(self) -> str:
        raw = slug(f"fy{self.fiscal_year} {self.component} {self.purpose or self.account}")
        return bounded_key(raw, KEY_LENGTH)


class FundingLine(FundingLineFields, RecordRow, table=True):
    __tablename__ = "funding_line"
    __table_args__ = scope_key_indexes("funding_line")


class FundingPeriodFields(RecordFields):
    kind: ClassVar[str] = "funding_period"
    fiscal_year: int = Field(ge=1990, le=2100, index=True)
    period_type: PeriodType = Field(sa_type=String(16))
    measure_key: OptText = Field(default=None, max_length=120)  # the vehicle; None for lapses
    start_date: dt.date
    end_date: dt.date | None = None  # funded through / lapse ended; None = still open
    components: list[str] = Field(default_factory=list, max_length=30, sa_type=JSON)
    description: OptText = Field(default=None, max_length=500)

    def make_key(self) -> str:
        return f"fy{self.fiscal_year}-{self.period_type.value}-{self.start_date.isoformat()}"

    @model_validator(mode="after")
    def _check_dates(self) -> FundingPeriodFields:
        if self.end_date is not None and self.end_date < self.start_date:
            raise ValueError("end_date: must not be before start_date")
        if self.period_type == PeriodType.funded and self.measure_key is None:
            raise ValueError("measure_key: a funded period names the measure that funds it")
        return self


class FundingPeriod(FundingPeriodFields, RecordRow, table=True):
    __tablename__ = "funding_period"
    __table_args__ = scope_key_indexes("funding_period")


# ---------------------------------------------------------------- body cameras


class BodycamFields(RecordFields):
    kind: ClassVar[str] = "bodycam"
    city: Text = Field(max_length=100)
    state: StateCode = Field(max_length=2, min_length=2)  # 'US' = nationwide
    city_key: str = Field(default="", max_length=100, index=True)
    component: Component = Field(sa_type=String(16))
    operation: OptText = Field(default=None, max_length=200)
    status: CameraStatus = Field(sa_type=String(16), index=True)
    effective_date: dt.date | None = None
    officers_equipped: int | None = Field(default=None, ge=0, le=1_000_000)
    activation_policy: OptText = Field(default=None, max_length=1000)
    retention_policy: OptText = Field(default=None, max_length=1000)
    release_policy: OptText = Field(default=None, max_length=1000)
    court_case: OptText = Field(default=None, max_length=200)
    court_docket: OptText = Field(default=None, max_length=60)
    court_name: OptText = Field(default=None, max_length=120)
    court_judge: OptText = Field(default=None, max_length=120)
    court_order_date: dt.date | None = None

    @model_validator(mode="before")
    @classmethod
    def _upper_state(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("state"), str):
            data = {**data, "state": data["state"].strip().upper()}
        return data

    @model_validator(mode="after")
    def _derive_city_key(self) -> BodycamFields:
        self.city_key = city_key(self.city)
        if not self.city_key:
            raise ValueError("city: must contain letters or digits")
        return self

    def make_key(self) -> str:
        raw = f"{city_key(self.city)}-{self.state.lower()}-{self.component.value.lower()}"
        return bounded_key(raw, KEY_LENGTH)


class BodycamDeployment(BodycamFields, RecordRow, table=True):
    __tablename__ = "bodycam"
    __table_args__ = scope_key_indexes("bodycam")


# ---------------------------------------------------------------- oversight questions


class QuestionFields(RecordFields):
    kind: ClassVar[str] = "question"
    derives_key: ClassVar[bool] = False
    question: Text = Field(max_length=4000)
    asked_by: Text = Field(max_length=200)
    addressed_to: Text = Field(max_length=200)
    component: OptText = Field(default=None, max_length=40, index=True)
    vehicle: Vehicle = Field(default=Vehicle.letter, sa_type=String(16))
    sent_date: dt.date | None = None
    due_date: dt.date | None = Field(default=None, index=True)
    # A statutory rule such as "30 days after enactment of H.R. 7147": resolved at read time.
    due_rule_measure_key: OptText = Field(default=None, max_length=120)
    due_rule_days: int | None = Field(default=None, ge=0, le=3650)
    # A recurring duty ("90 days after enactment, then quarterly"): reports fall due every
    # `repeat_months` from `first_due_date` (the rule's date when there is a rule), and
    # `due_date` is the next one not yet received (one per response recorded).
    repeat_months: int | None = Field(default=None, ge=1, le=12)
    first_due_date: dt.date | None = None
    # A date the law makes a condition, not a deadline (hearings held before July 1 count).
    trigger_date: dt.date | None = None
    trigger_note: OptText = Field(default=None, max_length=300)
    status: QuestionStatus = Field(default=QuestionStatus.pending, sa_type=String(24), index=True)
    responses: list[Response] = Field(default_factory=list, max_length=50, sa_type=JSON)

    def make_key(self) -> str:
        raise ValueError("key: a question needs its id (for example OQ-1)")

    @field_validator("key", mode="before")
    @classmethod
    def _one_spelling(cls, value: Any) -> Any:
        # Before the length check, so ' OQ-0001 ' is judged as 'OQ-1'.
        return question_id(_no_control(value)) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _check_rule(self) -> QuestionFields:
        if (self.due_rule_measure_key is None) != (self.due_rule_days is None):
            raise ValueError("due_rule_days: give the measure and the number of days, or neither")
        if self.repeat_months is None:
            if self.first_due_date is not None:
                raise ValueError(
                    "first_due_date: only a recurring duty has one; give repeat_months too"
                )
        elif self.due_rule_measure_key is None:
            # The date typed for a new duty is its first report's.
            self.first_due_date = self.first_due_date or self.due_date
            if self.first_due_date is None:
                raise ValueError(
                    "repeat_months: a recurring duty needs its first due date (due) or a due rule"
                )
        if self.trigger_note is not None and self.trigger_date is None:
            raise ValueError("trigger_note: says what the trigger date decides; give that date")
        return self


class OversightQuestion(QuestionFields, RecordRow, table=True):
    __tablename__ = "question"
    # Open questions by due date (alerts, every tick): status alone matches half the table.
    __table_args__ = scope_key_indexes(
        "question", Index("ix_question_status_due", "status", "due_date")
    )


# ---------------------------------------------------------------- links between records


LinkableKind = Literal["measure", "action", "funding_line", "funding_period", "bodycam", "question"]


class LinkFields(RecordFields):
    kind: ClassVar[str] = "link"
    a_kind: LinkableKind = Field(max_length=20, sa_type=String(20))
    a_key: Text = Field(max_length=120, index=True)
    b_kind: LinkableKind = Field(max_length=20, sa_type=String(20))
    b_key: Text = Field(max_length=120, index=True)

    @model_validator(mode="after")
    def _order_ends(self) -> LinkFields:
        # A question's id in any spelling ('oq-4') names the same record as 'OQ-4'.
        if self.a_kind == "question":
            self.a_key = question_id(self.a_key)
        if self.b_kind == "question":
            self.b_key = question_id(self.b_key)
        # A link has no direction: store its ends in a fixed order so A↔B and B↔A are one key.
        if (self.b_kind, self.b_key) < (self.a_kind, self.a_key):
            self.a_kind, self.a_key, self.b_kind, self.b_key = (
                self.b_kind,
                self.b_key,
                self.a_kind,
                self.a_key,
            )
        if (self.a_kind, self.a_key) == (self.b_kind, self.b_key):
            raise ValueError("b_key: a record cannot be linked to itself")
        self.key = self.make_key()
        return self

    def make_key(self) -> str:
        # Never cut: two links that share their first 120 characters must keep two keys.
        return bounded_key(f"{self.a_kind}:{self.a_key}~{self.b_kind}:{self.b_key}", KEY_LENGTH)


class RecordLink(LinkFields, RecordRow, table=True):
    __tablename__ = "record_link"
    __table_args__ = scope_key_indexes("record_link")


# ---------------------------------------------------------------- audit log and outbox


class Revision(SQLModel, table=True):
    """One write to one record: who, when, field by field old → new."""

    id: int | None = Field(default=None, primary_key=True)
    guild_id: int | None = Field(default=None, sa_type=BigInteger, index=True)
    record_kind: str = Field(max_length=20)
    record_id: int
    record_key: str = Field(max_length=120)
    action: str = Field(max_length=16)  # create | update | delete | undo
    changes: dict[str, list[Any]] = Field(default_factory=dict, sa_type=JSON)
    actor_id: int | None = Field(default=None, sa_type=BigInteger)
    actor_name: str = Field(max_length=100)
    recorded_at: dt.datetime = Field(sa_type=UTCDateTime, index=True)
    effective_on: dt.date  # when the change took effect in the world (as-of queries use it)
    reason: str | None = Field(default=None, max_length=500)
    undoes_revision_id: int | None = Field(default=None, foreign_key="revision.id")

    __table_args__ = (
        Index("ix_revision_record", "record_kind", "record_id"),
        Index("ix_revision_record_key", "record_kind", "record_key"),
        # Recent revisions of one action (due rules resolved, for alerts): rare among many.
        Index("ix_revision_action_recorded", "action", "recorded_at"),
        NEVER_REUSE_IDS,
    )


class ChangeEvent(SQLModel, table=True):
    """The outbox entry written with every revision; the dispatcher turns it into posts."""

    __tablename__ = "change_event"
    id: int | None = Field(default=None, primary_key=True)
    guild_id: int | None = Field(default=None, sa_type=BigInteger, index=True)
    revision_id: int | None = Field(default=None, foreign_key="revision.id")
    record_kind: str = Field(max_length=20)
    record_id: int
    record_key: str = Field(max_length=120)
    event_type: str = Field(max_length=24)  # created | updated | deleted | overdue | …
    summary: str = Field(max_length=500)
    created_at: dt.datetime = Field(sa_type=UTCDateTime, index=True)


class EditorRole(SQLModel, table=True):
    """A Discord role whose members may edit their guild's records (besides Manage Server)."""

    __tablename__ = "editor_role"
    guild_id: int = Field(sa_type=BigInteger, primary_key=True)
    role_id: int = Field(sa_type=BigInteger, primary_key=True)
    added_by: int | None = Field(default=None, sa_type=BigInteger)
    added_at: dt.datetime = Field(sa_type=UTCDateTime)


class Meta(SQLModel, table=True):
    """Small key/value facts the program keeps about itself (for example the command-tree hash)."""

    name: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=4000)


SHARED_COUNTER_SCOPE = 0  # KeyCounter.scope of the shared dataset (guild ids are never 0)


class KeyCounter(SQLModel, table=True):
    """The last number handed out in a series (question ids) per scope: counting up, never max+1,
    so a deleted newest question's id is not given again and two writers never draw one id."""

    __tablename__ = "key_counter"
    scope: int = Field(sa_type=BigInteger, primary_key=True)  # SHARED_COUNTER_SCOPE or a guild id
    name: str = Field(primary_key=True, max_length=32)  # the series, e.g. 'question'
    value: int = 0


# ---------------------------------------------------------------- tracking and the outbox


class Subscription(SQLModel, table=True):
    """A channel following a kind of record (or one record): db.tracking matches events to it."""

    id: int | None = Field(default=None, primary_key=True)
    guild_id: int = Field(sa_type=BigInteger, index=True)
    channel_id: int = Field(sa_type=BigInteger)
    kind: str = Field(max_length=16)  # appropriations | bodycam | oversight | all
    record_kind: str | None = Field(default=None, max_length=20)  # set: one record only
    record_key: str | None = Field(default=None, max_length=120)
    only: str = Field(default="all", max_length=8)  # status | all
    state: str = Field(default="active", max_length=8)  # active | paused | failed
    state_reason: str | None = Field(default=None, max_length=500)
    created_by: int | None = Field(default=None, sa_type=BigInteger)
    created_at: dt.datetime = Field(sa_type=UTCDateTime)
    after_event_id: int = 0  # events up to this one are never delivered (no backlog)

    __table_args__ = (
        # NULLs are distinct in a unique index, so "a whole kind" and "one record" get one each.
        Index(
            "uq_subscription_channel_kind",
            "channel_id",
            "kind",
            unique=True,
            sqlite_where=text("record_key IS NULL"),
            postgresql_where=text("record_key IS NULL"),
        ),
        Index(
            "uq_subscription_channel_record",
            "channel_id",
            "kind",
            "record_kind",
            "record_key",
            unique=True,
            sqlite_where=text("record_key IS NOT NULL"),
            postgresql_where=text("record_key IS NOT NULL"),
        ),
        NEVER_REUSE_IDS,
    )


class Delivery(SQLModel, table=True):
    """One change event to post in one channel; posted in batches, in id order per channel."""

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="change_event.id")
    subscription_id: int | None = Field(
        default=None, foreign_key="subscription.id", ondelete="SET NULL"
    )
    guild_id: int = Field(sa_type=BigInteger)
    channel_id: int = Field(sa_type=BigInteger)
    status: str = Field(default="pending", max_length=8)  # pending|sending|sent|failed|skipped
    batch_id: int | None = None  # the id of the first delivery of the batch it is posted in
    nonce: str | None = Field(default=None, max_length=25)  # Discord's limit
    attempts: int = 0
    next_attempt_at: dt.datetime = Field(sa_type=UTCDateTime)
    claimed_by: str | None = Field(default=None, max_length=100)
    claimed_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    message_id: int | None = Field(default=None, sa_type=BigInteger)
    error: str | None = Field(default=None, max_length=500)
    created_at: dt.datetime = Field(sa_type=UTCDateTime)
    sent_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)

    __table_args__ = (
        UniqueConstraint("event_id", "channel_id", name="uq_delivery_event_channel"),
        Index("ix_delivery_channel", "channel_id", "status", "id"),
        Index("ix_delivery_due", "status", "next_attempt_at"),
        Index("ix_delivery_subscription", "subscription_id", "status"),
        NEVER_REUSE_IDS,  # nonces are made from ids: an id must never come back
    )


class FiredAlert(SQLModel, table=True):
    """A time-driven event (overdue, funding lapse in 3 days, …) that has fired: each key once."""

    __tablename__ = "fired_alert"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    fired_at: dt.datetime = Field(sa_type=UTCDateTime)
    event_id: int | None = Field(default=None, foreign_key="change_event.id")


def table_of(model: type[SQLModel]) -> Table:
    """The Core table behind a table model, for bulk inserts and column introspection."""
    table: Table = model.__table__  # type: ignore[attr-defined]  # set by SQLModel's metaclass
    return table


# Each table is both its *Fields (validated values) and a RecordRow (id, scope, timestamps).
RecordTable = (
    Measure
    | MeasureAction
    | FundingLine
    | FundingPeriod
    | BodycamDeployment
    | OversightQuestion
    | RecordLink
)
RECORD_TABLES: dict[str, type[RecordTable]] = {
    "measure": Measure,
    "action": MeasureAction,
    "funding_line": FundingLine,
    "funding_period": FundingPeriod,
    "bodycam": BodycamDeployment,
    "question": OversightQuestion,
    "link": RecordLink,
}

FIELDS_OF: dict[str, type[RecordFields]] = {
    "measure": MeasureFields,
    "action": MeasureActionFields,
    "funding_line": FundingLineFields,
    "funding_period": FundingPeriodFields,
    "bodycam": BodycamFields,
    "question": QuestionFields,
    "link": LinkFields,
}


class DigestSchedule(SQLModel, table=True):
    """A channel's periodic digest: changes since the last, deadlines, funding, stale records
    (and, with `chart`, the funding chart)."""

    __tablename__ = "digest_schedule"
    id: int | None = Field(default=None, primary_key=True)
    guild_id: int = Field(sa_type=BigInteger, index=True)
    channel_id: int = Field(sa_type=BigInteger, unique=True)  # one digest per channel
    rule: str = Field(max_length=500)  # canonical RRULE (db.schedules)
    timezone: str = Field(max_length=64)  # IANA name
    description: str = Field(max_length=600)
    post_empty: bool = False
    chart: bool = False  # attach the funding chart (bot/charts.py)
    created_by: int | None = Field(default=None, sa_type=BigInteger)
    created_at: dt.datetime = Field(sa_type=UTCDateTime)
    last_run_at: dt.datetime = Field(sa_type=UTCDateTime)  # set when created: no backlog
    next_run_at: dt.datetime = Field(sa_type=UTCDateTime, index=True)

    __table_args__ = (NEVER_REUSE_IDS,)


class CongressFollow(SQLModel, table=True):
    """A bill the Congress.gov sync follows into the shared dataset: found by discovery, named by
    an owner (/admin approps follow), or a shared measure with a number. `active` False: an owner
    unfollowed it, so discovery does not take it up again."""

    __tablename__ = "congress_follow"
    id: int | None = Field(default=None, primary_key=True)
    congress: int
    bill_type: str = Field(max_length=16)
    number: int
    source: str = Field(max_length=16)  # discovered | owner | record
    active: bool = True
    followed_by: int | None = Field(default=None, sa_type=BigInteger)
    followed_at: dt.datetime = Field(sa_type=UTCDateTime)
    update_date: str | None = Field(default=None, max_length=40)  # the API's, when last synced
    synced_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    error: str | None = Field(default=None, max_length=500)

    __table_args__ = (
        UniqueConstraint("congress", "bill_type", "number", name="uq_congress_follow_bill"),
        NEVER_REUSE_IDS,
    )


# ---------------------------------------------------------------- Discord scheduled events


class CalendarEvents(SQLModel, table=True):
    """A guild's deadlines as Discord scheduled events (/calendar events): on or off, why the
    sync is paused (the bot lacks Manage Events), how the last sync went, and its lease (one
    worker syncs a guild at a time)."""

    __tablename__ = "calendar_events"
    id: int | None = Field(default=None, primary_key=True)
    guild_id: int = Field(sa_type=BigInteger, unique=True)
    enabled: bool = False
    paused_reason: str | None = Field(default=None, max_length=300)
    updated_by: int | None = Field(default=None, sa_type=BigInteger)
    updated_at: dt.datetime = Field(sa_type=UTCDateTime)
    synced_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    held_back: int = 0  # deadlines in the window that did not fit under Discord's 100 events
    last_error: str | None = Field(default=None, max_length=500)
    retry_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    lease_owner: str | None = Field(default=None, max_length=100)
    lease_until: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)

    __table_args__ = (NEVER_REUSE_IDS,)


class GuildEvent(SQLModel, table=True):
    """One deadline as one Discord scheduled event in one guild. The row is written BEFORE each
    Discord call (the intent) and again after it: state 'creating' (discord_event_id NULL until
    Discord answered), 'scheduled', 'updating' (day/name/hash hold the values being applied) or
    'cancelling'. `description_hash` covers the description and the location."""

    __tablename__ = "guild_event"
    id: int | None = Field(default=None, primary_key=True)
    guild_id: int = Field(sa_type=BigInteger, index=True)
    uid: str = Field(max_length=200)
    discord_event_id: int | None = Field(default=None, sa_type=BigInteger)
    day: dt.date
    name: str = Field(max_length=100)
    description_hash: str = Field(max_length=64)
    state: str = Field(max_length=16)
    error: str | None = Field(default=None, max_length=500)
    updated_at: dt.datetime = Field(sa_type=UTCDateTime)

    __table_args__ = (
        UniqueConstraint("guild_id", "uid", name="uq_guild_event_uid"),
        NEVER_REUSE_IDS,
    )
