"""Candidates in memory (db.candidate_store): the same choices, in the same order, as the database
path for every kind of typing; read once per token and scope, bounded, never another guild's. What
a typed option named (CandidateStore.resolved) and a city ranking are kept per token too."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession

from bench.dataset import Sizes, generate
from db import resolve, suggest
from db.candidate_store import CITIES, CandidateStore, Snapshot
from db.candidates import KINDS
from db.engine import Database
from db.errors import NotFound
from db.models import Measure
from db.scope import Scope
from db.search import find_record
from db.seed import load_seed
from db.suggest import Found
from tests.db.records import (
    EDITOR,
    GUILD_A,
    GUILD_B,
    SHARED,
    action,
    add,
    bodycam,
    measure,
    question,
)
from tests.support.statements import statements

# What people type: nothing, ids loosely, bill spellings, acronyms, typos (one word and two),
# accents, wildcards, a letter, long text, what matches nothing.
TYPED = [
    "",
    "   ",
    "oq2",
    "OQ 2",
    "gq2",
    "GQ-12",
    "2",
    "5",
    "7147",
    "HR 7147",
    "H.R. 71",
    "hjres 5",
    "P.L. 119-86",
    "119-hr7147",
    "HSGAC",
    "ice",
    "House Homeland",
    "homland apropriations",
    "minneapols",
    "footage retension",
    "Montréal",
    "montreal",
    "rétention",
    "état",
    "ÁVILA",
    "é",
    "St. Paul",
    "saint paul",
    "continuing",
    "act 2026",
    "body cam",
    "border act draft",
    "q",
    "%",
    "_",
    "Springfield, IL",
    "spring",
    "details follow " * 10,
    "zzzzqqq",
]
SCOPES = [SHARED, GUILD_A, GUILD_B]
TOKEN = 1
T = TypeVar("T")
Resolve = Callable[[], Awaitable[T]]


async def fill(db: Database) -> None:
    """The starter data, 300 cities, 600 questions in each of two guilds (more than the 200 rows a
    kind reads at most), and what tests the edges: a guild's copy of a shared question and its own
    camera record, accents, an unnumbered bill and its action, two bills numbered 5."""
    await load_seed(db)
    await generate(db, Sizes(cities=300, questions=1200, guilds=(1, 2)))
    async with db.writer(GUILD_A, EDITOR) as writer:
        await writer.change("question", "OQ-2", {"question": "Montréal footage: rétention policy?"})
    await add(db, "bodycam", bodycam("Montréal", "VT"), scope=GUILD_A)
    await add(db, "question", question(key="OQ-90", question="Réponse sur la rétention à Québec"))
    await add(db, "question", question(key="OQ-91", question="L'ÉTAT des caméras à Ávila"))
    draft = await add(
        db, "measure", measure(bill_type="unnumbered", bill_number=None, title="Border Act draft")
    )
    await add(db, "action", action(draft.key, text="Border act draft circulated."))
    await add(db, "measure", measure(bill_type="hjres", bill_number=5, title="Continuing Act"))
    await add(db, "measure", measure(bill_type="s", bill_number=5, title="Senate five"))


def _found(found: Found) -> tuple[Any, ...]:
    named = None if found.named is None else (found.named.kind, found.named.key)
    return named, found.respelled, [(row.kind, row.key, name) for row, name in found.ranked]


async def test_memory_offers_what_the_database_offers(db: Database) -> None:
    """For every scope and every kind of typing, the bill, question and /cite lookups and the
    city choices from memory equal the database path's, in order (the named record and the
    correction too)."""
    await fill(db)
    store = CandidateStore(db)
    differences = []
    compared = 0
    for scope in SCOPES:
        for kinds in (("measure",), ("question",), KINDS):
            snapshot = await store.snapshot(scope, kinds, TOKEN)
            for typed in TYPED:
                async with db.session() as session:
                    expected = _found(await suggest.look_up(session, scope, typed, kinds))
                got = _found(await suggest.find(snapshot, typed, kinds))
                compared += len(expected[2])
                if got != expected:
                    differences.append((scope, kinds, typed, expected, got))
        cities = await cities_of(store, scope, TOKEN)
        for typed in TYPED:
            async with db.session() as session:
                expected_cities = await suggest.suggest_cities(session, scope, typed)
            if suggest.cities_from(cities, typed) != expected_cities:
                differences.append((scope, "city", typed, expected_cities, None))
    assert differences == []
    assert compared > 2000  # the comparison compared something
    questions = await store.snapshot(SHARED, ("question",), TOKEN)
    for typed in ("état", "ÁVILA"):  # case folded beyond ASCII, on both backends
        assert (await suggest.find(questions, typed, ("question",))).ranked[0][0].key == "OQ-91"


async def cities_of(store: CandidateStore, scope: Scope, token: int) -> tuple[Any, ...]:
    """The cities `scope` sees at `token`, as the city autocomplete reads them."""
    return (await store.snapshot(scope, (CITIES,), token)).cities()


async def test_a_scope_is_read_once_per_token(db: Database) -> None:
    """The first snapshot of a guild reads the shared rows and its own (one statement each, for
    every kind asked); the next runs none, another guild only its own rows, a new token all
    again."""
    await fill(db)
    store = CandidateStore(db)
    with statements(db) as first:
        await store.snapshot(GUILD_A, ("question", "measure"), TOKEN)
    with statements(db) as again:
        await store.snapshot(GUILD_A, ("question", "measure"), TOKEN)
        await cities_of(store, GUILD_B, TOKEN)
        await cities_of(store, GUILD_B, TOKEN)
    with statements(db) as other:
        await store.snapshot(GUILD_B, ("question",), TOKEN)
    with statements(db) as newer:
        await store.snapshot(GUILD_A, ("question",), TOKEN + 1)
    assert len(first) == 2
    assert len(again) == 2  # the shared cities, and whether guild B has camera records of its own
    assert len(other) == 1
    assert len(newer) == 2


async def test_what_was_typed_is_ranked_once_per_scope_and_token(db: Database) -> None:
    """The same text in the same guild is ranked once while the token lasts (a burst types the
    same prefixes); another guild, other text or a new token ranks again, and gets what the
    database path gives."""
    await fill(db)
    store = CandidateStore(db)
    ranked: list[str] = []

    def finder(text: str) -> Any:
        async def find(snapshot: Any) -> Found:
            ranked.append(text)
            return await suggest.find(snapshot, text, ("question",))

        return find

    first = await store.found(GUILD_A, ("question",), "gq", TOKEN, finder("gq"))
    again = await store.found(GUILD_A, ("question",), "gq", TOKEN, finder("gq"))
    assert again is first and ranked == ["gq"]
    await store.found(GUILD_B, ("question",), "gq", TOKEN, finder("gq"))
    await store.found(GUILD_A, ("question",), "oq", TOKEN, finder("oq"))
    newer = await store.found(GUILD_A, ("question",), "gq", TOKEN + 1, finder("gq"))
    assert ranked == ["gq", "gq", "oq", "gq"]
    async with db.session() as session:
        reference = await suggest.look_up(session, GUILD_A, "gq", ("question",))
    assert [row.key for row, *_ in newer.ranked] == [row.key for row, *_ in reference.ranked]


async def test_concurrent_first_requests_read_once(db: Database) -> None:
    """Ten autocompletes of one guild at once, before anything is kept: one read, shared."""
    await fill(db)
    store = CandidateStore(db)
    with statements(db) as seen:
        snapshots = await asyncio.gather(
            *(store.snapshot(GUILD_A, KINDS, TOKEN) for _ in range(10))
        )
    assert len(seen) == 2  # the shared rows and the guild's, of every kind
    assert len({id(s.rows("question")) for s in snapshots}) == 1


async def test_a_caller_given_up_on_does_not_cancel_the_read(db: Database) -> None:
    """The first caller is cancelled (its autocomplete past the deadline) while reading: the
    read goes on for the one waiting with it, and is kept."""
    await fill(db)
    store = CandidateStore(db)
    with statements(db) as seen:
        first = asyncio.ensure_future(store.snapshot(GUILD_A, ("question",), TOKEN))
        await asyncio.sleep(0)  # the first has started the read and waits for it
        second = asyncio.ensure_future(store.snapshot(GUILD_A, ("question",), TOKEN))
        first.cancel()
        snapshot = await second
        again = await store.snapshot(GUILD_A, ("question",), TOKEN)
    assert first.cancelled()
    assert len(seen) == 2 and again.rows("question") is snapshot.rows("question")


async def test_the_least_recently_used_guild_goes_first(db: Database) -> None:
    """With room for two guilds, a third drops the one used longest ago, which is read again."""
    await fill(db)
    store = CandidateStore(db, guilds=2)
    for guild in (1, 2, 1, 3):
        await store.snapshot(Scope.guild(guild), ("question",), TOKEN)
    assert store.guilds_kept == [1, 3]
    with statements(db) as seen:
        await store.snapshot(Scope.guild(1), ("question",), TOKEN)
        await store.snapshot(Scope.guild(2), ("question",), TOKEN)
    assert len(seen) == 1  # guild 2's own rows; the shared ones are kept for everyone
    assert store.guilds_kept == [1, 2]


async def test_a_guild_sees_its_own_and_the_shared_never_anothers(db: Database) -> None:
    """A guild's records are offered there only; its copy of a shared question replaces the
    shared one there, while another guild still sees the shared one."""
    await fill(db)
    await add(
        db, "question", question(key="GQ-999", question="Secret plan of guild two"), scope=GUILD_B
    )
    store = CandidateStore(db)

    async def offered(scope: Scope, typed: str) -> list[str]:
        snapshot = await store.snapshot(scope, ("question",), TOKEN)
        return [
            c.label for c in suggest.choices(await suggest.find(snapshot, typed, ("question",)))
        ]

    assert await offered(GUILD_B, "secret plan") == ["GQ-999: Secret plan of guild two"]
    assert await offered(GUILD_A, "secret plan") == []
    assert await offered(SHARED, "secret plan") == []
    mine = [label for label in await offered(GUILD_A, "OQ-2") if label.startswith("OQ-2:")]
    theirs = [label for label in await offered(GUILD_B, "OQ-2") if label.startswith("OQ-2:")]
    assert mine == ["OQ-2: Montréal footage: rétention policy?"]
    assert len(theirs) == 1 and theirs != mine


async def test_kept_rows_are_left_alone_by_the_garbage_collector(db: Database) -> None:
    """Rows are tuples of str, int, date and None: after a collection the collector no longer
    tracks them (it would scan every tracked container on each full collection)."""
    await fill(db)
    store = CandidateStore(db)
    snapshot = await store.snapshot(GUILD_A, KINDS, TOKEN)
    cities = await cities_of(store, GUILD_A, TOKEN)
    gc.collect()
    rows = [row for kind in KINDS for row in snapshot.rows(kind)]
    assert len(rows) > 1000
    assert not any(gc.is_tracked(row) for row in rows)
    assert not any(gc.is_tracked(city) for city in cities)


@pytest.mark.parametrize("typed", ["5", "hjres 5", "border act draft"])
async def test_bills_are_named_as_find_measure_names_them(db: Database, typed: str) -> None:
    """'5' names no bill (H.J.Res. 5 and S. 5), 'hjres 5' the joint resolution, title words the
    unnumbered draft: from memory as from the database."""
    await fill(db)
    snapshot = await CandidateStore(db).snapshot(SHARED, KINDS, TOKEN)
    async with db.session() as session:
        expected = await suggest.InDatabase(session, SHARED).bill(typed)
    got = await snapshot.bill(typed)
    assert (got and got.key) == (expected and expected.key)


# ---------------------------------------------------------------- typed options and cities


def bill_typed(db: Database, scope: Scope, text: str, reads: list[str]) -> Resolve[Measure]:
    """What BillOption's transform reads for `text` (cogs/_options.py), counted in `reads`."""

    async def read() -> Measure:
        reads.append(text)
        async with db.session() as session:
            found = await resolve.find_measure(session, scope, text)
        if found is None:
            raise NotFound(f"No bill matches '{text}'.")
        return found

    return read


