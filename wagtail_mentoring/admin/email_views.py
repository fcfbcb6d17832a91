"""The outbox's email page: the message as it renders for its row, and "Send again"
(a confirmation page on GET, the resend on POST)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from ..emails.outbox import EmailNotResendable, resend
from ..models.emails import SentEmail
from .permissions import committee_only


def rendered_message(email: SentEmail) -> dict:
    """The row's message as the outbox renders it (``subject``, ``text``, ``html``), or
    ``error`` when it cannot be rendered (its kind is unknown, its objects are gone)."""
    from ..emails.kinds import registry
    from ..emails.rendering import render_outbox_email

    kind = registry.get(email.kind)
    if kind is None:
        return {"error": _("No email kind %(kind)s is registered.") % {"kind": email.kind}}
    try:
        _values, subject, text, html = render_outbox_email(kind, email)
    except Exception as error:  # the objects behind it are gone, a template is broken, …
        return {"error": _("This email cannot be shown: %(error)s") % {"error": error}}
    return {"subject": subject, "text": text, "html": html}


def inspect_url(email: SentEmail) -> str:
    return reverse("wagtail_mentoring_sentemail_modeladmin_inspect", args=[email.pk])


@committee_only
def resend_email(request, email_id):
    email = get_object_or_404(SentEmail, pk=email_id)
    if request.method == "POST":
        try:
            email = resend(email, actor=request.user)
        except EmailNotResendable as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("The email to %(to)s is queued to be sent again; it is now %(status)s.")
                % {"to": email.to, "status": email.get_status_display().lower()},
            )
        return redirect(inspect_url(email))
    return TemplateResponse(
        request,
        "wagtail_mentoring/admin/email_resend.html",
        {"email": email, "inspect_url": inspect_url(email)},
    )
