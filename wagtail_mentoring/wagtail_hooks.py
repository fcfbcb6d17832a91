"""Registrations with Wagtail, and nothing else."""

from wagtail.snippets.models import register_snippet
from wagtail_modeladmin.options import modeladmin_register

from .admin.menu import MentoringAdminGroup
from .admin.topics import TopicViewSet

modeladmin_register(MentoringAdminGroup)
register_snippet(TopicViewSet)
