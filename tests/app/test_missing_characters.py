"""A character no embedded font has prints as □; the person who made the document is told which
one (on the next page they see, since a download leaves them where they were), so they can
correct the name or description that holds it."""

from datetime import UTC, datetime

from app.documents import describe_chars
from tests.app.store_support import desk, dispatched  # noqa: F401 (fixture)
from tests.app.test_label_printers import label_printer, make_printer  # noqa: F401 (fixture)

NOWHERE = "\U00013000"  # an Egyptian hieroglyph: in none of the paper's fonts
NAMED = "U+13000 EGYPTIAN HIEROGLYPH A001"


def test_a_character_is_described_by_its_code_point_and_name():
    assert describe_chars((NOWHERE, "\U000e0100")) == f"{NOWHERE} ({NAMED}), \U000e0100 (U+E0100 VARIATION SELECTOR-17)"


def test_a_slip_with_a_character_no_font_has_still_downloads_and_the_next_page_names_it(
    client, login, desk, make_piece, db_session
):
    piece = make_piece(store=desk.store, user=desk.clerk, colour=f"藏青{NOWHERE}")
    batch = dispatched(db_session, desk.clerk, desk.store, [piece], datetime(2026, 11, 23, 2, 0, tzinfo=UTC))
    login(desk.clerk)
    response = client.get(f"/store/batches/{batch.id}/slip.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    page = client.get("/store/batch").get_data(as_text=True)
    assert f"The dispatch slip of batch {batch.code}: no font of the paper has {NOWHERE} ({NAMED})" in page
    assert "each prints as □" in page
    assert NAMED not in client.get("/store/batch").get_data(as_text=True), "said once"


def test_a_document_every_character_of_which_prints_says_nothing(client, login, desk, make_piece, db_session):
    piece = make_piece(store=desk.store, user=desk.clerk, colour="藏青 𠮷")  # 𠮷 comes from the fallback font
    batch = dispatched(db_session, desk.clerk, desk.store, [piece], datetime(2026, 11, 23, 2, 0, tzinfo=UTC))
    login(desk.clerk)
    assert client.get(f"/store/batches/{batch.id}/slip.pdf").status_code == 200
    assert "prints as □" not in client.get("/store/batch").get_data(as_text=True)


def test_labels_sent_to_a_printer_say_which_characters_printed_as_blanks(
    client, login, desk, make_piece, make_printer, db_session
):
    piece = make_piece(store=desk.store, user=desk.clerk, colour=f"红{NOWHERE}")
    login(desk.clerk)
    with label_printer() as (port, received):
        printer = make_printer(desk.store, port=port)
        response = client.post(
            f"/store/pieces/{piece.id}/label",
            data={"format": "printer", "printer": printer.id, "deliver": "send"},
            follow_redirects=True,
        )
    page = response.get_data(as_text=True)
    assert (
        "Labels sent to printer 前台标签机" in page
        and f"The labels: no font of the paper has {NOWHERE} ({NAMED})" in page
    )
    assert received.startswith(b"^XA")


def test_a_label_sheet_names_the_character_it_could_not_print(client, login, desk, make_piece):
    piece = make_piece(store=desk.store, user=desk.clerk, colour=f"红{NOWHERE}")
    login(desk.clerk)
    assert client.post(f"/store/pieces/{piece.id}/label", data={"format": "sheet"}).status_code == 200
    assert f"The labels: no font of the paper has {NOWHERE}" in client.get("/store/").get_data(as_text=True)
