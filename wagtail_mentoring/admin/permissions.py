"""Who may use the package's admin: deny by default.

Every admin class the package registers derives from :class:`CommitteeOnlyAdmin`
(through :class:`CommitteeOnlyModelAdmin` or :class:`CommitteeOnlySnippetViewSet`).
It wraps every URL its framework generates, by view name, against ``allowed_views``:
a view named there answers only to users its check allows; any other view (including
one a later wagtail-modeladmin or Wagtail release adds) answers 404 to everyone. The
package's own function views are guarded the same way by :func:`guard_urlpatterns`:
a view registered without a check (the :func:`committee_only` decorator) answers 404.

See ``docs/reference/permissions.md`` for the views, who may use each, and how a site
adds a view safely.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping

from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import URLPattern, URLResolver
from wagtail.snippets.views.chooser import SnippetChooserViewSet
from wagtail.snippets.views.snippets import SnippetViewSet
from wagtail_modeladmin.helpers import PermissionHelper
from wagtail_modeladmin.options import ModelAdmin

from ..committee import committee_only_response, is_committee
from .inspect import SectionsInspectView
from .listing import CheckedIndexView

logger = logging.getLogger(__name__)


#: The attribute that says which check a view passed; a view without it is refused.
ACCESS_ATTRIBUTE = "mentoring_access"
#: URL keyword arguments that name a row of the admin class's model.
PK_KWARGS = ("instance_pk", "pk")


class Check:
    """How an allowed view is guarded: :meth:`allows` a user, or :meth:`refuse`."""

    name = ""

    def allows(self, user, model=None) -> bool:
        raise NotImplementedError

    def refuse(self, request, model=None):
        """A 403 page that says why (Wagtail would redirect to the dashboard)."""
        return TemplateResponse(
            request,
            "wagtail_mentoring/admin/permission_denied.html",
            {"verbose_name_plural": model._meta.verbose_name_plural if model else ""},
            status=403,
        )

    def __repr__(self) -> str:
        return self.name.upper()


class CommitteeCheck(Check):
    """The committee permission (``wagtail_mentoring.manage_mentoring``); others get 403."""

    name = "committee"

    def allows(self, user, model=None) -> bool:
        return is_committee(user)

    def refuse(self, request, model=None):
        return committee_only_response(request)


class ModelPermissionsCheck(Check):
    """Any of Wagtail's model permissions (add, change, delete, view) on the model.

    Only for models that hold no personal data. The view then applies its own finer
    check (for example "change" for the edit view).
    """

    name = "model permissions"

    def allows(self, user, model=None) -> bool:
        if model is None or not (user and user.is_active):
            return False
        opts = model._meta
        return any(
            user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}")
            for action in ("add", "change", "delete", "view")
        )


COMMITTEE = CommitteeCheck()
MODEL_PERMISSIONS = ModelPermissionsCheck()

#: The committee's read-only views of a modeladmin class over personal data.
COMMITTEE_READS = {"index": COMMITTEE, "inspect": COMMITTEE, "history": COMMITTEE}


def _pk_is_valid(model, value) -> bool:
    """Whether ``value`` (from the URL) can be the primary key of a ``model`` row."""
    field = model._meta.pk
    try:
        python = field.to_python(unquote(str(value)))
    except (ValidationError, ValueError, TypeError):
        return False
    if isinstance(python, int):
        low, high = connection.ops.integer_field_range(field.get_internal_type())
        return (low is None or python >= low) and (high is None or python <= high)
    return True


def guard_view(view, check: Check | None, *, model=None, label: str = ""):
    """``view`` behind ``check``; with no check, a view that answers 404 to everyone.

    A path parameter that cannot be a primary key of ``model`` answers 404 before the
    view runs (frameworks would raise ``ValueError`` and answer 500).
    """
    if check is None:

        @functools.wraps(view)
        def refused(request, *args, **kwargs):
            logger.warning("Refused %s: it is not in the allowed views of %s.", request.path, label)
            raise Http404("This view is not enabled.")

        setattr(refused, ACCESS_ATTRIBUTE, None)
        return refused

    @functools.wraps(view)
    def guarded(request, *args, **kwargs):
        if not check.allows(request.user, model):
            return check.refuse(request, model)
        if model is not None:
            for key in PK_KWARGS:
                if key in kwargs and not _pk_is_valid(model, kwargs[key]):
                    raise Http404("No such row.")
        return view(request, *args, **kwargs)

    setattr(guarded, ACCESS_ATTRIBUTE, check)
    return guarded


def _rebuild(urlpatterns, wrap) -> list:
    """New URL patterns whose callbacks are ``wrap(pattern)``; includes are followed."""
    rebuilt = []
    for entry in urlpatterns:
        if isinstance(entry, URLResolver):
            rebuilt.append(
                URLResolver(
                    entry.pattern,
                    _rebuild(entry.url_patterns, wrap),
                    entry.default_kwargs,
                    entry.app_name,
                    entry.namespace,
                )
            )
        else:
            rebuilt.append(URLPattern(entry.pattern, wrap(entry), entry.default_args, entry.name))
    return rebuilt


def guard_urlpatterns(urlpatterns) -> list:
    """The package's function views, each behind the check its decorator declared.

    A view without one (no :func:`committee_only`) answers 404 to everyone.
    """
    return _rebuild(
        urlpatterns,
        lambda entry: guard_view(
            entry.callback,
            getattr(entry.callback, ACCESS_ATTRIBUTE, None),
            label=f"the URL {entry.name or entry.pattern}",
        ),
    )


def committee_only(view):
    """Decorate a view: committee members get it, anyone else the 403 page."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_committee(request.user):
            return committee_only_response(request)
        return view(request, *args, **kwargs)

    setattr(wrapped, ACCESS_ATTRIBUTE, COMMITTEE)
    return wrapped