async def test_a_typed_option_is_read_once_per_scope_option_and_token(db: Database) -> None:
    """The same text typed into the same option in the same scope is read once while the token
    lasts, and every asker gets the same record; another scope, option, text or token reads
    again."""
    await load_seed(db)
    store = CandidateStore(db)
    reads: list[str] = []
    with statements(db) as first_time:
        first = await store.resolved(
            GUILD_A, "bill", "7147", TOKEN, bill_typed(db, GUILD_A, "7147", reads)
        )
    with statements(db) as again_time:
        again = await store.resolved(
            GUILD_A, "bill", "7147", TOKEN, bill_typed(db, GUILD_A, "7147", reads)
        )
    assert first.key == "119-hr7147" and again is first
    assert first_time and again_time == [] and reads == ["7147"]
    await store.resolved(GUILD_B, "bill", "7147", TOKEN, bill_typed(db, GUILD_B, "7147", reads))
    await store.resolved(GUILD_A, "record", "7147", TOKEN, bill_typed(db, GUILD_A, "7147", reads))
    await store.resolved(
        GUILD_A, "bill", "HR 7147", TOKEN, bill_typed(db, GUILD_A, "HR 7147", reads)
    )
    newer = await store.resolved(
        GUILD_A, "bill", "7147", TOKEN + 1, bill_typed(db, GUILD_A, "7147", reads)
    )
    assert reads == ["7147", "7147", "7147", "HR 7147", "7147"]
    assert newer is not first and newer.key == first.key


