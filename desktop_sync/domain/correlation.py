"""Finding the conversation a mail belongs to: In-Reply-To, the tracking token, References, then
(when switched on) smart matching: the same subject words and at least two shared addresses.

Pure: it says what to look up, in which order; the engine does the look-ups in the store.
"""

from __future__ import annotations

import enum
import hashlib
import heapq
import re
from collections.abc import Collection, Container, Sequence
from dataclasses import dataclass

from desktop_sync.domain.mail import ParsedEmail

TOKEN_DIGITS = 7
SMART_MATCH_MIN_SHARED_ADDRESSES = 2

# "Re:", "Fwd:", "AW:", "[ext] RE:" ... in the languages mail clients commonly write them
_REPLY_PREFIX = re.compile(
    r"^\s*(?:\[[^\]]{0,30}\]\s*)?(?:re|fw|fwd|aw|wg|tr|sv|vs|antw|rv|ref|réf)(?:\[\d+\])?\s*:\s*",
    re.IGNORECASE,
)
_WORD = re.compile(r"\w+", re.UNICODE)


class CorrelationMethod(enum.Enum):
    IN_REPLY_TO = "in_reply_to"
    TRACKING_TOKEN = "tracking_token"
    REFERENCES = "references"
    SMART_MATCHING = "smart_matching"


def tracking_token(prefix: str, activity_id: int) -> str:
    """The token put in the subject of mail sent from the CRM, e.g. ``CRM:0001234``."""
    return f"{prefix}{activity_id:0{TOKEN_DIGITS}d}"


MAX_ACTIVITY_ID = 2**31 - 1  # the store's ids are INTEGER columns (32 bits on PostgreSQL)


def find_token(subject: str, prefix: str) -> int | None:
    """The activity id in a tracking token of ``subject``, if there is one.

    ASCII digits only (``\\d`` would take Arabic-Indic or full-width ones), and no number past what
    an id can be: "CRM:9999999999" is no token, not an error of the store's look-up (PostgreSQL:
    integer out of range) that would fail the whole batch."""
    match = re.search(re.escape(prefix) + r"([0-9]{" + str(TOKEN_DIGITS) + r",10})(?![0-9])", subject)
    if match is None:
        return None
    activity_id = int(match.group(1))
    return activity_id if activity_id <= MAX_ACTIVITY_ID else None


def subject_key(subject: str, token_prefix: str | None = None) -> str | None:
    """What smart matching compares of a subject: its words, lower-cased, without reply and forward
    prefixes or a tracking token; hashed to a fixed length for an index. None for a subject without
    words (those never match)."""
    text = subject
    if token_prefix:
        text = re.sub(re.escape(token_prefix) + r"\d{" + str(TOKEN_DIGITS) + r",}", " ", text)
    while True:
        stripped = _REPLY_PREFIX.sub("", text, count=1)
        if stripped == text:
            break
        text = stripped
    words = _WORD.findall(text.casefold())
    if not words:
        return None
    return hashlib.sha1(" ".join(words).encode(), usedforsecurity=False).hexdigest()


@dataclass(frozen=True, slots=True)
class Lookup:
    method: CorrelationMethod
    message_ids: tuple[str, ...] = ()
    activity_id: int | None = None
    subject_key: str | None = None  # smart matching: the subject's words ...
    addresses: frozenset[str] = frozenset()  # ... and the addresses of the mail


def smart_match(candidates: dict[int, set[str]], addresses: frozenset[str]) -> int | None:
    """Among activities with the same subject words (id -> their addresses), the newest that shares at
    least two addresses with the mail."""
    matching = [
        activity_id
        for activity_id, theirs in candidates.items()
        if len(theirs & addresses) >= SMART_MATCH_MIN_SHARED_ADDRESSES
    ]
    return max(matching) if matching else None


