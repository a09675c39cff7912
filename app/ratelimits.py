"""Counters kept in the limiter's storage (RATELIMIT_STORAGE_URI: Redis when several workers
or servers run), for limits that a decorator cannot express: refused API tokens per address,
refused log-ins per account. Nothing is counted while rate limiting is off."""

import time

from flask import current_app
from limits import parse

from app.extensions import limiter


def _keys(scope: str, key: str) -> tuple[str, ...]:
    return (current_app.config.get("RATELIMIT_KEY_PREFIX") or "app", scope, key)


def allowed(limit_setting: str, scope: str, key: str) -> bool:
    """True while this key is within the limit named by the config setting (nothing counted)."""
    if not limiter.enabled:
        return True
    return limiter.limiter.test(parse(current_app.config[limit_setting]), *_keys(scope, key))


def hit(limit_setting: str, scope: str, key: str) -> bool:
    """Count one for this key; False when that went over the limit."""
    if not limiter.enabled:
        return True
    return limiter.limiter.hit(parse(current_app.config[limit_setting]), *_keys(scope, key))


def retry_after(limit_setting: str, scope: str, key: str) -> int:
    """Seconds until this key's window resets (at least 1)."""
    reset_at, _remaining = limiter.limiter.get_window_stats(
        parse(current_app.config[limit_setting]), *_keys(scope, key)
    )
    return max(1, int(reset_at - time.time()))
