"""Label files in a thermal printer's own language (ZPL or TSPL, at its resolution and label
size), and sending them straight to the printer on the network (raw TCP, port 9100).

A printer that does not take the file is a refusal like any other (``PrinterUnavailable``,
with what to check): the request keeps nothing, so no piece is marked labelled for a label
that never printed.
"""

import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import Piece, Printer, SparePart, User
from app.models.printers import PrinterLanguage
from app.services import paper, registration
from app.services.paper import part_label
from app.services.settings import Rules
from labels import (
    PartLabel,
    PieceLabel,
    PrinterError,
    Rendered,
    send_to_printer,
    tspl_part_labels,
    tspl_piece_labels,
    zpl_part_labels,
    zpl_piece_labels,
)
from workshop.errors import DomainError, NotFound, RuleViolation
from workshop.roles import Role
from workshop.text import N_

EXTENSIONS = {PrinterLanguage.ZPL: "zpl", PrinterLanguage.TSPL: "tspl"}


class PrinterUnavailable(DomainError):
    """The printer did not take the label file; the sentence says which printer and what to check."""

    code = "printer_unavailable"


@dataclass(frozen=True)
class Printed:
    printer: Printer
    count: int  # labels sent
    missing_chars: tuple[str, ...] = ()  # characters that printed as □


def printers_for(user: User) -> list[Printer]:
    """The printers this person may print on: their store's, or the workshop's."""
    query = select(Printer).where(Printer.active.is_(True)).order_by(Printer.code)
    if user.role == Role.STORE:
        query = query.where(Printer.store_id == user.store_id)
    else:
        query = query.where(Printer.store_id.is_(None))
    return list(db.session.scalars(query))


def printer_for(user: User, printer_id: int | None) -> Printer:
    """One of :func:`printers_for`; another store's printer is as unknown as none."""
    printer = db.session.get(Printer, printer_id) if printer_id else None
    if printer is None or printer not in printers_for(user):
        raise NotFound(N_("This label printer is not one of yours: choose one from the list."))
    return printer


def piece_label_file(printer: Printer, labels: Sequence[PieceLabel]) -> Rendered:
    render = zpl_piece_labels if printer.language == PrinterLanguage.ZPL else tspl_piece_labels
    return _fitted(printer, lambda: render(labels, printer.width_mm, printer.height_mm, printer.dpi))


def part_label_file(printer: Printer, parts: Sequence[SparePart | PartLabel]) -> Rendered:
    render = zpl_part_labels if printer.language == PrinterLanguage.ZPL else tspl_part_labels
    shelf_labels = [part_label(part) for part in parts]
    return _fitted(printer, lambda: render(shelf_labels, printer.width_mm, printer.height_mm, printer.dpi))


def _fitted(printer: Printer, render: Callable[[], Rendered]) -> Rendered:
    """The label file, or a refusal saying why these labels cannot print on this printer's roll
    (a code too long for the label's width, a character its barcode cannot carry)."""
    try:
        return render()
    except ValueError as error:
        raise RuleViolation(
            N_("These labels cannot print on %(printer)s (%(width)d × %(height)d mm, %(dpi)d dpi): %(problem)s"),
            printer=printer.name,
            width=printer.width_mm,
            height=printer.height_mm,
            dpi=printer.dpi,
            problem=str(error),
        ) from error


def file_name(printer: Printer, stem: str) -> str:
    return f"{stem}.{EXTENSIONS[PrinterLanguage(printer.language)]}"


def send(printer: Printer, data: bytes) -> None:
    """Send the file and return once the printer has taken every byte; refuse with the reason."""
    timeout = float(current_app.config["PRINTER_TIMEOUT"])
    try:
        send_to_printer(data, printer.host, printer.port, timeout=timeout)
    except PrinterError as error:
        raise _unavailable(printer, error, timeout) from error


def _unavailable(printer: Printer, error: PrinterError, timeout: float) -> PrinterUnavailable:
    where = {"printer": printer.name, "address": printer.address}
    cause = error.__cause__
    if isinstance(cause, TimeoutError):
        return PrinterUnavailable(
            N_(
                "Printer %(printer)s (%(address)s) did not answer within %(seconds)s s: is it switched on and "
                "on this network? The labels are not marked as printed."
            ),
            seconds=f"{timeout:g}",
            **where,
        )
    if isinstance(cause, ConnectionRefusedError):
        return PrinterUnavailable(
            N_(
                "Printer %(printer)s (%(address)s) refused the connection: is raw printing on port %(port)d "
                "switched on in its settings? The labels are not marked as printed."
            ),
            port=printer.port,
            **where,
        )
    if isinstance(cause, socket.gaierror):
        return PrinterUnavailable(
            N_(
                "Printer %(printer)s: no machine called %(host)s on this network; ask the administrator to check "
                "its address. The labels are not marked as printed."
            ),
            printer=printer.name,
            host=printer.host,
        )
    return PrinterUnavailable(
        N_(
            "Printer %(printer)s (%(address)s) could not be reached (%(problem)s). "
            "The labels are not marked as printed."
        ),
        problem=str(error.problem),
        **where,
    )


def print_part_labels(parts: Sequence[SparePart | PartLabel], printer: Printer) -> Printed:
    """Print spare parts' shelf labels on a label printer: a SparePart prints without its shelf;
    give ``paper.part_label(part, shelf)`` to print where it is kept."""
    if not parts:
        raise RuleViolation(N_("No label to print: choose at least one spare part."))
    data = part_label_file(printer, parts)
    send(printer, data)
    return Printed(printer, len(parts), data.missing_chars)


def print_piece_labels(actor: User, pieces: Sequence[Piece], printer: Printer, rules: Rules, at: datetime) -> Printed:
    """Print pieces' labels on a label printer; only once it has taken them are they labelled."""
    data = piece_label_file(printer, [paper.piece_label(piece, rules) for piece in pieces])
    send(printer, data)
    registration.mark_labelled(actor, list(pieces), at=at)
    return Printed(printer, len(pieces), data.missing_chars)
