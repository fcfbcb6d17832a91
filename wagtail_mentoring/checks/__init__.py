"""System checks for wagtail_mentoring (ids ``wagtail_mentoring.E001`` …).

Registered from ``WagtailMentoringConfig.ready()``. The checks live in three modules:
``pages`` (templates, page model, login page, page types), ``configuration`` (the
package's settings and the apps it needs) and ``email`` (sender, tracking, links).
"""

from __future__ import annotations

from django.core import checks

from .configuration import (  # noqa: F401 (the public names of the checks)
    PROCESS_LOCAL_CACHES,
    REQUIRED_APPS,
    check_auto_match,
    check_choice_settings,
    check_commitment_months,
    check_match_weights,
    check_max_answer_length,
    check_membership_backend,
    check_priorities,
    check_rate_limit,
    check_rate_limit_cache,
    check_required_apps,
)
from .email import (
    check_email_base_url,
    check_email_settings,
    check_met_check_settings,
    check_tracking_deploy,
)
from .pages import (
    check_base_template,
    check_base_template_blocks,
    check_login_url,
    check_page_model,
    check_program_child_page_types,
)


def register() -> None:
    checks.register(check_email_settings)
    checks.register(check_met_check_settings)
    checks.register(check_required_apps)
    checks.register(check_page_model)
    checks.register(check_commitment_months)
    checks.register(check_membership_backend)
    checks.register(check_choice_settings)
    checks.register(check_base_template, checks.Tags.templates)
    checks.register(check_base_template_blocks, checks.Tags.templates)
    checks.register(check_rate_limit)
    checks.register(check_max_answer_length)
    checks.register(check_auto_match)
    checks.register(check_match_weights)
    checks.register(check_priorities)
    checks.register(check_email_base_url)
    checks.register(check_login_url, checks.Tags.urls)
    checks.register(check_program_child_page_types, checks.Tags.models)
    checks.register(check_rate_limit_cache, deploy=True)
    checks.register(check_tracking_deploy, deploy=True)
