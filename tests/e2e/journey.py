"""Counting what a person does in a journey: clicks, keystrokes, scans."""

import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from tests.live import wait_for_js


@dataclass
class Journey:
    name: str
    clicks: int = 0
    keys: int = 0
    scans: int = 0
    log: list = field(default_factory=list)

    def click(self, locator) -> None:
        locator.click()
        self.clicks += 1

    def go(self, locator) -> None:
        """A click that loads another page (a link, a form's button)."""
        with locator.page.expect_navigation():
            locator.click()
        self.clicks += 1

    def type(self, locator, text: str) -> None:
        locator.fill("")
        locator.press_sequentially(text)
        self.keys += len(text)

    def key(self, page, key: str) -> None:
        page.keyboard.press(key)
        self.keys += 1

    def choose(self, locator, value=None, label=None) -> None:
        """Choosing in a drop-down: a click to open it and one to pick."""
        locator.select_option(value=value, label=label)
        self.clicks += 2

    def scan(self, page, code: str, navigates: bool = False) -> None:
        """A USB scanner types the code and Enter into whatever has the focus: one scan.

        Like a person, it waits until the page shows its scan field focused (autofocus lands
        a moment after the page appears)."""
        wait_for_js(page, "document.activeElement && document.activeElement.tagName === 'INPUT'")
        page.keyboard.type(code)
        if navigates:
            with page.expect_navigation():
                page.keyboard.press("Enter")
        else:
            page.keyboard.press("Enter")
        self.scans += 1

    def report(self) -> str:
        return f"{self.name}: {self.clicks} clicks, {self.keys} keystrokes, {self.scans} scans"


def decode_pdf(pdf: bytes, dpi: int = 300) -> set[str]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doc.pdf"
        path.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(path), str(Path(tmp) / "page")], check=True)
        codes = set()
        for png in sorted(Path(tmp).glob("page*.png")):
            result = subprocess.run(
                ["zbarimg", "-q", "--raw", "-Sdisable", "-Scode128.enable", str(png)], capture_output=True, text=True
            )
            codes |= {line.strip() for line in result.stdout.splitlines() if line.strip()}
        return codes


def pdf_text(pdf: bytes) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doc.pdf"
        path.write_bytes(pdf)
        return subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
