"""Security headers on every answer: a strict Content-Security-Policy (no inline script or
style anywhere: templates load static/js and static/css), no framing, no sniffing, a
Referrer-Policy, HSTS in production; files (photos, PDFs) with a safe Content-Disposition.

The camera's barcode reader is WebAssembly (static/vendor/barcode-detector): compiling it needs
``'wasm-unsafe-eval'``, which lets a page compile WebAssembly but not evaluate JavaScript text.
"""

from flask import Flask, current_app, request

POLICY = {
    "default-src": "'self'",
    "script-src": "'self' 'wasm-unsafe-eval'",
    "style-src": "'self'",
    "img-src": "'self' data: blob:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "media-src": "'self' blob:",
    "worker-src": "'self' blob:",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# The API reference (ReDoc, vendored) writes its own <style> elements: that page alone may.
RELAXED_STYLE = {"api.viewer": "'self' 'unsafe-inline'"}


def policy(endpoint: str | None) -> str:
    parts = dict(POLICY)
    if endpoint in RELAXED_STYLE:
        parts["style-src"] = RELAXED_STYLE[endpoint]
    return "; ".join(f"{name} {value}" for name, value in parts.items())


def add_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", policy(request.endpoint))
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(self), microphone=(), geolocation=(), payment=()")
    if current_app.config.get("APP_ENV") == "production":
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    mimetype = response.mimetype or ""
    if mimetype.startswith("image/") and request.endpoint != "static":
        # A photo is shown in the page or a tab, never run as anything else; saved under a
        # neutral name that says nothing of where it is stored.
        headers["Content-Disposition"] = "inline; filename=photo" + _extension(mimetype)
    elif mimetype == "application/pdf" and "Content-Disposition" not in headers:
        headers["Content-Disposition"] = "attachment; filename=document.pdf"
    return response


def _extension(mimetype: str) -> str:
    return {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}.get(mimetype, "")


def init_app(app: Flask) -> None:
    app.after_request(add_headers)
