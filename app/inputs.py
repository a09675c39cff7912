"""Text a database cannot store is refused at the door, for every page and the API alike:
PostgreSQL rejects NUL in text, and half a surrogate pair cannot be encoded at all."""

from flask import Flask, abort, request


def storable(value: str) -> bool:
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _values():
    yield from request.args.values()
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        yield from request.form.values()
        for upload in request.files.values():
            yield upload.filename or ""


def init_app(app: Flask) -> None:
    @app.before_request
    def _refuse_unstorable_text() -> None:
        if not all(storable(value) for value in _values()):
            abort(400)
