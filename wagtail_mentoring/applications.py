"""How an application is submitted, changed and withdrawn (one function each).

Pages, admin views and tests all call these. Each runs in one transaction, which also
puts the emails in the outbox; they are sent only after the transaction commits.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from .emails.outbox import queue_emails
from .languages import current_language
from .matching import lifecycle
from .models.applications import Application, ApplicationAction, ApplicationStatus, record


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
    The application keeps the active language (one of ``settings.LANGUAGES``): the
    member's emails are written in it.
    """
    application = form.save(commit=False)
    application.user = user
    application.cycle = cycle
    application.page = page
    application.role = form.role
    application.status = ApplicationStatus.SUBMITTED
    application.extra_answers = form.extra_answers()
    # The language of the request: the member's emails are written in it.
    application.language = current_language()
    try:
        with transaction.atomic():
            application.save()
            application.topics.set(form.get_topic_ids())
            record(application.pk, ApplicationAction.SUBMITTED, actor=user)
            _queue_submitted_emails(application, coordinator_email)
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
    The application takes the active language: the member's latest choice.
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
        updated.language = current_language()
        if reapplying:
            updated.status = ApplicationStatus.SUBMITTED
            updated.submitted_at = timezone.now()
            updated.withdrawn_at = None
            updated.withdrawal_reason = ""
        updated.save()
        if reapplying:
            _queue_submitted_emails(updated, coordinator_email)
        updated.topics.set(form.get_topic_ids())
        record(
            updated.pk,
            ApplicationAction.APPLIED_AGAIN if reapplying else ApplicationAction.EDITED,
            actor=updated.user,
        )
    return updated


def withdraw_application(
    application: Application, reason: str = "", coordinator_email: str | None = None
) -> Application:
    """Withdraw an application that is not matched yet; idempotent.

    The applicant gets a confirmation and the coordinator a notice, both queued in the
    withdrawal's transaction. ``coordinator_email`` defaults to the coordinator address
    in the mentoring settings of the application page's site (of the default site when
    the page is gone); ``""`` sends no notice.
    """
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
        lifecycle.close_proposals_of(locked, actor=locked.user)
        record(
            locked.pk,
            ApplicationAction.WITHDRAWN,
            actor=locked.user,
            reason=locked.withdrawal_reason,
        )
        withdrawn = locked.withdrawn_at.isoformat()
        emails = [
            {
                "kind": "application_withdrawn",
                "to": [locked.contact_email],
                "key": f"application-{locked.pk}-withdrawn-{withdrawn}",
                "application": locked,
                "recipient_user_id": locked.user_id,
            }
        ]
        if coordinator_email is None:
            coordinator_email = _coordinator_email_for(locked)
        if coordinator_email:
            emails.append(
                {
                    "kind": "withdrawal_notice",
                    "to": [coordinator_email],
                    "key": f"application-{locked.pk}-coordinator-withdrawn-{withdrawn}",
                    "application": locked,
                }
            )
        queue_emails(emails)  # one task sends both
    return locked


def _coordinator_email_for(application: Application) -> str:
    """The coordinator address of the site the application was made on."""
    from wagtail.models import Site

    from .models.site_settings import MentoringSettings

    page = application.page or application.cycle.program_page
    site = page.get_site() if page is not None else None
    site = site or Site.objects.filter(is_default_site=True).first()
    if site is None:
        return ""
    return MentoringSettings.for_site(site).coordinator_email


def _queue_submitted_emails(application: Application, coordinator_email: str) -> None:
    """The confirmation to the applicant and the notice to the coordinator (if any).

    Keyed by the submission time, so applying again after withdrawing confirms again.
    """
    submitted = application.submitted_at.isoformat()
    emails = [
        {
            "kind": "application_received",
            "to": [application.contact_email],
            "key": f"application-{application.pk}-received-{submitted}",
            "application": application,
            "recipient_user_id": application.user_id,
        }
    ]
    if coordinator_email:
        emails.append(
            {
                "kind": "new_application",
                "to": [coordinator_email],
                "key": f"application-{application.pk}-coordinator-{submitted}",
                "application": application,
            }
        )
    queue_emails(emails)  # one task sends both
