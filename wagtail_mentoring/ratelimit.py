"""Fixed-window rate limits on application posts, counted in Django's default cache."""

from __future__ import annotations

import time

from django.core.cache import cache

from .conf import app_settings


def client_ip(request) -> str:
    """The client address as the web server reports it (``REMOTE_ADDR``).

    Behind a proxy, set ``REMOTE_ADDR`` from the proxy's header in middleware or in
    the web server, as Django itself does not trust forwarded headers.
    """
    return request.META.get("REMOTE_ADDR") or "unknown"


def _over_limit(key: str, limit: int | None, window: int) -> bool:
    if not limit:
        return False
    bucket = int(time.time() // window)
    full_key = f"wagtail_mentoring:ratelimit:{key}:{bucket}"
    if cache.add(full_key, 1, timeout=window):
        count = 1
    else:
        try:
            count = cache.incr(full_key)
        except ValueError:  # expired between add() and incr()
            cache.add(full_key, 1, timeout=window)
            count = 1
    return count > limit


def is_rate_limited(request, scope: str = "apply") -> bool:
    """Count this request; True when the user or the IP address is over its limit."""
    limits = app_settings.RATE_LIMIT
    window = int(limits.get("WINDOW_SECONDS") or 3600)
    user_over = False
    if request.user.is_authenticated:
        user_over = _over_limit(f"{scope}:user:{request.user.pk}", limits.get("USER"), window)
    ip_over = _over_limit(f"{scope}:ip:{client_ip(request)}", limits.get("IP"), window)
    return user_over or ip_over
