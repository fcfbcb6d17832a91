"""The package's admin stylesheet, for Wagtail's ``insert_global_admin_css`` hook."""

from django.templatetags.static import static
from django.utils.html import format_html


def admin_css() -> str:
    """A ``<link>`` to ``wagtail_mentoring/admin/css/admin.css``: its selectors are all
    scoped to the package's own screens."""
    return format_html(
        '<link rel="stylesheet" href="{}">', static("wagtail_mentoring/admin/css/admin.css")
    )
