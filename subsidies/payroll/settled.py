"""What a computation of a month read, per township, so that a later run recomputes the
adjustments of a locked month only for the placements whose facts changed (docs/policy.md §9.7).

Each computation stores, per township and per month it computed (its own and each locked month
it settled), a digest of every fact the rules judge for each placement on post in that month
(its Placed facts, its attendance record and its assessment result of the month: a 16-byte
BLAKE2b of their repr), a digest of the month's terms (the policies in force, per line), and its
basis: the county's locked runs from that month on whose lines it read as paid.

A later run settling that locked month finds the stored record whose run and basis are exactly
the locked runs holding lines for the month now (`settling`): what was paid for the month is then
what the rules gave on the facts that record digested, so every placement whose digest is the same
now is owed nothing more, and only the others are recomputed. Anything else (no such record, the
terms changed) recomputes the township's month in full, as before."""

import datetime as dt
import hashlib
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from operator import attrgetter

from ..models import PayrollRun, SettledMonth
from .rules import Mark, Placed, Terms, Verdict

Digests = dict[int, bytes]  # per placement: the digest of its facts of the month
SIZE = 16  # bytes of a digest
FACTS = attrgetter(*(f.name for f in fields(Placed)))  # a placement's facts as a tuple


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode(), digest_size=SIZE).digest()


def placed_digests(placed: Iterable[Placed]) -> Digests:
    """Per placement: the digest of its Placed facts (the same for every month), read as a tuple
    (a dataclass's own repr costs twice as much)."""
    return {p.pk: _digest(repr(FACTS(p))) for p in placed}


def month_digests(
    on_post: Iterable[Placed], base: Digests, marks: dict[int, Mark], verdicts: dict[int, Verdict]
) -> Digests:
    """Per placement on post in a month: the digest of its facts of the month (its Placed facts,
    its attendance record and its assessment result)."""
    made = {p.pk: base[p.pk] for p in on_post}
    for pk in (marks.keys() | verdicts.keys()) & made.keys():
        made[pk] = _digest(f"{base[pk].hex()}|{marks.get(pk)!r}|{verdicts.get(pk)!r}")
    return made


def terms_digest(terms: dict[str, Terms]) -> bytes:
    return _digest(repr(sorted(terms.items())))


def pack(digests: Digests) -> bytes:
    """The placements' digests as bytes: their ids in order (8 bytes each), then their digests."""
    ids = array("q", sorted(digests))
    return ids.tobytes() + b"".join(map(digests.__getitem__, ids))


def unpack(packed: bytes) -> Digests:
    count = len(packed) // (8 + SIZE)
    ids = array("q")
    ids.frombytes(packed[: 8 * count])
    start = 8 * count
    return {pk: packed[start + i * SIZE : start + (i + 1) * SIZE] for i, pk in enumerate(ids)}


@dataclass(frozen=True, slots=True)
class Record:
    """What a computation read of one township's month."""

    township_id: int
    month: dt.date
    basis: list[int]  # the county's locked runs from `month` on whose lines were read as paid
    terms: bytes
    digests: Digests
    packed: bytes  # pack(digests)
    summary: bytes  # one digest of them all: equal summaries, equal digests of every placement
    # as the stored record it was compared with: its digests not written again (docs/performance.md P18)
    same: bool = False


def record(township_id: int, month: dt.date, basis: list[int], terms: bytes, digests: Digests) -> Record:
    packed = pack(digests)
    return Record(township_id, month, basis, terms, digests, packed, _digest_bytes(packed))


def _digest_bytes(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=SIZE).digest()


EMPTY = _digest_bytes(b"")  # the summary of a month with no placement on post


def same_as(made: Record, stored: SettledMonth | None) -> Record:
    """`made`, marked the same as the stored record when its terms and digests are."""
    if stored is None or bytes(stored.terms) != made.terms or bytes(stored.summary) != made.summary:
        return made
    return replace(made, same=True)


def digests_of(stored: SettledMonth) -> Digests | None:
    """A stored record's digests per placement. A record written the same as an earlier one keeps
    none of its own: those of a record of the same township, month and summary are read (a
    summary digests the digests, so any such record holds the same; the first one written is a
    locked run's, and a locked run's records are never replaced)."""
    packed = bytes(stored.digests)
    if not packed and bytes(stored.summary) != EMPTY:
        same = SettledMonth.objects.filter(
            township_id=stored.township_id, month=stored.month, summary=bytes(stored.summary)
        ).exclude(digests=b"")
        found = same.values_list("digests", flat=True).first()
        if found is None:
            return None  # not found (never so while locked runs are kept): the whole month then
        packed = bytes(found)
    return unpack(packed)


def changed(known: Digests, stored: Digests) -> set[int]:
    """The placements whose facts of the month differ from the stored ones, or that are in only one."""
    return {pk for pk, digest in known.items() if stored.get(pk) != digest} | (stored.keys() - known.keys())


def settling(
    townships: list[int], locked: dict[dt.date, list[int]]
) -> dict[tuple[int, dt.date], SettledMonth]:
    """Per township and locked month: the stored record that states what was paid for it, i.e.
    the record of a run R (of the month or a later one) with R and its basis exactly the county's
    locked runs that hold lines of the month now (`locked`, per month: those of that month on).
    Its digests are not read here (digests_of)."""
    runs = {pk for ids in locked.values() for pk in ids}
    if not runs:
        return {}
    stored = SettledMonth.objects.filter(
        run_id__in=runs, township_id__in=townships, month__in=list(locked)
    ).defer("digests")
    found = {}
    for record in stored.order_by():
        if {*record.basis, record.run_id} == set(locked[record.month]):
            found[(record.township_id, record.month)] = record
    return found


def record_replace(run: PayrollRun, townships: list[int], records: list[Record]) -> None:
    """Make the run's stored records in `townships` these. The caller holds the transaction."""
    SettledMonth.objects.filter(run=run, township_id__in=townships).delete()
    SettledMonth.objects.bulk_create(
        SettledMonth(
            run=run,
            township_id=r.township_id,
            month=r.month,
            basis=r.basis,
            terms=r.terms,
            summary=r.summary,
            digests=b"" if r.same else r.packed,
        )
        for r in records
    )
