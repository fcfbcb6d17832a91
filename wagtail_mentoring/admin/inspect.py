"""The inspect page of the committee's modeladmin classes, with HTML sections.

A section is a method of the modeladmin class, named in its ``inspect_view_fields``
like a field, taking the row and returning HTML, with ``short_description`` for its
label (as a method in Django admin's ``list_display``). The shared sections (timeline,
emails) are the functions below. The models keep only data; how the committee sees it
is decided here.

The view is the default of :class:`~wagtail_mentoring.admin.permissions.CommitteeOnlyModelAdmin`,
so a section is behind the same committee check as the rest of the page.
"""

from __future__ import annotations

from django.contrib.admin.utils import label_for_field
from django.template.loader import render_to_string
from django.utils.text import capfirst
from wagtail_modeladmin.views import InspectView

INCLUDES = "wagtail_mentoring/admin/includes"


def render_timeline(events) -> str:
    """Events (match, application or email events), each with who, what and when."""
    return render_to_string(f"{INCLUDES}/timeline.html", {"events": events})


def render_emails(emails) -> str:
    """Emails, with the status history of each."""
    return render_to_string(f"{INCLUDES}/emails.html", {"emails": emails})


def render_explanation(parts) -> str:
    """A match's stored score explanation, one line per component."""
    return render_to_string(f"{INCLUDES}/explanation.html", {"parts": parts})


def render_priorities(priorities) -> str:
    """What matters most to a mentee (stored codes), in words, one line per priority."""
    from ..priorities import describe_priorities

    return render_to_string(
        f"{INCLUDES}/priorities.html",
        {"priorities": describe_priorities(priorities), "rated": bool(priorities)},
    )


def render_answers(answers) -> str:
    """A survey response's answers, question by question."""
    return render_to_string(f"{INCLUDES}/answers.html", {"answers": answers})


class SectionsInspectView(InspectView):
    """modeladmin's inspect view; a name in ``inspect_view_fields`` that is no model
    field and names a method of the modeladmin class shows that method's HTML."""

    def get_section(self, field_name, field=None):
        if field is not None:
            return None
        method = getattr(self.model_admin, field_name, None)
        return method if callable(method) else None

    def get_field_label(self, field_name, field=None):
        if self.get_section(field_name, field) is not None:
            label = label_for_field(field_name, model=self.model, model_admin=self.model_admin)
        else:
            label = super().get_field_label(field_name, field)
        # Verbose names are lower case; a label starts with a capital, as in the list.
        return capfirst(label)

    def get_field_display_value(self, field_name, field=None):
        section = self.get_section(field_name, field)
        if section is not None:
            return section(self.instance)
        if field is not None and hasattr(self.model_admin, "display_value"):
            return self.model_admin.display_value(self.instance, field_name)
        return super().get_field_display_value(field_name, field)
