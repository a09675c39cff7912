import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workshop.errors import AlreadyDone, InvalidTransition, NotPermitted, RuleViolation
from workshop.roles import Role
from workshop.statuses import BatchStatus, Direction
from workshop.statuses import PieceStatus as S
from workshop.transitions import (
    BATCH_TABLE,
    PIECE_TABLE,
    BatchAction,
    PieceAction,
    allowed_piece_actions,
    move_batch,
    move_piece,
)


def test_a_store_registers_a_new_piece():
    move = move_piece("P1", None, PieceAction.REGISTER, Role.STORE)
    assert (move.from_status, move.to_status) == (None, "registered")


def test_receiving_a_piece_in_transit_makes_it_received():
    move = move_piece("P1", S.IN_TRANSIT, PieceAction.RECEIVE, Role.TECHNICIAN)
    assert move.to_status == "received"


def test_a_missing_piece_that_turns_up_can_still_be_received():
    assert move_piece("P1", S.MISSING, PieceAction.RECEIVE, Role.TECHNICIAN).to_status == "received"


def test_receiving_twice_says_already_received_and_moves_nothing():
    with pytest.raises(AlreadyDone) as e:
        move_piece("P00000001X", S.RECEIVED, PieceAction.RECEIVE, Role.TECHNICIAN)
    assert "already received" in str(e.value)
    assert e.value.params["code"] == "P00000001X"


def test_grading_a_piece_that_has_not_arrived_is_refused_with_its_status_and_what_to_do():
    with pytest.raises(InvalidTransition) as e:
        move_piece("P1", S.IN_TRANSIT, PieceAction.GRADE, Role.TECHNICIAN, target=S.REPAIRABLE)
    assert e.value.params["status"] == "in transit"
    assert "receive it" in e.value.params["hint"]


def test_a_store_may_not_grade():
    with pytest.raises(NotPermitted):
        move_piece("P1", S.RECEIVED, PieceAction.GRADE, Role.STORE, target=S.SCRAPPED)


def test_finance_and_region_managers_move_nothing():
    for role in (Role.FINANCE, Role.REGION):
        assert allowed_piece_actions(S.RECEIVED, role) == []
        assert allowed_piece_actions(None, role) == []


def test_grading_needs_one_of_its_three_outcomes():
    with pytest.raises(ValueError):
        move_piece("P1", S.RECEIVED, PieceAction.GRADE, Role.TECHNICIAN)
    for target in (S.REPAIRABLE, S.NO_FAULT, S.SCRAPPED):
        assert move_piece("P1", S.RECEIVED, PieceAction.GRADE, Role.TECHNICIAN, target=target).to_status == target


def test_changing_the_blame_keeps_a_scrapped_piece_scrapped():
    move = move_piece("P1", S.SCRAPPED, PieceAction.CHANGE_BLAME, Role.TECHNICIAN)
    assert move.from_status == move.to_status == "scrapped"


def test_an_outbound_batch_is_dispatched_by_its_store_and_checked_by_the_workshop():
    assert (
        move_batch("B1", Direction.OUTBOUND, BatchStatus.OPEN, BatchAction.DISPATCH, Role.STORE).to_status
        == "dispatched"
    )
    with pytest.raises(NotPermitted):
        move_batch("B1", Direction.OUTBOUND, BatchStatus.OPEN, BatchAction.DISPATCH, Role.TECHNICIAN)
    with pytest.raises(NotPermitted):
        move_batch("B1", Direction.OUTBOUND, BatchStatus.DISPATCHED, BatchAction.CLOSE_CHECK, Role.STORE)


def test_a_return_batch_is_dispatched_by_the_workshop_and_checked_by_the_store():
    assert (
        move_batch("B1", Direction.RETURN, BatchStatus.OPEN, BatchAction.DISPATCH, Role.TECHNICIAN).to_status
        == "dispatched"
    )
    assert (
        move_batch("B1", Direction.RETURN, BatchStatus.CHECKING, BatchAction.CLOSE_CHECK, Role.STORE).to_status
        == "closed"
    )


def test_a_dispatched_batch_cannot_be_dispatched_again():
    with pytest.raises(AlreadyDone):
        move_batch("B1", Direction.OUTBOUND, BatchStatus.DISPATCHED, BatchAction.DISPATCH, Role.STORE)


# The statuses reachable in DOMAIN.md's drawing of a piece's life, and how.
DRAWN = {
    (None, S.REGISTERED),
    (None, S.UNEXPECTED),
    (S.REGISTERED, S.PACKED),
    (S.PACKED, S.REGISTERED),
    (S.PACKED, S.IN_TRANSIT),
    (S.IN_TRANSIT, S.RECEIVED),
    (S.IN_TRANSIT, S.MISSING),
    (S.MISSING, S.RECEIVED),
    (S.UNEXPECTED, S.RECEIVED),
    (S.RECEIVED, S.REPAIRABLE),
    (S.RECEIVED, S.NO_FAULT),
    (S.RECEIVED, S.SCRAPPED),
    (S.REPAIRABLE, S.REPAIRED),
    (S.REPAIRABLE, S.SCRAPPED),
    (S.REPAIRED, S.PACKED_FOR_RETURN),
    (S.NO_FAULT, S.PACKED_FOR_RETURN),
    (S.PACKED_FOR_RETURN, S.REPAIRED),
    (S.PACKED_FOR_RETURN, S.NO_FAULT),
    (S.PACKED_FOR_RETURN, S.RETURNING),
    (S.RETURNING, S.BACK_AT_STORE),
    (S.BACK_AT_STORE, S.REGISTERED),
    (S.REGISTERED, S.REPAIR_AT_STORE),
    (S.REGISTERED, S.SETTLED_AT_STORE),
    (S.REPAIR_AT_STORE, S.SETTLED_AT_STORE),
}


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(list(PieceAction)),
            st.sampled_from(list(Role)),
            st.sampled_from([None, *S]),
            st.sampled_from(["", "why"]),
        ),
        max_size=40,
    )
)
def test_no_sequence_of_moves_reaches_a_status_the_table_does_not_allow(steps):
    status = None
    for action, role, target, reason in steps:
        try:
            move = move_piece("P1", status, action, role, target, reason)
        except (InvalidTransition, NotPermitted, ValueError):
            continue
        except RuleViolation:
            assert PIECE_TABLE[action].correction and not reason  # only a correction without its reason
            continue
        new = S(move.to_status)
        assert new == status or (status, new) in DRAWN
        rule = PIECE_TABLE[action]
        assert role in rule.roles and status in rule.sources
        status = new


def test_every_status_is_reachable_from_registration():
    seen, frontier = set(), {None}
    while frontier:
        current = frontier.pop()
        for rule in PIECE_TABLE.values():
            if current in rule.sources:
                for target in rule.targets:
                    if target not in seen:
                        seen.add(target)
                        frontier.add(target)
    assert seen == set(S)


def test_every_batch_action_names_a_role_for_both_directions():
    for _, _, roles in BATCH_TABLE.values():
        assert set(roles) == set(Direction)
