"""Rate limits on the posts that change an application, counted in a Django cache.

Only accepted posts count. A view asks :func:`rate_limit_exceeded` before it
processes a post, which reads the counters and changes nothing, and calls
:func:`count_accepted` once the post has been saved. A refused or invalid post
therefore uses up no one's allowance, and members who share an address (an office,
a campus, a proxy) share only the IP ceiling of accepted posts, never each other's
mistakes.

The windows are fixed: they start at whole multiples of ``WINDOW_SECONDS`` from the
Unix epoch. The counters live in the cache that ``RATE_LIMIT["CACHE"]`` names; with
several server processes it must be one they share (check ``wagtail_mentoring.W002``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import InvalidCacheBackendError, caches
from django.core.exceptions import ImproperlyConfigured

from .conf import PREFIX, app_settings

KEY_PREFIX = "wagtail_mentoring:accepted"


@dataclass(frozen=True)
class RateLimited:
    """Why a post is refused.

    ``limit`` is ``"user"`` (this member's own allowance) or ``"ip"`` (the ceiling
    for everyone at the address); ``retry_after`` is the number of seconds until the
    window ends and the counts start again.
    """

    limit: str
    retry_after: int


def client_ip(request) -> str:
    """The client address as the web server reports it (``REMOTE_ADDR``).

    Behind a proxy, set ``REMOTE_ADDR`` from the proxy's header in middleware or in
    the web server, as Django itself does not trust forwarded headers.
    """
    return request.META.get("REMOTE_ADDR") or "unknown"


def get_cache():
    """The cache that holds the counters, ``RATE_LIMIT["CACHE"]`` (default ``"default"``)."""
    alias = app_settings.RATE_LIMIT.get("CACHE") or "default"
    try:
        return caches[alias]
    except InvalidCacheBackendError:
        raise ImproperlyConfigured(
            f'{PREFIX}RATE_LIMIT["CACHE"] is {alias!r}, which CACHES does not define. '
            "Use one of the CACHES aliases."
        ) from None


def _limits(request, scope: str, now: float) -> tuple[int, list[tuple[str, str, int]]]:
    """The window, and (kind, cache key, limit) for each limit that is on."""
    limits = app_settings.RATE_LIMIT
    window = int(limits.get("WINDOW_SECONDS") or 3600)
    bucket = int(now // window)
    subjects = [("ip", client_ip(request), limits.get("IP"))]
    if request.user.is_authenticated:
        subjects.insert(0, ("user", request.user.pk, limits.get("USER")))
    keys = [
        (kind, f"{KEY_PREFIX}:{scope}:{kind}:{subject}:{bucket}", int(limit))
        for kind, subject, limit in subjects
        if limit
    ]
    return window, keys


def rate_limit_exceeded(request, scope: str = "apply") -> RateLimited | None:
    """Whether the user or the IP address has already used up its allowance.

    Counts nothing: call :func:`count_accepted` once the post has been accepted.
    The user's own limit is reported first.
    """
    now = time.time()
    window, keys = _limits(request, scope, now)
    if not keys:
        return None
    counts = get_cache().get_many([key for _, key, _ in keys])
    for kind, key, limit in keys:
        if (counts.get(key) or 0) >= limit:
            return RateLimited(limit=kind, retry_after=max(1, int(window - now % window)))
    return None


def is_rate_limited(request, scope: str = "apply") -> bool:
    """True when the user or the IP address is already over its limit; counts nothing."""
    return rate_limit_exceeded(request, scope) is not None


def count_accepted(request, scope: str = "apply") -> None:
    """Count one accepted post against the user's and the IP address's allowance."""
    window, keys = _limits(request, scope, time.time())
    if not keys:
        return
    cache = get_cache()
    for _kind, key, _limit in keys:
        if cache.add(key, 1, timeout=window):
            continue
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr(), or a cache that keeps nothing
            cache.add(key, 1, timeout=window)
