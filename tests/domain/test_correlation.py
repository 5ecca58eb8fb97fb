"""The order a batch's mails are decided in, so that a reply is decided after its parent in the batch."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_sync.domain.correlation import CorrelationMethod, Lookup, decision_order, waits_for

IRT = CorrelationMethod.IN_REPLY_TO


def refs(*message_ids: str) -> Lookup:
    return Lookup(CorrelationMethod.REFERENCES, message_ids=message_ids)


def test_a_mail_waits_for_the_batch_mail_its_lookups_try_before_the_store_answers() -> None:
    lookups = [Lookup(IRT, message_ids=("<p>",)), Lookup(CorrelationMethod.TRACKING_TOKEN, activity_id=7), refs("<g>")]
    assert waits_for(lookups, found=set(), known_activities=set(), in_batch={"<p>", "<g>"}) == ["<p>", "<g>"]
    # the store knows the parent: In-Reply-To wins, nothing to wait for
    assert waits_for(lookups, found={"<p>"}, known_activities=set(), in_batch={"<p>", "<g>"}) == []
    # the token is known: what comes after it does not matter
    assert waits_for(lookups, found=set(), known_activities={7}, in_batch={"<p>", "<g>"}) == ["<p>"]
    assert waits_for(lookups, found=set(), known_activities=set(), in_batch=set()) == []
    # References, nearest first: stop at the first the store has
    assert waits_for([refs("<c>", "<b>", "<a>")], found={"<b>"}, known_activities=set(), in_batch={"<c>", "<a>"}) == [
        "<c>"
    ]


def test_replies_are_decided_after_their_parents_and_otherwise_in_the_servers_order() -> None:
    #            0       1       2       3
    ids = ["<r2>", "<x>", "<r1>", "<root>"]
    waits = [{"<r1>"}, set(), {"<root>"}, set()]
    assert decision_order(ids, waits) == [1, 3, 2, 0]
    assert decision_order(ids, [set()] * 4) == [0, 1, 2, 3]


def test_mails_that_wait_for_each_other_are_decided_in_the_servers_order() -> None:
    ids = ["<a>", "<b>", "<c>", "<self>"]
    waits = [{"<b>"}, {"<a>"}, {"<a>"}, {"<self>"}]
    assert decision_order(ids, waits) == [0, 1, 2, 3]
    assert decision_order(["<a>", "<b>"], [{"<b>"}, {"<a>", "<b>"}]) == [0, 1]


def test_copies_of_a_parent_are_all_waited_for() -> None:
    assert decision_order(["<r>", "<p>", "<p>"], [{"<p>"}, set(), set()]) == [1, 2, 0]


# a batch: each mail's Message-ID (from a small set, so that copies and loops happen) and what it waits for
mails = st.lists(
    st.tuples(
        st.integers(0, 15).map(lambda i: f"<m{i}>"), st.sets(st.integers(0, 15).map(lambda i: f"<m{i}>"), max_size=3)
    ),
    max_size=25,
)
batches = mails.map(lambda pairs: ([m for m, _ in pairs], [w for _, w in pairs]))


def _reach(ids: list[str], waits: list[set[str]]) -> list[set[int]]:
    """What each mail waits for, directly or through others."""
    needs = [[o for o, m in enumerate(ids) if m in wanted and o != p] for p, wanted in enumerate(waits)]
    reach = []
    for start in range(len(ids)):
        seen: set[int] = set()
        todo = list(needs[start])
        while todo:
            at = todo.pop()
            if at not in seen:
                seen.add(at)
                todo.extend(needs[at])
        reach.append(seen)
    return reach


@settings(max_examples=2000, deadline=None)
@given(batches)
def test_every_mail_is_decided_once_and_after_what_it_waits_for_unless_they_wait_for_each_other(
    batch: tuple[list[str], list[set[str]]],
) -> None:
    ids, waits = batch
    order = decision_order(ids, waits)
    assert sorted(order) == list(range(len(ids)))
    place = {position: rank for rank, position in enumerate(order)}
    reach = _reach(ids, waits)
    for position in range(len(ids)):
        for other in reach[position]:
            if place[other] > place[position]:  # decided before what it waits for: only inside a loop
                assert position in reach[other]


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.integers(0, 1000), min_size=0, max_size=60, unique=True))
def test_threads_without_loops_are_decided_parents_first_and_stable(numbers: list[int]) -> None:
    # each mail answers an earlier number's mail if that one is in the batch (a forest, in any order)
    ids = [f"<m{n}>" for n in numbers]
    waits = [{f"<m{n // 2}>"} if n // 2 != n else set() for n in numbers]
    order = decision_order(ids, waits)
    place = {ids[position]: rank for rank, position in enumerate(order)}
    for n in numbers:
        parent = f"<m{n // 2}>"
        if parent in place and parent != f"<m{n}>":
            assert place[parent] < place[f"<m{n}>"]
    # mails that wait for nothing in the batch keep the server's order among themselves
    free = [position for position in order if not any(m in ids for m in waits[position] if m != ids[position])]
    assert free == sorted(free)
