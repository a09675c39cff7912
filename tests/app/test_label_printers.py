"""Label printers on the network: the administrator configures them, a store sends its piece
labels straight to its own (or downloads the ZPL/TSPL file), the spare-parts pages print part
labels through ``printing.print_part_labels``. A printer that does not take the file is
reported on the page and nothing is marked labelled."""

import contextlib
import socket
import subprocess
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Event, Piece, Printer, SparePart
from app.models.printers import PrinterLanguage
from app.services import paper, printing
from app.services.printing import PrinterUnavailable
from app.services.settings import rules as current_rules
from labels import PartLabel
from tests.app.store_support import desk  # noqa: F401 (fixture)
from tests.conftest import require_tool
from tests.labels.longest import COLOUR, SIZE
from tests.labels.test_thermal import render_zpl  # noqa: F401 (fixture)
from workshop.errors import NotFound, RuleViolation

PRINTER = {
    "code": "BJ-LBL-1",
    "name": "前台标签机",
    "store_id": "0",
    "host": "192.168.1.50",
    "port": "9100",
    "language": "zpl",
    "dpi": "203",
    "width_mm": "60",
    "height_mm": "40",
    "active": "y",
}


@contextlib.contextmanager
def label_printer():
    """A printer on localhost that keeps every byte it is sent: (port, received)."""
    received = bytearray()
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        server.settimeout(10)

        def take() -> None:
            with contextlib.suppress(TimeoutError):
                connection, _ = server.accept()
                with connection:
                    while chunk := connection.recv(65536):
                        received.extend(chunk)

        thread = threading.Thread(target=take)
        thread.start()
        try:
            yield server.getsockname()[1], received
        finally:
            thread.join(timeout=15)


