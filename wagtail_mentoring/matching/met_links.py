"""The personal links of the "Have you met yet?" email: signed, expiring, per person.

A link's token names the match, the role of the person it was sent to and the asking
(1, or 2 when a pair that answered "Not yet" is asked again), signed with its own salt
(:data:`TOKEN_SALT`), so a token cannot be turned into another match's or the other
person's. It works for :data:`LINK_VALID_DAYS` days. The answer is a query parameter
(``a``): it only preselects a choice on the page, which records nothing until the
member presses its button (a POST), so mail scanners that open links change nothing.

This module imports no views and no lifecycle code; the email kind and the page use it.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.core import signing

TOKEN_SALT = "wagtail_mentoring.met_check"
#: For how many days a "Have you met yet?" link works.
LINK_VALID_DAYS = 30
ROLES = ("mentor", "mentee")
ASKS = (1, 2)


def make_met_token(match, role: str, ask: int = 1) -> str:
    return signing.dumps([getattr(match, "pk", match), role, ask], salt=TOKEN_SALT, compress=True)


def read_met_token(token: str, *, max_age: int | None = LINK_VALID_DAYS * 86400):
    """``((match id, role, ask), "")`` for a good token, else ``(None, problem)``:
    ``"missing"``, ``"invalid"`` (forged, tampered, cut short) or ``"expired"``.

    With ``max_age=None`` an expired token is read too (to find the member's
    language for the page that says it expired).
    """
    if not token:
        return None, "missing"
    if not isinstance(token, str) or len(token) > 500 or "\x00" in token:
        return None, "invalid"
    try:
        payload = signing.loads(token, salt=TOKEN_SALT, max_age=max_age)
    except signing.SignatureExpired:
        return None, "expired"
    except (signing.BadSignature, ValueError, TypeError, UnicodeError):
        return None, "invalid"
    if not (isinstance(payload, list) and len(payload) == 3):
        return None, "invalid"
    match_id, role, ask = payload
    valid = (
        isinstance(match_id, int)
        and not isinstance(match_id, bool)
        and role in ROLES
        and ask in ASKS
        and not isinstance(ask, bool)
    )
    if not valid:
        return None, "invalid"
    return (match_id, role, ask), ""


def met_check_url(page_link: str, match, role: str, ask: int, answer: str) -> str:
    """One answer's link: ``page_link`` (the programme page's "met" page, absolute)
    with the person's token and the answer to preselect."""
    query = urlencode({"t": make_met_token(match, role, ask), "a": answer})
    return f"{page_link}?{query}"
