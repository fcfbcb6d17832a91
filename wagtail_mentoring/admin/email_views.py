"""Send a failed email again: a confirmation page on GET, the resend on POST."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from ..emails.outbox import EmailNotResendable, resend
from ..models.emails import SentEmail
from .permissions import committee_only


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
