"""ZPL and TSPL labels, checked as a printer would print them: the ZPL is rendered by an
independent renderer (zebrash, through the npm package zpl-renderer-js) and scanned by zbar."""

import os
import shutil
import socket
import subprocess
import threading
from datetime import date
from pathlib import Path

import pytest

from labels import PartLabel
from labels.printing import PrinterError, send_to_printer
from labels.thermal import text_bitmap
from labels.tspl import tspl_part_labels, tspl_piece_labels
from labels.zpl import zpl_part_labels, zpl_piece_labels
from tests.labels.longest import PRODUCT_NAME, STORE_NAME

RENDERER = Path(__file__).parent / "zpl_renderer"
INSTALL = f"npm ci --prefix {RENDERER.relative_to(Path.cwd()) if RENDERER.is_relative_to(Path.cwd()) else RENDERER}"
DOTS_PER_MM = {203: 8, 300: 12}
CODES = ["P00000001K", "ABCDEFGHIJKL", "P1", "B00000042X", "991234"]
PARTS = [
    PartLabel("ZIP-5-BLK-60", "5号树脂拉链 黑色 60cm", "Resin zip No.5 black 60 cm", "条 pcs", "A-03-12"),
    PartLabel("BTN_18", "四眼树脂纽扣 18mm", "", "粒", ""),
    PartLabel("ABCDEFGHIJKLMNO", "𠮷" + "长" * 99, "L" * 100, "单位" * 10, "B2-仓库-货架12-层3-格05"),
]
LONGEST_PART = PartLabel("ABCDEFGHIJKLMNOPQRST", "长" * 100, "L" * 100, "单位" * 10, "A-01-01")  # code String(20)