def refusing_port() -> int:
    """A port on localhost nobody listens on: a connection to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def silent_printer():
    """A printer that never answers: its one-place queue is taken, so a new connection waits."""
    with socket.socket() as server, socket.socket() as first:
        server.bind(("127.0.0.1", 0))
        server.listen(0)
        first.connect(server.getsockname())  # fills the queue; nobody ever accepts
        yield server.getsockname()[1]


@pytest.fixture()
def make_printer(db_session):
    def make(store=None, port=9100, language=PrinterLanguage.ZPL, dpi=203, code=None, **values):
        db_session.commit()
        printer = Printer(
            code=code or f"PR{db_session.scalar(select(func.count(Printer.id))) + 1}",
            name=values.get("name", "前台标签机"),
            store=store,
            host="127.0.0.1",
            port=port,
            language=language,
            dpi=dpi,
            width_mm=values.get("width_mm", 60),
            height_mm=values.get("height_mm", 40),
        )
        db_session.add(printer)
        db_session.commit()
        return printer

    return make


def label_events(db_session) -> int:
    return db_session.scalar(select(func.count(Event.id)).where(Event.action == "print_label"))


# --- The administrator configures printers ----------------------------------------------


def test_the_administrator_adds_a_stores_label_printer(client, login, desk, db_session):
    login(desk.admin)
    response = client.post("/admin/printers/new", data=PRINTER | {"store_id": str(desk.store.id)})
    assert response.status_code == 302
    printer = db_session.scalars(select(Printer)).one()
    assert (printer.store_id, printer.address, printer.language, printer.dpi) == (
        desk.store.id,
        "192.168.1.50:9100",
        PrinterLanguage.ZPL,
        203,
    )
    listing = client.get("/admin/printers/").get_data(as_text=True)
    assert "192.168.1.50:9100" in listing and "ZPL (Zebra and compatible)" in listing
    form = client.get(f"/admin/printers/{printer.id}").get_data(as_text=True)
    assert f'<option selected value="{desk.store.id}">' in form and '<option selected value="zpl">' in form
    changed = PRINTER | {"store_id": str(desk.store.id), "language": "tspl", "dpi": "300"}
    assert client.post(f"/admin/printers/{printer.id}", data=changed).status_code == 302
    db_session.refresh(printer)
    assert (printer.language, printer.dpi) == (PrinterLanguage.TSPL, 300)


def test_a_workshop_printer_belongs_to_no_store(client, login, desk, db_session):
    login(desk.admin)
    assert client.post("/admin/printers/new", data=PRINTER | {"host": "printer-3.workshop.lan"}).status_code == 302
    assert db_session.scalars(select(Printer)).one().store_id is None


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("host", "http://192.168.1.50", "An IP address (192.168.1.50) or a host name"),
        ("host", "192.168.1.50:9100", "An IP address (192.168.1.50) or a host name"),
        ("host", "打印机 一号", "An IP address (192.168.1.50) or a host name"),
        ("host", "", "This field is required."),
        ("port", "0", "A port from 1 to 65535"),
        ("port", "70000", "A port from 1 to 65535"),
        ("language", "escpos", "Not a valid choice."),
        ("dpi", "600", "Not a valid choice."),
        ("width_mm", "30", "Number must be between 40 and 104."),
        ("height_mm", "200", "Number must be between 25 and 150."),
        ("code", "BJ LBL", "Letters, digits, - and _ only."),
    ],
)
def test_a_printer_with_an_address_or_a_size_that_cannot_work_is_refused(
    client, login, desk, db_session, field, value, said
):
    login(desk.admin)
    response = client.post("/admin/printers/new", data=PRINTER | {field: value})
    assert response.status_code == 400 and said in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count(Printer.id))) == 0


def test_store_staff_cannot_configure_printers(client, login, desk):
    login(desk.clerk)
    assert client.post("/admin/printers/new", data=PRINTER).status_code == 403


# --- A store prints its piece labels on its own printer ---------------------------------


def test_the_label_tools_offer_the_stores_printer_and_not_another_stores(client, login, desk, make_printer):
    make_printer(desk.store, name="王府井前台标签机")
    make_printer(desk.other_store, name="天河城标签机")
    login(desk.clerk)
    page = client.get("/store/").get_data(as_text=True)
    assert "王府井前台标签机" in page and "天河城标签机" not in page
    assert 'value="printer"' in page


def test_labels_sent_to_the_stores_printer_arrive_byte_for_byte_and_mark_the_pieces_labelled(
    client, login, desk, make_piece, make_printer, db_session, app
):
    pieces = [make_piece(store=desk.store, user=desk.clerk) for _ in range(3)]
    login(desk.clerk)
    with label_printer() as (port, received):
        printer = make_printer(desk.store, port=port)
        response = client.post(
            "/store/labels",
            data={
                "which": "selected",
                "piece_ids": [p.id for p in pieces],
                "format": "printer",
                "printer": printer.id,
                "deliver": "send",
            },
            follow_redirects=True,
        )
    assert response.status_code == 200
    assert f"Labels sent to printer 前台标签机 (127.0.0.1:{port}): 3." in response.get_data(as_text=True)
    db_session.expire_all()
    assert all(p.labelled_at is not None for p in db_session.scalars(select(Piece)))
    with app.app_context():
        rules = current_rules()
        expected = printing.piece_label_file(
            db.session.get(Printer, printer.id),
            [paper.piece_label(db.session.get(Piece, p.id), rules) for p in pieces],
        )
    assert bytes(received) == bytes(expected) and bytes(received).count(b"^XA") == 3


def test_a_printer_that_refuses_the_connection_is_named_on_the_page_and_nothing_is_marked(
    client, login, desk, make_piece, make_printer, db_session
):
    piece = make_piece(store=desk.store, user=desk.clerk)
    port = refusing_port()
    printer = make_printer(desk.store, port=port)
    login(desk.clerk)
    response = client.post(
        f"/store/pieces/{piece.id}/label",
        data={"format": "printer", "printer": printer.id, "deliver": "send"},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert f"Printer 前台标签机 (127.0.0.1:{port}) refused the connection" in page
    assert "The labels are not marked as printed." in page
    db_session.expire_all()
    assert db_session.get(Piece, piece.id).labelled_at is None and label_events(db_session) == 0


def test_a_printer_that_never_answers_is_reported_after_the_timeout_and_nothing_is_marked(
    client, login, desk, make_piece, make_printer, db_session, app, monkeypatch
):
    monkeypatch.setitem(app.config, "PRINTER_TIMEOUT", 0.5)
    piece = make_piece(store=desk.store, user=desk.clerk)
    login(desk.clerk)
    with silent_printer() as port:
        printer = make_printer(desk.store, port=port)
        response = client.post(
            f"/store/pieces/{piece.id}/label",
            data={"format": "printer", "printer": printer.id, "deliver": "send"},
            follow_redirects=True,
        )
    assert "did not answer within 0.5 s: is it switched on and on this network?" in response.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Piece, piece.id).labelled_at is None and label_events(db_session) == 0


def test_the_label_file_downloads_in_the_printers_language_and_size(
    client, login, desk, make_piece, make_printer, db_session, app, monkeypatch
):
    monkeypatch.setitem(app.config, "NOW", lambda: datetime(2026, 11, 23, 3, 0, tzinfo=UTC))
    piece = make_piece(store=desk.store, user=desk.clerk)
    printer = make_printer(desk.store, language=PrinterLanguage.TSPL, dpi=300, width_mm=80, height_mm=50)
    login(desk.clerk)
    response = client.post(
        f"/store/pieces/{piece.id}/label", data={"format": "printer", "printer": printer.id, "deliver": "download"}
    )
    assert response.status_code == 200 and response.mimetype == "application/octet-stream"
    assert response.headers["Content-Disposition"] == "attachment; filename=labels-2026-11-23-1.tspl"
    assert response.data.startswith(b"SIZE 80 mm,50 mm\r\n") and f',"{piece.code}"'.encode() in response.data
    db_session.expire_all()
    assert db_session.get(Piece, piece.id).labelled_at is not None


def test_another_stores_printer_cannot_be_used(client, login, desk, make_piece, make_printer, db_session):
    piece = make_piece(store=desk.store, user=desk.clerk)
    theirs = make_printer(desk.other_store)
    login(desk.clerk)
    response = client.post(
        f"/store/pieces/{piece.id}/label", data={"format": "printer", "printer": theirs.id, "deliver": "download"}
    )
    assert response.status_code == 404
    db_session.expire_all()
    assert db_session.get(Piece, piece.id).labelled_at is None


@pytest.mark.slow
@pytest.mark.parametrize("dpi", [203, 300])
def test_a_zpl_file_from_the_page_renders_and_scans_at_its_printers_resolution(
    client, login, desk, make_piece, make_printer, render_zpl, dpi
):
    zbarimg = require_tool("zbarimg", "zbar-tools")
    pieces = [make_piece(store=desk.store, user=desk.clerk, size=SIZE, colour=COLOUR) for _ in range(2)]
    printer = make_printer(desk.store, dpi=dpi)
    login(desk.clerk)
    response = client.post(
        "/store/labels",
        data={
            "which": "selected",
            "piece_ids": [p.id for p in pieces],
            "format": "printer",
            "printer": printer.id,
            "deliver": "download",
        },
    )
    assert response.status_code == 200 and response.data.count(b"^XA") == 2
    decoded = []
    for image in render_zpl(response.data, dpi):
        scanned = subprocess.run(
            [zbarimg, "-q", "--raw", "-Sdisable", "-Scode128.enable", str(image)], capture_output=True, text=True
        )
        decoded.append(scanned.stdout.split())
    assert decoded == [[p.code] for p in pieces]


# --- Part labels, for the spare-parts pages ---------------------------------------------


def test_part_labels_reach_the_workshops_printer_byte_for_byte(app, db_session, make_printer):
    part = SparePart(code="ZIP-5-BLK-60", name_zh="5号树脂拉链 黑色 60cm", name_en="Resin zip No.5", unit="条")
    db_session.add(part)
    db_session.commit()
    shelf = paper.part_label(part, "A-03-12")
    with label_printer() as (port, received):
        printer = make_printer(port=port, dpi=300)
        printed = printing.print_part_labels([part, shelf], printer)
    assert (printed.count, printed.missing_chars) == (2, ())
    assert bytes(received) == bytes(printing.part_label_file(printer, [part, shelf]))
    assert b"^FD>:ZIP-5-BLK-60^FS" in received


def test_part_labels_on_a_printer_that_refuses_say_so(app, db_session, make_printer):
    printer = make_printer(port=refusing_port(), language=PrinterLanguage.TSPL)
    with pytest.raises(PrinterUnavailable, match="refused the connection"):
        printing.print_part_labels([PartLabel("BTN_18", "四眼树脂纽扣 18mm")], printer)


def test_a_part_code_too_long_for_the_printers_labels_is_refused_in_words(app, db_session, make_printer):
    printer = make_printer(port=refusing_port())
    with pytest.raises(RuleViolation, match=r"These labels cannot print on 前台标签机 \(60 × 40 mm, 203 dpi\)"):
        printing.print_part_labels([PartLabel("ABCDEFGHIJKLMNOPQRST", "长" * 100)], printer)


def test_the_workshops_printers_are_for_the_workshop_and_a_stores_for_its_staff(app, db_session, desk, make_printer):
    workshop, store_printer = make_printer(), make_printer(desk.store)
    assert printing.printers_for(desk.tech) == [workshop]
    assert printing.printers_for(desk.clerk) == [store_printer]
    assert printing.printer_for(desk.clerk, store_printer.id) is store_printer
    with pytest.raises(NotFound):
        printing.printer_for(desk.tech, store_printer.id)
