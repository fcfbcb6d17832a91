"""Signed links of the consent step: answer an invitation, or take on no one more.

A link is its own authentication (members answer from their inbox, often without
logging in), so each token is signed with the site's ``SECRET_KEY`` under its own
salt, names exactly one match and role (or one mentor application), and expires.
Opening a link never changes anything (mail scanners open links): the page it opens
asks for one click, which posts.
"""

from __future__ import annotations

import datetime

from django.core import signing
from django.utils import timezone

CONSENT_SALT = "wagtail_mentoring.consent"
PAUSE_SALT = "wagtail_mentoring.pause"
#: How long a "take on no one more" link works (it is in every email to a mentor).
PAUSE_VALID_DAYS = 365
#: Invitation links outlive the answer deadline by this much, so a late click gets a
#: clear "the time is over" rather than a broken link.
CONSENT_GRACE_DAYS = 30
#: No invitation link works longer than this, whatever its deadline.
CONSENT_MAX_AGE_DAYS = 400
ROLES = ("mentor", "mentee")


def consent_token(match, role: str) -> str:
    return signing.dumps([match.pk, role], salt=CONSENT_SALT, compress=True)


def read_consent_token(token: str):
    """``((match, role), "")`` for a good token, else ``(None, "missing" | "invalid" |
    "expired")``."""
    from .models.matches import Match

    if not token:
        return None, "missing"
    try:
        match_id, role = signing.loads(
            token, salt=CONSENT_SALT, max_age=CONSENT_MAX_AGE_DAYS * 86400
        )
    except signing.SignatureExpired:
        return None, "expired"
    except (signing.BadSignature, ValueError, TypeError):
        return None, "invalid"
    if role not in ROLES or not isinstance(match_id, int):
        return None, "invalid"
    match = (
        Match.objects.select_related("cycle", "mentor", "mentee")
        .prefetch_related("mentor__topics", "mentee__topics")
        .filter(pk=match_id)
        .first()
    )
    if match is None:
        return None, "invalid"
    # The link lives as long as its own invitation's deadline (plus some grace), whatever
    # the cycle's days to answer say now.
    deadline = match.consent_due or match.approved_at or match.proposed_at
    if timezone.now() > deadline + datetime.timedelta(days=CONSENT_GRACE_DAYS):
        return None, "expired"
    return (match, role), ""


def pause_token(application) -> str:
    return signing.dumps(application.pk, salt=PAUSE_SALT)


def read_pause_token(token: str):
    """``(mentor application, "")`` for a good token, else ``(None, reason)``."""
    from .models.applications import Application, Role

    if not token:
        return None, "missing"
    try:
        application_id = signing.loads(token, salt=PAUSE_SALT, max_age=PAUSE_VALID_DAYS * 86400)
    except signing.SignatureExpired:
        return None, "expired"
    except (signing.BadSignature, ValueError, TypeError):
        return None, "invalid"
    if not isinstance(application_id, int):
        return None, "invalid"
    application = (
        Application.objects.select_related("cycle")
        .filter(pk=application_id, role=Role.MENTOR)
        .first()
    )
    return (application, "") if application else (None, "invalid")