async def test_a_refusal_is_kept_and_raised_anew_until_the_data_changes(db: Database) -> None:
    """'H.R. 1234' names no bill: read once, refused each time with a new NotFound of the same
    message; once the bill is added (a new token) it is found."""
    await load_seed(db)
    store = CandidateStore(db)
    reads: list[str] = []
    refusals = []
    for _ in range(2):
        with pytest.raises(NotFound) as refused:
            await store.resolved(
                GUILD_A, "bill", "H.R. 1234", TOKEN, bill_typed(db, GUILD_A, "H.R. 1234", reads)
            )
        refusals.append(refused.value)
    assert reads == ["H.R. 1234"]
    assert str(refusals[0]) == str(refusals[1]) == "No bill matches 'H.R. 1234'."
    assert refusals[0] is not refusals[1]  # one raised object would gather every traceback
    await add(db, "measure", measure(bill_number=1234, title="Twelve Thirty-Four Act"))
    found = await store.resolved(
        GUILD_A, "bill", "H.R. 1234", TOKEN + 1, bill_typed(db, GUILD_A, "H.R. 1234", reads)
    )
    assert found.key == "119-hr1234"


async def test_concurrent_first_asks_share_one_read(db: Database) -> None:
    """Ten commands with the same text at once, before anything is kept: one read, one record."""
    await load_seed(db)
    store = CandidateStore(db)
    reads: list[str] = []
    found = await asyncio.gather(
        *(
            store.resolved(GUILD_A, "bill", "7147", TOKEN, bill_typed(db, GUILD_A, "7147", reads))
            for _ in range(10)
        )
    )
    assert reads == ["7147"] and len({id(measure) for measure in found}) == 1


