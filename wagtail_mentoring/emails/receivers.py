"""Queue the programme's emails when matches change (connected in the app's ``ready()``).

The signals are sent after the change commits; each receiver queues its emails in one
transaction under keys that name the match, so a signal received twice (a retried
request, two committee members approving at once) queues nothing new.
"""

from __future__ import annotations

from .outbox import pair_email, queue_emails


def _queue_for_pair(kind: str, match, what: str) -> None:
    queue_emails(
        pair_email(kind, f"match-{match.pk}-{what}-{role}", match, role, application)
        for role, application in (("mentor", match.mentor), ("mentee", match.mentee))
    )


def introduce_pair(sender, match, **kwargs) -> None:
    """``match_approved``: introduce the mentor and mentee to each other, once."""
    _queue_for_pair("match_introduction", match, "introduction")


def tell_pair_completed(sender, match, **kwargs) -> None:
    _queue_for_pair("match_completed", match, "completed")


def tell_pair_ended(sender, match, **kwargs) -> None:
    _queue_for_pair("match_ended", match, "ended")


def connect() -> None:
    from anymail.signals import tracking

    from .. import signals
    from .tracking import record_tracking_event

    signals.match_approved.connect(introduce_pair, dispatch_uid="wagtail_mentoring_introduce")
    signals.match_completed.connect(
        tell_pair_completed, dispatch_uid="wagtail_mentoring_completed_email"
    )
    signals.match_ended.connect(tell_pair_ended, dispatch_uid="wagtail_mentoring_ended_email")
    tracking.connect(record_tracking_event, dispatch_uid="wagtail_mentoring_tracking")

    from ..schedule import join_alumni

    signals.match_completed.connect(join_alumni, dispatch_uid="wagtail_mentoring_alumni")
