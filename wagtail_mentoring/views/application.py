"""What an application page does with one request."""

from __future__ import annotations

from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..applications import AlreadyApplied, NotEditable, update_application, withdraw_application
from ..forms import WithdrawForm
from ..membership import get_membership_status
from ..models.application_page import ACTION_FIELD
from ..models.applications import Application
from ..ratelimit import count_accepted, rate_limit_exceeded

APPLY, EDIT, WITHDRAW = "apply", "edit", "withdraw"


class ApplicationPageView:
    """Serve one request to a ``MentoringApplicationPage``.

    Order of the rules: membership (403 on POST), existing application (status,
    edit, withdraw), application window (403 on POST outside it), rate limit (429),
    honeypot (400), then the form. Only accepted posts count towards the rate limit
    (submitting, saving changes, withdrawing, applying again); a withdrawal is never
    refused by it.
    """

    def __init__(self, page, request):
        self.page = page
        self.request = request
        self.is_post = request.method == "POST"

    def dispatch(self):
        request = self.request
        membership = get_membership_status(request)
        if not membership.is_active:
            return self.page.render_gate(request, membership, status=403 if self.is_post else 200)
        self.cycle = self.page.get_cycle()
        existing = None
        if self.cycle is not None:
            existing = (
                Application.objects.filter(user=request.user, cycle=self.cycle, role=self.page.role)
                .prefetch_related("topics")
                .first()
            )
        if existing is not None:
            return self.serve_existing(existing)
        if self.cycle is None or not self.cycle.is_open():
            return self.render("closed", status=403 if self.is_post else 200)
        if not self.is_post:
            return self.render("form", form=self.get_form())
        limited = rate_limit_exceeded(request)
        if limited:
            return self.render_rate_limited(self.get_form(request.POST), limited)
        form = self.get_form(request.POST)
        if form.is_spam:
            return self.render("rejected", status=400)
        if not form.is_valid():
            return self.render("form", form=form, status=200)
        form.request = request
        try:
            application = self.page.process_form_submission(form)
        except AlreadyApplied as duplicate:
            return self.render(
                "status",
                application=duplicate.application,
                notice=_("You have already applied. Here is your application."),
            )
        count_accepted(request)
        return self.page.render_landing_page(request, application)

    # -- an application exists ----------------------------------------------------

    def serve_existing(self, application):
        request = self.request
        action = request.POST.get(ACTION_FIELD) if self.is_post else None
        if action == WITHDRAW:
            withdraw_form = WithdrawForm(request.POST)
            if not withdraw_form.is_valid():
                return self.render("status", application=application, withdraw_form=withdraw_form)
            try:
                application = withdraw_application(
                    application, withdraw_form.cleaned_data["reason"]
                )
            except NotEditable:
                return self.render_not_editable(application)
            count_accepted(request)
            return self.render(
                "status", application=application, notice=_("Your application is withdrawn.")
            )
        if action == EDIT:
            if not (application.is_editable or application.can_reapply):
                return self.render_not_editable(application)
            limited = rate_limit_exceeded(request)
            if limited:
                return self.render_rate_limited(
                    self.get_form(request.POST, instance=application),
                    limited,
                    application=application,
                    editing=True,
                    reapplying=application.can_reapply,
                )
            form = self.get_form(request.POST, instance=application)
            if form.is_spam:
                return self.render("rejected", status=400)
            if not form.is_valid():
                return self.render(
                    "form",
                    form=form,
                    application=application,
                    editing=True,
                    reapplying=application.can_reapply,
                )
            reapplying = application.can_reapply
            try:
                application = update_application(
                    form, application, coordinator_email=self.coordinator_email()
                )
            except NotEditable:
                return self.render_not_editable(application)
            count_accepted(request)
            if reapplying:
                return self.page.render_landing_page(request, application)
            return self.render(
                "status", application=application, notice=_("Your changes are saved.")
            )
        if self.is_post:
            # A second "apply" post (double click, back button, second tab).
            return self.render(
                "status",
                application=application,
                notice=_("You have already applied. Here is your application."),
            )
        if request.GET.get("edit") and (application.is_editable or application.can_reapply):
            return self.render(
                "form",
                form=self.get_form(instance=application),
                application=application,
                editing=True,
                reapplying=application.can_reapply,
            )
        return self.render("status", application=application)

    # -- helpers ----------------------------------------------------------------------

    def get_form(self, data=None, instance=None):
        return self.page.get_form(
            data, page=self.page, user=self.request.user, cycle=self.cycle, instance=instance
        )

    def render(self, mode, status=200, **extra):
        context = self.page.get_context(self.request)
        context.update({"mode": mode, "cycle": self.cycle, **extra})
        if mode == "status" and "withdraw_form" not in context:
            context["withdraw_form"] = WithdrawForm()
        return TemplateResponse(
            self.request, self.page.get_template(self.request), context, status=status
        )

    def coordinator_email(self) -> str:
        from ..models.site_settings import MentoringSettings

        return MentoringSettings.for_request(self.request).coordinator_email

    def render_not_editable(self, application):
        return self.render(
            "status",
            application=application,
            notice=_("This application can no longer be changed; contact the committee."),
            status=409,
        )

    def render_rate_limited(self, form, limited, **extra):
        form.is_valid()
        minutes = -(-limited.retry_after // 60)
        wait = ngettext(
            "Please try again in %(minutes)d minute.",
            "Please try again in %(minutes)d minutes.",
            minutes,
        ) % {"minutes": minutes}
        if limited.limit == "user":
            what = _(
                "Too many attempts: you have already sent or changed your applications "
                "several times in a short while, so this one was not saved."
            )
        else:
            what = _(
                "Too many attempts: many applications have been sent from your network "
                "in a short while, so yours was not saved."
            )
        response = self.render(
            "form",
            form=form,
            status=429,
            notice=" ".join([what, wait, _("Your answers are still in the form below.")]),
            **extra,
        )
        response["Retry-After"] = str(limited.retry_after)
        return response