async def test_an_asker_given_up_on_does_not_cancel_the_read(db: Database) -> None:
    """The first command is cancelled while its option is read (its interaction gave up): the
    read goes on for the one waiting with it, and is kept."""
    await load_seed(db)
    store = CandidateStore(db)
    reads: list[str] = []
    first = asyncio.ensure_future(
        store.resolved(GUILD_A, "bill", "7147", TOKEN, bill_typed(db, GUILD_A, "7147", reads))
    )
    await asyncio.sleep(0)  # the first has started the read and waits for it
    second = asyncio.ensure_future(
        store.resolved(GUILD_A, "bill", "7147", TOKEN, bill_typed(db, GUILD_A, "7147", reads))
    )
    first.cancel()
    found = await second
    again = await store.resolved(
        GUILD_A, "bill", "7147", TOKEN, bill_typed(db, GUILD_A, "7147", reads)
    )
    assert first.cancelled() and found.key == "119-hr7147" and again is found
    assert reads == ["7147"]


async def test_a_failed_or_outdated_read_is_not_kept(db: Database) -> None:
    """A read that fails (the database went away) is tried again by the next asker; one that
    ends after a write came in (a new token) serves its askers only."""
    await load_seed(db)
    store = CandidateStore(db)
    calls: list[str] = []

    async def failing() -> Measure:
        calls.append("failed")
        raise ConnectionError("the database went away")

    for _ in range(2):
        with pytest.raises(ConnectionError):
            await store.resolved(GUILD_A, "bill", "7147", TOKEN, failing)
    assert calls == ["failed", "failed"]
    reads: list[str] = []
    release = asyncio.Event()
    read = bill_typed(db, GUILD_A, "7147", reads)

    async def slow() -> Measure:
        await release.wait()
        return await read()

    older = asyncio.ensure_future(store.resolved(GUILD_A, "bill", "7147", TOKEN, slow))
    await asyncio.sleep(0)  # it waits, holding the read for TOKEN
    await store.resolved(
        GUILD_A, "bill", "HR 7147", TOKEN + 1, bill_typed(db, GUILD_A, "HR 7147", reads)
    )
    release.set()
    assert (await older).key == "119-hr7147"
    await store.resolved(GUILD_A, "bill", "7147", TOKEN + 1, bill_typed(db, GUILD_A, "7147", reads))
    assert reads == ["HR 7147", "7147", "7147"]