@pytest.fixture(scope="module")
def render_zpl(tmp_path_factory):
    node = shutil.which("node")
    if node is None or not (RENDERER / "node_modules" / "zpl-renderer-js").is_dir():
        reason = f"the ZPL renderer is not installed: apt-get install nodejs npm; {INSTALL}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI must render the ZPL labels: {reason}")
        pytest.skip(reason)
    workdir = tmp_path_factory.mktemp("zpl")

    def render(zpl: bytes, dpi: int, width_mm: float = 60, height_mm: float = 40) -> list[Path]:
        name = f"z{len(list(workdir.iterdir()))}"
        source = workdir / f"{name}.zpl"
        source.write_bytes(zpl)
        subprocess.run(
            [
                node,
                str(RENDERER / "render.cjs"),
                str(source),
                str(workdir / name),
                str(width_mm),
                str(height_mm),
                str(DOTS_PER_MM[dpi]),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        return sorted(workdir.glob(f"{name}-*.png"), key=lambda path: int(path.stem.rsplit("-", 1)[1]))

    return render


@pytest.mark.parametrize("dpi", [203, 300])
def test_each_zpl_piece_label_renders_to_its_own_code_at_203_and_300_dpi(pdf_tools, render_zpl, make_label, dpi):
    labels = [make_label(code=code, batch="B00000042X", store=STORE_NAME, product=PRODUCT_NAME) for code in CODES]
    images = render_zpl(zpl_piece_labels(labels, dpi=dpi), dpi)
    assert [pdf_tools.decode(image) for image in images] == [[code] for code in CODES]


@pytest.mark.parametrize("dpi", [203, 300])
def test_each_zpl_part_label_renders_to_its_own_code_at_203_and_300_dpi(pdf_tools, render_zpl, dpi):
    images = render_zpl(zpl_part_labels(PARTS, dpi=dpi), dpi)
    assert [pdf_tools.decode(image) for image in images] == [[part.code] for part in PARTS]


def test_a_larger_zpl_label_scans_too(pdf_tools, render_zpl, make_label):
    (image,) = render_zpl(zpl_piece_labels([make_label(7)], width_mm=100, height_mm=50, dpi=203), 203, 100, 50)
    assert pdf_tools.decode(image) == ["P00000007K"]


@pytest.mark.parametrize("dpi", [203, 300])
def test_the_longest_part_code_needs_an_80_mm_label_and_says_so_on_a_60_mm_one(pdf_tools, render_zpl, dpi):
    with pytest.raises(ValueError, match=r"'ABCDEFGHIJKLMNOPQRST' needs .* mm .* but the label has 60.\d mm"):
        zpl_part_labels([LONGEST_PART], dpi=dpi)
    (image,) = render_zpl(zpl_part_labels([LONGEST_PART], width_mm=80, dpi=dpi), dpi, 80, 40)
    assert pdf_tools.decode(image) == [LONGEST_PART.code]


def test_the_printer_draws_the_barcode_and_the_text_arrives_as_bitmaps(make_label):
    zpl = zpl_piece_labels([make_label(1), make_label(2)]).decode("ascii")
    assert zpl.count("^XA") == 2 and zpl.count("^XZ") == 2
    assert zpl.count("^BCN,") == 2 and "^FD>:P00000001K^FS" in zpl
    assert zpl.count("^GFA,") == 2 * 6, "store, date, code, product, size/colour, defect"
    assert "上海" not in zpl, "no Chinese goes to the printer as text: its fonts have none"


def test_text_is_rasterised_from_the_embedded_fonts_including_the_fallbacks():
    for text in ("中", "𠮷", "😀"):
        bitmap = text_bitmap(text, 24)
        assert bitmap.height >= 24 and len(bitmap.rows) == bitmap.row_bytes * bitmap.height
        assert sum(bin(byte).count("1") for byte in bitmap.rows) > 20, f"{text} leaves ink"


def test_a_thermal_label_reports_characters_no_font_has(make_label):
    assert zpl_piece_labels([make_label(store="王\U00013000店")]).missing_chars == ("\U00013000",)
    assert tspl_piece_labels([make_label()]).missing_chars == ()


def test_a_bin_too_long_for_the_label_is_refused_rather_than_cut():
    with pytest.raises(ValueError, match="does not fit whole on the label"):
        zpl_part_labels([PartLabel("P1", "拉链", location="库位" * 30)])


def test_codes_a_printer_language_cannot_carry_are_refused(make_label):
    with pytest.raises(ValueError, match="'>'"):
        zpl_piece_labels([make_label(code="P>1")])
    with pytest.raises(ValueError, match="quote"):
        tspl_piece_labels([make_label(code='P"1')])
    with pytest.raises(ValueError, match="at least one"):
        zpl_part_labels([])
    with pytest.raises(ValueError, match="203 or 300 dpi"):
        zpl_piece_labels([make_label()], dpi=600)


def test_a_tspl_label_has_the_printer_barcode_and_inverted_bitmaps_of_the_declared_size(make_label):
    data = tspl_piece_labels([make_label(1, batch="B00000042X")], dpi=203)
    assert data.startswith(b"SIZE 60 mm,40 mm\r\nGAP 2 mm,0 mm\r\n")
    assert data.endswith(b"PRINT 1,1\r\n")
    assert b"BARCODE " in data and b',"128",' in data and data.count(b'"P00000001K"') == 1
    rest = data
    bitmaps = 0
    while (start := rest.find(b"BITMAP ")) >= 0:
        header_end = start
        for _ in range(5):
            header_end = rest.index(b",", header_end) + 1
        x, y, row_bytes, height, mode = map(int, rest[start + 7 : header_end - 1].split(b","))
        payload = rest[header_end : header_end + row_bytes * height]
        assert rest[header_end + row_bytes * height : header_end + row_bytes * height + 2] == b"\r\n"
        assert mode == 0 and 0 <= x < 480 and 0 <= y < 320
        white = sum(bin(byte).count("1") for byte in payload)
        assert white > 0.6 * 8 * len(payload), "mostly white: a 1 bit is no dot in TSPL"
        rest = rest[header_end + row_bytes * height :]
        bitmaps += 1
    assert bitmaps == 7, "store, date, code, product, size/colour, defect, batch"
    assert tspl_part_labels(PARTS[:1]).count(b"BARCODE ") == 1


def test_a_label_file_reaches_a_network_printer_byte_for_byte(make_label):
    label = zpl_piece_labels([make_label(n) for n in range(1, 40)])
    received = bytearray()
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]

        def printer() -> None:
            connection, _ = server.accept()
            with connection:
                while chunk := connection.recv(65536):
                    received.extend(chunk)

        thread = threading.Thread(target=printer)
        thread.start()
        send_to_printer(label, "127.0.0.1", port, timeout=5)
        thread.join(timeout=10)
    assert bytes(received) == bytes(label)


def test_a_printer_that_refuses_the_connection_is_reported_with_what_to_check():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # bound but not listening: the connection is refused
        with pytest.raises(PrinterError, match=rf"Printer 127.0.0.1:{port}: refused the connection: is raw printing"):
            send_to_printer(b"^XA^XZ", "127.0.0.1", port, timeout=2)


def test_an_empty_label_file_is_not_sent():
    with pytest.raises(ValueError, match="empty"):
        send_to_printer(b"", "127.0.0.1", 9)


def test_a_printer_that_never_answers_is_reported_after_the_timeout(monkeypatch):
    def never_answers(address, timeout):
        raise TimeoutError("timed out")

    monkeypatch.setattr(socket, "create_connection", never_answers)
    with pytest.raises(PrinterError, match=r"no answer within 0.5 s: is it switched on"):
        send_to_printer(b"^XA^XZ", "192.0.2.1", timeout=0.5)
