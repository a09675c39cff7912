"""The monthly quality summary: kept in the grading transaction, always equal to a recount."""

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.extensions import db
from app.models import QualityFigure
from app.services import grading
from app.services.quality import summary
from tests.app.quality_support import AUGUST, SEPTEMBER, graded, quality_world  # noqa: F401 (fixtures)
from workshop.quality import CHAIN, Slice
from workshop.statuses import Blame, Grade


def _row(part: Slice, month: int, region: int, a: int = 0, b: int = 0) -> QualityFigure | None:
    return db.session.get(QualityFigure, (part.value, region, month, a, b))


def _recount_equals_kept() -> None:
    """The summary kept piece by piece (Python, after each flush) equals the recount (SQL)."""
    kept = summary.kept(db.session)
    summary.recount(db.session)
    assert summary.kept(db.session) == kept


def test_grading_a_piece_counts_it_in_every_cut_of_its_month_in_the_same_transaction(db_session, graded, quality_world):
    w = quality_world
    piece = graded(Grade.SCRAP, at=SEPTEMBER)
    sep = 202609
    for region in (CHAIN, w.east.id):
        total = _row(Slice.TOTAL, sep, region)
        assert (total.pieces, total.scrapped, total.scrap_cents, total.supplier_cents) == (1, 1, 50000, 50000)
        assert _row(Slice.SUPPLIER, sep, region, w.ningbo.id).pieces == 1
        assert _row(Slice.DEFECT, sep, region, w.seam.id).pieces == 1
        assert _row(Slice.SUPPLIER_DEFECT, sep, region, w.ningbo.id, w.seam.id).pieces == 1
        assert _row(Slice.PRODUCT, sep, region, w.ningbo.id, w.coat.id).scrap_cents == 50000
    assert _row(Slice.STORE, sep, w.east.id, w.shanghai.id).pieces == 1
    assert _row(Slice.TOTAL, sep, w.south.id) is None
    # a scrapped piece has left the workshop: received two days before, so two days
    assert _row(Slice.TOTAL, sep, CHAIN).days_total == 2
    grading.change_blame(w.tech, piece, Blame.HQ, "查不出原因")
    db_session.flush()
    assert _row(Slice.TOTAL, sep, CHAIN).supplier_cents == 0
    assert _row(Slice.TOTAL, sep, CHAIN).scrap_cents == 50000
    db_session.rollback()  # the change of blame goes: so does its figure
    assert _row(Slice.TOTAL, sep, CHAIN).supplier_cents == 50000
    _recount_equals_kept()


def test_a_piece_sent_back_adds_its_days_in_the_workshop_and_a_second_trip_counts_as_a_repeat(
    db_session, graded, quality_world
):
    w = quality_world
    graded(Grade.REPAIRABLE, at=SEPTEMBER, product=w.down, defect=w.zip, repaired_and_returned_after_days=3)
    total = _row(Slice.TOTAL, 202609, CHAIN)
    assert (total.pieces, total.repairable, total.days_total, total.days_count, total.repeats) == (1, 1, 5, 1, 0)
    _recount_equals_kept()


def test_the_recount_command_rebuilds_the_summary_from_the_pieces(db_session, graded, quality_world):
    graded(Grade.NO_FAULT, at=AUGUST, n=2)
    before = summary.kept(db_session)
    db_session.execute(QualityFigure.__table__.delete())
    assert summary.kept(db_session) == {}
    summary.recount(db_session)
    assert summary.kept(db_session) == before


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["scrap", "repairable", "no_fault", "return", "blame", "ungrade"]),
        st.integers(0, 2),  # product
        st.integers(0, 2),  # defect
        st.integers(0, 1),  # store
        st.integers(0, 40),  # day offset
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS)
def test_whatever_happens_to_pieces_the_kept_summary_equals_a_full_recount(
    db_session, graded, quality_world, operations
):
    w = quality_world
    products, defects, stores = (w.coat, w.down, w.shirt), (w.seam, w.zip, w.stain), (w.shanghai, w.guangzhou)
    for op, product, defect, store, day in operations:
        at = AUGUST + timedelta(days=day)
        if op in ("scrap", "repairable", "no_fault"):
            graded(Grade(op), at=at, product=products[product], defect=defects[defect], store=stores[store])
        elif op == "return":
            graded(Grade.NO_FAULT, at=at, store=stores[store], repaired_and_returned_after_days=day % 5)
        elif op == "blame":
            piece = graded(Grade.SCRAP, at=at, product=products[product], defect=defects[defect])
            grading.change_blame(w.tech, piece, Blame.HQ if piece.blame == Blame.SUPPLIER else Blame.SUPPLIER, "复核")
            db_session.commit()
        else:
            # a correction made by another service (issue 11's undo): the summary follows any change
            piece = graded(Grade.NO_FAULT, at=at, store=stores[store])
            piece.grade = None
            piece.graded_at = None
            piece.status = piece.status.RECEIVED
            db_session.commit()
        _recount_equals_kept()
    assert db_session.scalar(select(QualityFigure.pieces).limit(1)) is not None


def test_the_quality_recount_command_says_how_many_rows_it_wrote(app, db_session, graded, quality_world):
    graded(Grade.SCRAP, at=SEPTEMBER)
    result = app.test_cli_runner().invoke(args=["quality-recount"])
    assert result.exit_code == 0, result.output
    assert "Quality summary rebuilt: 11 rows." in result.output
