"""Registrations with Wagtail, and nothing else."""

from wagtail import hooks
from wagtail.contrib.settings.registry import register_setting
from wagtail.snippets.models import register_snippet
from wagtail_modeladmin.options import modeladmin_register

from .admin.menu import MentoringAdminGroup
from .admin.permissions import hide_application_pages_from_form_submissions
from .admin.topics import TopicViewSet
from .models import MentoringSettings

modeladmin_register(MentoringAdminGroup)
register_snippet(TopicViewSet)
register_setting(MentoringSettings, icon="group")
hooks.register("filter_form_submissions_for_user", hide_application_pages_from_form_submissions)