class CommitteeOnlyAdmin:
    """The one base of every admin class the package registers: deny by default.

    ``allowed_views`` maps a view name (modeladmin's action, such as ``"index"`` or
    ``"history"``; a Wagtail view set's URL name, such as ``"list"``) to the check
    that applies: :data:`COMMITTEE` or, for models without personal data,
    :data:`MODEL_PERMISSIONS`. Every other view the framework generates answers 404.
    """

    allowed_views: Mapping[str, Check] = {}

    def view_name(self, url_name: str | None) -> str | None:
        return url_name

    def guard(self, urlpatterns) -> list:
        def wrap(entry):
            name = self.view_name(entry.name)
            check = self.allowed_views.get(name) if name else None
            return guard_view(entry.callback, check, model=self.model, label=type(self).__name__)

        return _rebuild(urlpatterns, wrap)


class CommitteeOnlyPermissionHelper(PermissionHelper):
    """Read-only access for the committee; nobody creates or deletes rows here."""

    def user_can_list(self, user):
        return is_committee(user)

    def user_can_inspect_obj(self, user, obj):
        return is_committee(user)

    def user_can_create(self, user):
        return False

    def user_can_edit_obj(self, user, obj):
        return False

    def user_can_delete_obj(self, user, obj):
        return False


class CommitteeOnlyModelAdmin(CommitteeOnlyAdmin, ModelAdmin):
    """A modeladmin class whose views are refused unless ``allowed_views`` names them.

    Subclasses list their views in ``allowed_views`` (usually :data:`COMMITTEE_READS`);
    with none listed, every view answers 404. Wagtail answers a refused admin view with
    a redirect; the committee check answers 403, with a page that says why, so that
    nobody mistakes the refusal for a glitch.

    The inspect view (:class:`~wagtail_mentoring.admin.inspect.SectionsInspectView`)
    also shows the sections the subclass defines as methods, such as a match's
    timeline; they are behind the same check as the rest of the page.
    """

    permission_helper_class = CommitteeOnlyPermissionHelper
    index_view_class = CheckedIndexView
    inspect_view_enabled = True
    inspect_view_class = SectionsInspectView

    def view_name(self, url_name):
        prefix = self.url_helper.get_action_url_name("")
        if url_name and url_name.startswith(prefix):
            return url_name[len(prefix) :]
        return None

    def get_admin_urls_for_registration(self):
        return tuple(self.guard(super().get_admin_urls_for_registration()))


class CommitteeOnlyChooserViewSet(CommitteeOnlyAdmin, SnippetChooserViewSet):
    """The chooser of a guarded snippet: for users with a permission on its model.

    No "create": the package's snippet choosers have no creation form, and Wagtail's
    create view without one fails on every request.
    """

    allowed_views = dict.fromkeys(
        ("choose", "choose_results", "chosen", "chosen_multiple"), MODEL_PERMISSIONS
    )

    def get_urlpatterns(self):
        return self.guard(super().get_urlpatterns())


class CommitteeOnlySnippetViewSet(CommitteeOnlyAdmin, SnippetViewSet):
    """A snippet view set whose views are refused unless ``allowed_views`` names them."""

    chooser_viewset_class = CommitteeOnlyChooserViewSet
    copy_view_enabled = False

    def get_urlpatterns(self):
        return self.guard(super().get_urlpatterns())


def hide_application_pages_from_form_submissions(user, queryset):
    """``filter_form_submissions_for_user`` hook: applications are not form submissions."""
    from ..models.application_page import MentoringApplicationPage
    from ..models.surveys import SurveyPage

    return queryset.not_type(MentoringApplicationPage, SurveyPage)
