"""Turn an email kind and its placeholder values into a subject, a text and an HTML part.

Wording comes from editors (an :class:`~wagtail_mentoring.models.EmailWording` for the
kind) when there is one, else from the kind's template set, which sites can override
like any template. Editors' placeholders are replaced by plain substitution, never by
the template engine, so wording cannot reach anything but the documented values.

The subject and the text part are plain text: their templates are rendered with
autoescaping off (whatever the template says), so "O'Brien" and "Tom & Jerry" arrive
as written. Only the HTML part is escaped.

Checking and substituting placeholders is :mod:`wagtail_mentoring.emails.wording`'s
(it imports no models); its functions are importable from here too.
"""

from __future__ import annotations

from django.template import Context
from django.template.base import Template as DjangoTemplate
from django.template.loader import get_template, render_to_string

from .wording import (
    PLACEHOLDER,
    TEMPLATE_DIR,
    check_placeholders,
    one_line,
    render_wording,
    substitute,
)

__all__ = [
    "PLACEHOLDER",
    "TEMPLATE_DIR",
    "check_placeholders",
    "load_wording",
    "one_line",
    "render_email",
    "render_plain",
    "render_templates",
    "render_wording",
    "substitute",
]


def render_plain(template_name: str, values: dict) -> str:
    """``template_name`` rendered as plain text: no value is HTML-escaped."""
    template = get_template(template_name)
    compiled = getattr(template, "template", None)
    if isinstance(compiled, DjangoTemplate):
        return compiled.render(Context(values, autoescape=False))
    return template.render(values)  # another engine: as it is configured


def render_templates(name: str, values: dict) -> tuple[str, str, str]:
    """(subject, text, HTML) from the template set ``name``."""
    subject = one_line(render_plain(f"{TEMPLATE_DIR}/{name}_subject.txt", values))
    text = render_plain(f"{TEMPLATE_DIR}/{name}.txt", values)
    html = render_to_string(f"{TEMPLATE_DIR}/{name}.html", {**values, "subject": subject})
    return subject, text, html


def load_wording() -> dict:
    """Editors' wording of every kind that has some, by kind name (one query)."""
    from ..models.email_wording import EmailWording

    return {wording.kind: wording for wording in EmailWording.objects.all()}


def render_email(kind, values: dict, wording: dict | None = None) -> tuple[str, str, str]:
    """Editors' wording for ``kind`` if there is some, else its template set.

    ``wording`` is :func:`load_wording`'s answer, when the caller has it already.
    """
    if wording is None:
        wording = load_wording()
    if kind.name in wording:
        return render_wording(wording[kind.name], values)
    return render_templates(kind.name, values)
