"""Queries the services share: a range of days on a datetime column, a patient matched by
every word typed (any part of the name, accents folded, wildcards literal), and the sums of
a ledger by kind of movement (payments and refunds, credits used and returned).

Name search. A typed word matches a patient when it is part of a word of the patient's folded
name ("ohn" finds John, "zoe" finds Zoë; ``%`` and ``_`` are plain characters). A
``LIKE '%word%'`` over every patient cannot use an index, so the name-search index
``patient_name_part`` holds every suffix of every word of each name: a word is part of a name
exactly when some suffix of it begins with the word, and "begins with" is an index range.

* One statement first counts, for each typed word, the index rows that begin with it, each
  count an index range that stops at ``PAIR_ROWS``.
* When the rarest word begins fewer than ``RARE_ROWS`` rows, its patients come from the index
  and the other words are checked (``LIKE``) on those patients alone.
* Otherwise, when the two rarest words together begin fewer than ``PAIR_ROWS`` rows, the
  patients are the intersection of their index rows ("garcia maria": common surname, common
  first name, few patients with both).
* When the words are commoner still, matches are everywhere: patients are walked in name
  order and checked with ``LIKE``, and the page's ``LIMIT`` stops the walk early.

On SQLite "begins with" is a range on the primary key's index of ``patient_name_part``; on
PostgreSQL a ``LIKE 'word%'`` answered by a ``text_pattern_ops`` index (right under any
collation), the pattern written into the statement's text so that the server plans for it,
and a rare word's patients gathered before they are read and sorted (``_id_among``). Measured on SQLite at 400,000 patients (first 50 by name): under 9 ms for any
common surname, first name or pair of them, half a millisecond for a word nobody has.
"""

from __future__ import annotations

import datetime as dt

from peewee import OP, SQL, Expression, NodeList, Select, fn

from ...store.database import is_sqlite, literal
from ...store.models import Patient, PatientNamePart, Payment
from .text import NAME_PART_MAX, fold
from .vocabulary import PaymentKind