def correlation_lookups(email: ParsedEmail, token_prefix: str, *, smart_matching: bool = False) -> list[Lookup]:
    """The look-ups to try, in order; the first that finds an activity wins."""
    lookups = []
    if email.in_reply_to:
        lookups.append(Lookup(CorrelationMethod.IN_REPLY_TO, message_ids=(email.in_reply_to,)))
    token = find_token(email.subject, token_prefix)
    if token is not None:
        lookups.append(Lookup(CorrelationMethod.TRACKING_TOKEN, activity_id=token))
    if email.references:
        lookups.append(Lookup(CorrelationMethod.REFERENCES, message_ids=tuple(reversed(email.references))))
    if smart_matching:
        key = subject_key(email.subject, token_prefix)
        addresses = frozenset(email.addresses())
        if key is not None and len(addresses) >= SMART_MATCH_MIN_SHARED_ADDRESSES:
            lookups.append(Lookup(CorrelationMethod.SMART_MATCHING, subject_key=key, addresses=addresses))
    return lookups


def waits_for(
    lookups: Sequence[Lookup], found: Container[str], known_activities: Container[int], in_batch: Container[str]
) -> list[str]:
    """The Message-IDs of other mail of the same batch that must be decided before this mail.

    Its look-ups are tried in order; those the store already answers end the list (they win whatever
    the batch holds), and a Message-ID of mail in the batch is one to wait for: if that mail is
    tracked, it is the conversation, exactly as if it had been imported in an earlier cycle.
    Smart matching looks in the store only.
    """
    waits: list[str] = []
    for lookup in lookups:
        if lookup.message_ids:
            for message_id in lookup.message_ids:
                if message_id in found:
                    return waits
                if message_id in in_batch and message_id not in waits:
                    waits.append(message_id)
        elif lookup.activity_id is not None and lookup.activity_id in known_activities:
            return waits
    return waits


def decision_order(message_ids: Sequence[str], waits: Sequence[Collection[str]]) -> list[int]:
    """The positions of a batch's mails in the order to decide them: each after the other mails of
    the batch it waits for (by their Message-ID), otherwise in the server's order.

    A reply may come before its parent in the server's order (a server's order is not thread order).
    Mails that wait for each other in a loop (forged or broken headers) are decided one after the
    other in the server's order, each as if the undecided ones were not there.
    """
    positions: dict[str, list[int]] = {}
    for position, message_id in enumerate(message_ids):
        positions.setdefault(message_id, []).append(position)
    needs: list[list[int]] = [[] for _ in message_ids]  # the mails each one waits for
    for position, wanted in enumerate(waits):
        for message_id in wanted:
            needs[position].extend(other for other in positions.get(message_id, ()) if other != position)
    groups = _loops(needs)  # a mail alone, or mails that wait for each other
    group_of = {position: number for number, group in enumerate(groups) for position in group}
    blocking = [0] * len(groups)  # how many undecided groups each group waits for
    waiters: list[set[int]] = [set() for _ in groups]
    for number, group in enumerate(groups):
        for position in group:
            for other in needs[position]:
                if group_of[other] != number and number not in waiters[group_of[other]]:
                    waiters[group_of[other]].add(number)
                    blocking[number] += 1
    ready = [(group[0], number) for number, group in enumerate(groups) if blocking[number] == 0]
    heapq.heapify(ready)
    order: list[int] = []
    while ready:
        _, number = heapq.heappop(ready)
        order.extend(groups[number])
        for waiter in waiters[number]:
            blocking[waiter] -= 1
            if blocking[waiter] == 0:
                heapq.heappush(ready, (groups[waiter][0], waiter))
    return order


def _loops(needs: Sequence[Sequence[int]]) -> list[list[int]]:
    """The strongly connected groups of the "waits for" graph (Tarjan's algorithm, without recursion:
    a batch may hold a long thread), each in the server's order."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    stack: list[int] = []
    on_stack: set[int] = set()
    groups: list[list[int]] = []
    for start in range(len(needs)):
        if start in index:
            continue
        work = [(start, 0)]
        while work:
            node, edge = work.pop()
            if edge == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            descended = False
            for i in range(edge, len(needs[node])):
                other = needs[node][i]
                if other not in index:
                    work.append((node, i + 1))
                    work.append((other, 0))
                    descended = True
                    break
                if other in on_stack:
                    low[node] = min(low[node], index[other])
            if descended:
                continue
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                groups.append(sorted(group))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return groups