async def test_kept_records_are_detached_and_fully_loaded(db: Database) -> None:
    """Commands share what an option resolved to, so every row in it is out of its session
    with every column loaded: reading it never reaches the database (nothing expired, no lazy
    load) and no session holds it (nothing would be flushed). As the options read them: a bill,
    a question, /cite's bill (with its latest action) and question (with the bill its due rule
    follows)."""
    await load_seed(db)
    store = CandidateStore(db)

    async def in_session(read: Callable[[AsyncSession], Awaitable[Any]]) -> Any:
        async with db.session() as session:
            return await read(session)

    bill = await store.resolved(
        SHARED,
        "bill",
        "HR 7147",
        TOKEN,
        lambda: in_session(lambda s: resolve.find_measure(s, SHARED, "HR 7147")),
    )
    asked = await store.resolved(
        SHARED,
        "question",
        "oq2",
        TOKEN,
        lambda: in_session(lambda s: resolve.find_question(s, SHARED, "oq2")),
    )
    cited_bill = await store.resolved(
        SHARED,
        "record",
        "7147",
        TOKEN,
        lambda: in_session(lambda s: find_record(s, SHARED, "7147")),
    )
    cited_question = await store.resolved(
        SHARED,
        "record",
        "OQ-4",
        TOKEN,
        lambda: in_session(lambda s: find_record(s, SHARED, "OQ-4")),
    )
    rows = [
        bill,
        asked,
        cited_bill.record,
        cited_bill.latest_action,
        cited_question.record,
        cited_question.measure,
    ]
    assert all(row is not None for row in rows)
    with statements(db) as seen:
        for row in rows:
            state = inspect(row)
            assert state.detached and not state.expired_attributes and not state.unloaded, row
            read = {attribute.key: attribute.value for attribute in state.attrs}
            assert read["key"] == row.key and len(read) > 10
    assert seen == []


async def test_cities_are_ranked_once_per_scope_text_and_token(db: Database) -> None:
    """/bodycam city's autocomplete (CandidateStore.found over the cities): what the database
    path offers, ranked once per text while the token lasts; each label's sort key is worked
    out once, not on every ranking."""
    await fill(db)
    store = CandidateStore(db)
    ranked: list[str] = []

    def ranking(text: str) -> Callable[[Snapshot], Awaitable[list[suggest.Choice]]]:
        async def find(snapshot: Snapshot) -> list[suggest.Choice]:
            ranked.append(text)
            return suggest.cities_from(snapshot.cities(), text)

        return find

    first = await store.found(GUILD_A, (CITIES,), "spring", TOKEN, ranking("spring"))
    with statements(db) as seen:
        again = await store.found(GUILD_A, (CITIES,), "spring", TOKEN, ranking("spring"))
    assert again is first and seen == [] and ranked == ["spring"]
    async with db.session() as session:
        assert first == await suggest.suggest_cities(session, GUILD_A, "spring") and first
    await store.found(GUILD_B, (CITIES,), "spring", TOKEN, ranking("spring"))
    await store.found(GUILD_A, (CITIES,), "spring", TOKEN + 1, ranking("spring"))
    assert ranked == ["spring"] * 3
    cities = await cities_of(store, GUILD_A, TOKEN + 1)
    typed = ("", "a", "s", "spring", "minneapols")
    first_rankings = [suggest.cities_from(cities, text) for text in typed]
    worked_out = suggest._natural.cache_info().misses
    assert [suggest.cities_from(cities, text) for text in typed] == first_rankings
    assert suggest._natural.cache_info().misses == worked_out