# How many name-index rows a typed word may begin before it is too common to look up: one
# word's patients come from the index below RARE_ROWS rows (about a microsecond a row, to read
# the patient and sort); two common words' patients, as the intersection of their rows, while
# the two together stay below PAIR_ROWS (a quarter of that a row). Commoner words match so
# many patients that walking them in name order fills a page quickly.
RARE_ROWS = 4000
PAIR_ROWS = 32000


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Midnight that starts ``day`` and the one that ends it."""
    start = dt.datetime.combine(day, dt.time())
    return start, start + dt.timedelta(days=1)


def between_days(query, column, date_from: dt.date | None, date_to: dt.date | None):
    """``query`` limited to ``column`` on ``date_from`` … ``date_to`` (inclusive; either open)."""
    if date_from:
        query = query.where(column >= day_bounds(date_from)[0])
    if date_to:
        query = query.where(column < day_bounds(date_to)[1])
    return query


def patient_named(query, text: str):
    """``query`` (of patients, or joined to ``Patient``) limited to patients whose name holds
    every word of ``text``. Asks the name index how common each word is (one statement) when
    ``text`` has words."""
    condition = name_condition(text)
    return query if condition is None else query.where(condition)


def name_condition(text: str) -> Expression | None:
    """The condition on ``Patient`` that every word of ``text`` is part of the name (None
    when ``text`` has no words); see the module docstring for how it is answered."""
    words = search_words(text)
    if not words:
        return None
    counts = _index_rows(words)
    rarest = sorted(range(len(words)), key=counts.__getitem__)
    if counts[rarest[0]] < RARE_ROWS:
        looked_up = rarest[:1]
        found = _patients_with_part(words[rarest[0]])
    elif len(words) > 1 and counts[rarest[0]] + counts[rarest[1]] < PAIR_ROWS:
        looked_up = rarest[:2]
        found = (_patients_with_part(words[rarest[0]])
                 .intersect(_patients_with_part(words[rarest[1]])))
    else:  # every word is common: walk the patients in name order
        return _all_of([_name_holds(w) for w in words])
    # the other words are checked on the patients found alone (and a word longer than the
    # index's parts, which found patients by its beginning, checked whole)
    checks = [_name_holds(w) for i, w in enumerate(words)
              if i not in looked_up or len(w) > NAME_PART_MAX]
    return _all_of([_id_among(found), *checks])


def _id_among(found: Select) -> Expression:
    """``Patient.id`` is one of the ids ``found`` selects (fewer than ``PAIR_ROWS``). On
    PostgreSQL as ``= ANY(ARRAY(…))``: the ids are gathered first (once), then their patients
    read by primary key and sorted. Written as ``IN (…)``, the planner may instead walk every
    patient in name order and look each one up in the name index, betting that matches are
    spread evenly through the alphabet — "thom" at 40,000 patients read 33,000 of them
    (3.6 s) to find the 50 Thomases near the end."""
    if is_sqlite():
        return Patient.id.in_(found)
    return Expression(Patient.id, OP.EQ, fn.ANY(NodeList((SQL("ARRAY"), found))))


def search_words(text: str) -> list[str]:
    """The folded words of ``text``, less those that are part of another word typed ("gar
    garcia" asks no more than "garcia"), in the order typed."""
    words = list(dict.fromkeys(fold(text).split()))
    return [w for w in words if not any(w != other and w in other for other in words)]


def _part_begins_with(word: str) -> Expression:
    """``patient_name_part.part`` begins with ``word`` (cut to the parts' width). On SQLite a
    range: its BINARY collation compares UTF-8 bytes, so everything that begins with ``word``
    lies between ``word`` and ``word`` + U+10FFFF (the highest code point; only a part with
    that noncharacter right after ``word`` would be missed), and the primary key's index
    answers it. On PostgreSQL a case-sensitive LIKE (both sides are folded), right
    under any collation, answered by the ``text_pattern_ops`` index; the pattern is in the
    statement's text (``_like_pattern``) so that the plan is made for it."""
    word = word[:NAME_PART_MAX]
    part = PatientNamePart.part
    if is_sqlite():
        return (part >= word) & (part < word + "\U0010FFFF")
    return Expression(part, OP.LIKE, _like_pattern(_escaped(word) + "%"))


def _name_holds(word: str) -> Expression:
    """``Patient.search_name`` holds ``word`` (``%`` and ``_`` plain characters)."""
    if is_sqlite():
        return Patient.search_name.contains(word)
    return Expression(Patient.search_name, OP.ILIKE, _like_pattern(f"%{_escaped(word)}%"))


def _escaped(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like_pattern(pattern: str) -> NodeList:
    """``pattern ESCAPE '\\'`` for PostgreSQL, both in the statement's text (``literal``): a
    prepared statement's generic plan for ``LIKE $1`` cannot use the index."""
    return NodeList((literal(pattern), SQL("ESCAPE"), literal("\\")))


def _patients_with_part(word: str):
    """The patients with a part that begins with ``word`` (a patient may come more than once)."""
    return PatientNamePart.select(PatientNamePart.patient).where(_part_begins_with(word))


def _index_rows(words: list[str]) -> list[int]:
    """For each word, how many name-index rows begin with it, counted up to ``PAIR_ROWS``:
    one statement, each count an index range that stops at the cap."""
    counts = []
    for word in words:
        rows = (PatientNamePart.select(SQL("1")).where(_part_begins_with(word))
                .limit(PAIR_ROWS))
        counts.append(Select([rows.alias("found")], [fn.COUNT(SQL("*"))]))
    return list(Select(columns=counts).tuples().execute(PatientNamePart._meta.database)[0])


def _all_of(conditions: list[Expression]) -> Expression:
    result = conditions[0]
    for condition in conditions[1:]:
        result &= condition
    return result


def sums_by_kind(kind_column, amount_column, *where) -> dict[str, int]:
    """{kind: total} of a ledger's rows matching ``where``, in one grouped query."""
    query = (kind_column.model.select(kind_column, fn.SUM(amount_column)).where(*where)
             .group_by(kind_column).tuples())
    return {kind: total or 0 for kind, total in query}


def payments_of(*where) -> tuple[int, int]:
    """(payments taken, refunds given) of the payments matching ``where``."""
    sums = sums_by_kind(Payment.kind, Payment.amount_cents, *where)
    return sums.get(PaymentKind.PAYMENT, 0), sums.get(PaymentKind.REFUND, 0)
