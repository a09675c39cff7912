"""Sending a label file straight to a network label printer: raw TCP on port 9100 (JetDirect),
which Zebra, TSC and most Chinese label printers listen on."""

from __future__ import annotations

import socket

RAW_PORT = 9100
DEFAULT_TIMEOUT_S = 5.0


class PrinterError(Exception):
    """The printer could not be reached or did not take the whole label file; the message says
    which printer and what to check."""

    def __init__(self, host: str, port: int, problem: str) -> None:
        self.host = host
        self.port = port
        self.problem = problem
        super().__init__(f"Printer {host}:{port}: {problem}")


def send_to_printer(data: bytes, host: str, port: int = RAW_PORT, timeout: float = DEFAULT_TIMEOUT_S) -> None:
    """Send `data` (ZPL or TSPL) to the printer and return once it has taken every byte."""
    if not data:
        raise ValueError("Nothing to print: the label file is empty.")
    try:
        with socket.create_connection((host, port), timeout=timeout) as connection:
            connection.sendall(data)
            # A clean close tells the printer the job is complete.
            connection.shutdown(socket.SHUT_WR)
    except TimeoutError as error:
        raise PrinterError(
            host, port, f"no answer within {timeout:g} s: is it switched on, and on this network?"
        ) from error
    except ConnectionRefusedError as error:
        raise PrinterError(
            host, port, f"refused the connection: is raw printing on port {port} enabled on it?"
        ) from error
    except socket.gaierror as error:
        raise PrinterError(host, port, "no such printer name on this network: check the address.") from error
    except OSError as error:
        raise PrinterError(host, port, f"could not be reached ({error.strerror or error}).") from error
