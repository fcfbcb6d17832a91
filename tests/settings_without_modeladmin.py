"""Test settings missing an app that wagtail_mentoring needs (for check E003)."""

from .settings import *  # noqa: F403
from .settings import INSTALLED_APPS

INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "wagtail_modeladmin"]
