"""Receivers the package connects in the app's ``ready()``: email delivery tracking.

The programme's own emails (introduction, completed, ended) are queued by the
lifecycle functions in :mod:`wagtail_mentoring.matching.lifecycle`, inside the
transaction that changes the match, so nothing of the package depends on its
signals; they are sent after the commit for other apps.
"""

from __future__ import annotations


def connect() -> None:
    from anymail.signals import tracking

    from .tracking import record_tracking_event

    tracking.connect(record_tracking_event, dispatch_uid="wagtail_mentoring_tracking")
