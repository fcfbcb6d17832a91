"""How an application is submitted, changed and withdrawn (one function each).

Pages, admin views and tests all call these. Each runs in one transaction; email
goes out only after the transaction commits.
"""

from __future__ import annotations

import logging
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone

from .mail import send_templated_email
from .models.applications import Application, ApplicationStatus, record

logger = logging.getLogger(__name__)


class AlreadyApplied(Exception):
    """The member already has an application for this role and cycle."""

    def __init__(self, application: Application):
        super().__init__(f"Application {application.pk} already exists.")
        self.application = application


class NotEditable(Exception):
    """The application can no longer be changed (matched, completed or withdrawn)."""


def submit_application(form, *, user, cycle, page=None, coordinator_email: str = "") -> Application:
    """Create the application from a valid form; raise ``AlreadyApplied`` on a duplicate.

    The unique constraint on (user, cycle, role) decides between concurrent
    submissions: exactly one row is created, and the loser gets the winner's row.
    """
    application = form.save(commit=False)
    application.user = user
    application.cycle = cycle
    application.page = page
    application.role = form.role
    application.status = ApplicationStatus.SUBMITTED
    application.extra_answers = form.extra_answers()
    try:
        with transaction.atomic():
            application.save()
            application.topics.set(form.get_topic_ids())
            record(application.pk, "submitted", actor=user)
            transaction.on_commit(
                partial(_send_submitted_emails, application.pk, coordinator_email)
            )
    except IntegrityError:
        existing = Application.objects.filter(user=user, cycle=cycle, role=form.role).first()
        if existing is None:
            raise
        raise AlreadyApplied(existing) from None
    return application


def update_application(form, application: Application, coordinator_email: str = "") -> Application:
    """Save changes to an application that is still editable.

    A withdrawn application whose cycle is still open for applications is submitted
    again (same row, new submission time), with the same emails as a first submission.
    """
    with transaction.atomic():
        locked = (
            Application.objects.select_for_update().select_related("cycle").get(pk=application.pk)
        )
        reapplying = locked.can_reapply
        if not (locked.is_editable or reapplying):
            raise NotEditable
        updated = form.save(commit=False)
        updated.extra_answers = form.extra_answers()
        updated.status = locked.status
        if reapplying:
            updated.status = ApplicationStatus.SUBMITTED
            updated.submitted_at = timezone.now()
            updated.withdrawn_at = None
            updated.withdrawal_reason = ""
            transaction.on_commit(partial(_send_submitted_emails, updated.pk, coordinator_email))
        updated.save()
        updated.topics.set(form.get_topic_ids())
        record(updated.pk, "applied again" if reapplying else "edited", actor=updated.user)
    return updated


def withdraw_application(application: Application, reason: str = "") -> Application:
    """Withdraw an application that is not matched yet; idempotent."""
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.is_withdrawn:
            return locked
        if not locked.is_editable:
            raise NotEditable
        locked.status = ApplicationStatus.WITHDRAWN
        locked.withdrawn_at = timezone.now()
        locked.withdrawal_reason = reason.strip()
        locked.save(update_fields=["status", "withdrawn_at", "withdrawal_reason", "updated_at"])
        record(locked.pk, "withdrawn", actor=locked.user, note=locked.withdrawal_reason)
    return locked


def _send_submitted_emails(application_id: int, coordinator_email: str) -> None:
    application = (
        Application.objects.select_related("cycle", "user").prefetch_related("topics")
    ).get(pk=application_id)
    context = {"application": application, "cycle": application.cycle}
    # The application is saved whatever happens here: a mail server that fails must
    # not turn a stored application into an error page.
    try:
        send_templated_email("application_received", context, to=[application.contact_email])
    except Exception:
        logger.exception("Could not send the confirmation for application %s", application.pk)
    if coordinator_email:
        try:
            send_templated_email(
                "new_application",
                context,
                to=[coordinator_email],
                reply_to=[application.contact_email],
            )
        except Exception:
            logger.exception("Could not notify the coordinator of application %s", application.pk)
