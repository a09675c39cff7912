"""The wires: e-mail over SMTP, and the group robots of 企业微信 (WeCom) and 钉钉 (DingTalk).

Each sender takes a rendered message and its settings, and either returns or raises
:class:`DeliveryFailed` with what went wrong (kept on the outbox row for the admin).
"""

import base64
import hashlib
import hmac
import json
import smtplib
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from urllib.parse import quote_plus


class DeliveryFailed(Exception):
    pass


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    user: str = ""
    password: str = ""
    starttls: bool = False
    sender: str = ""
    timeout: float = 10

    @classmethod
    def from_config(cls, config) -> "SmtpSettings":
        return cls(
            host=config.get("SMTP_HOST", ""),
            port=int(config.get("SMTP_PORT") or 25),
            user=config.get("SMTP_USER", ""),
            password=config.get("SMTP_PASSWORD", ""),
            starttls=bool(config.get("SMTP_STARTTLS")),
            sender=config.get("MAIL_FROM", "") or f"workshop@{config.get('SMTP_HOST', 'localhost')}",
            timeout=float(config.get("ALERT_SEND_TIMEOUT", 10)),
        )


def send_email(settings: SmtpSettings, to: str, subject: str, body: str) -> None:
    if not settings.host:
        raise DeliveryFailed("SMTP_HOST is not set")
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=parseaddr(settings.sender)[1].rpartition("@")[2] or None)
    message.set_content(body)  # UTF-8: Chinese store and product names arrive intact
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
            if settings.starttls:
                smtp.starttls()
            if settings.user:
                smtp.login(settings.user, settings.password)
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryFailed(f"SMTP {settings.host}:{settings.port}: {exc.__class__.__name__}: {exc}") from exc


# --- Group robots ---------------------------------------------------------------------


def wecom_payload(markdown: str) -> dict:
    # 企业微信群机器人: {"msgtype": "markdown", "markdown": {"content": …}}, at most 4096 bytes.
    return {"msgtype": "markdown", "markdown": {"content": _fit(markdown, 4000)}}


def dingtalk_payload(title: str, markdown: str) -> dict:
    # 钉钉自定义机器人: {"msgtype": "markdown", "markdown": {"title": …, "text": …}}.
    return {"msgtype": "markdown", "markdown": {"title": _fit(title, 100), "text": _fit(markdown, 4000)}}


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """钉钉 加签: base64(HMAC-SHA256(key=secret, "timestamp\\nsecret")), URL-encoded."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest))


def dingtalk_url(url: str, secret: str, timestamp_ms: int | None = None) -> str:
    if not secret:
        return url
    timestamp_ms = timestamp_ms if timestamp_ms is not None else int(time.time() * 1000)
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}timestamp={timestamp_ms}&sign={dingtalk_sign(secret, timestamp_ms)}"


def post_wecom(url: str, markdown: str, timeout: float = 10) -> None:
    _post_json(url, wecom_payload(markdown), timeout)


def post_dingtalk(url: str, secret: str, title: str, markdown: str, timeout: float = 10) -> None:
    _post_json(dingtalk_url(url, secret), dingtalk_payload(title, markdown), timeout)


def _post_json(url: str, payload: dict, timeout: float) -> None:
    body = json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (an admin's webhook)
            answer = response.read(65536)
    except urllib.error.HTTPError as exc:
        raise DeliveryFailed(f"HTTP {exc.code} {exc.reason}: {exc.read(300).decode(errors='replace')}") from exc
    except (OSError, ValueError) as exc:
        raise DeliveryFailed(f"{exc.__class__.__name__}: {exc}") from exc
    # Both robots answer 200 with {"errcode": 0, "errmsg": "ok"}; anything else is a refusal.
    try:
        result = json.loads(answer or b"{}")
    except ValueError as exc:
        raise DeliveryFailed(f"unreadable answer: {answer[:200]!r}") from exc
    if not isinstance(result, dict) or result.get("errcode", 0) != 0:
        raise DeliveryFailed(f"refused: {json.dumps(result, ensure_ascii=False)[:300]}")


def _fit(text: str, limit: int) -> str:
    # Robots refuse long messages (bytes, UTF-8): cut on a character, not inside one.
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode(errors="ignore") + "…"
