"""Render-and-decode helpers: the PDFs are checked with the tools a print room would trust
(poppler to rasterise and extract text, zbar to scan)."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from labels import PieceLabel

CODE128_ONLY = ("-Sdisable", "-Scode128.enable")
TOOLS = {
    "zbarimg": "apt-get install zbar-tools",
    "pdftoppm": "apt-get install poppler-utils",
    "pdftotext": "apt-get install poppler-utils",
    "pdffonts": "apt-get install poppler-utils",
    "pdfinfo": "apt-get install poppler-utils",
}


def require_tools() -> None:
    missing = [name for name in TOOLS if shutil.which(name) is None]
    if not missing:
        return
    reason = "; ".join(f"{name} not installed: {TOOLS[name]}" for name in missing)
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI must decode the PDFs for real: {reason}")
    pytest.skip(reason)


@dataclass
class PdfTools:
    workdir: Path

    def _write(self, pdf: bytes, name: str) -> Path:
        path = self.workdir / f"{name}.pdf"
        path.write_bytes(pdf)
        return path

    def rasterise(self, pdf: bytes, dpi: int, page: int | None = None, env: dict | None = None) -> list[Path]:
        name = f"r{len(list(self.workdir.iterdir()))}"
        source = self._write(pdf, name)
        pages = ["-f", str(page), "-l", str(page)] if page else []
        prefix = self.workdir / f"{name}-{dpi}"
        subprocess.run(
            ["pdftoppm", "-r", str(dpi), "-gray", *pages, str(source), str(prefix)],
            check=True,
            capture_output=True,
            env=env,
        )
        return sorted(self.workdir.glob(f"{prefix.name}-*.pgm"))

    def decode(self, image: Path) -> list[str]:
        # zbarimg exits 4 when it finds nothing; that is an answer, not an error.
        result = subprocess.run(["zbarimg", "-q", "--raw", *CODE128_ONLY, str(image)], capture_output=True, text=True)
        assert result.returncode in (0, 4), result.stderr
        return result.stdout.split()

    def text(self, pdf: bytes, page: int | None = None, *options: str) -> str:
        source = self._write(pdf, f"t{len(list(self.workdir.iterdir()))}")
        pages = ["-f", str(page), "-l", str(page)] if page else []
        return subprocess.run(
            ["pdftotext", *options, *pages, str(source), "-"], check=True, capture_output=True, text=True
        ).stdout

    def fonts(self, pdf: bytes) -> list[list[str]]:
        source = self._write(pdf, f"f{len(list(self.workdir.iterdir()))}")
        output = subprocess.run(["pdffonts", str(source)], check=True, capture_output=True, text=True).stdout
        return [line.split() for line in output.splitlines()[2:]]

    def page_count(self, pdf: bytes) -> int:
        source = self._write(pdf, f"i{len(list(self.workdir.iterdir()))}")
        output = subprocess.run(["pdfinfo", str(source)], check=True, capture_output=True, text=True).stdout
        return int(next(line.split()[1] for line in output.splitlines() if line.startswith("Pages:")))


@pytest.fixture(scope="module")
def pdf_tools(tmp_path_factory) -> PdfTools:
    require_tools()
    return PdfTools(tmp_path_factory.mktemp("pdf"))


LONG_PRODUCT = "男士加绒加厚防风保暖连帽羽绒服外套（长款）加大码冬季新款商务休闲"


@pytest.fixture(scope="session")
def make_label():
    def make(number: int = 1, **overrides) -> PieceLabel:
        values = dict(
            code=f"P{number:08d}K",
            store="上海南京东路店",
            product=LONG_PRODUCT,
            size_colour="XL / 藏青",
            defect="脱线 Open seam",
            registered_on=date(2026, 11, 23),
            batch=None,
        )
        values.update(overrides)
        return PieceLabel(**values)

    return make
