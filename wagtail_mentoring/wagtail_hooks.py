"""Registrations with Wagtail, and nothing else."""

from django.urls import include, path
from wagtail import hooks
from wagtail.contrib.settings.registry import register_setting
from wagtail.snippets.models import register_snippet
from wagtail_modeladmin.options import modeladmin_register

from .admin import urls as admin_urls
from .admin.assets import admin_css
from .admin.dashboard import add_mentoring_panel
from .admin.menu import MentoringAdminGroup
from .admin.permissions import guard_urlpatterns, hide_application_pages_from_form_submissions
from .admin.surveys import SurveyRoundDeleteBulkAction, SurveyRoundViewSet
from .admin.topics import EmailWordingViewSet, TopicViewSet
from .models import MentoringSettings

modeladmin_register(MentoringAdminGroup)
register_snippet(TopicViewSet)
register_snippet(EmailWordingViewSet)
register_snippet(SurveyRoundViewSet)
register_setting(MentoringSettings, icon="group")
hooks.register("construct_homepage_panels", add_mentoring_panel)
hooks.register("insert_global_admin_css", admin_css)
hooks.register("filter_form_submissions_for_user", hide_application_pages_from_form_submissions)
# Registered after Wagtail's own snippet actions (order), so it replaces their delete.
hooks.register("register_bulk_action", SurveyRoundDeleteBulkAction, order=1)


@hooks.register("register_admin_urls")
def register_mentoring_urls():
    # Deny by default: a view without a declared check (``committee_only``) answers 404.
    return guard_urlpatterns([path("mentoring/", include(admin_urls))])
