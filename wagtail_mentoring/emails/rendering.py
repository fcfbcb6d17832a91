"""Turn an email kind and its placeholder values into a subject, a text and an HTML part.

Wording comes from editors (an :class:`~wagtail_mentoring.models.EmailWording` for the
kind) when there is one, else from the kind's template set, which sites can override
like any template. Editors' placeholders are replaced by plain substitution, never by
the template engine, so wording cannot reach anything but the documented values.

The subject and the text part are plain text: their templates are rendered with
autoescaping off (whatever the template says), so "O'Brien" and "Tom & Jerry" arrive
as written. Only the HTML part is escaped.
"""

from __future__ import annotations

import re

from django.template import Context
from django.template.base import Template as DjangoTemplate
from django.template.loader import get_template, render_to_string
from django.utils.html import escape
from django.utils.translation import gettext as _

TEMPLATE_DIR = "wagtail_mentoring/email"
PLACEHOLDER = re.compile(r"\{\{\s*(.*?)\s*\}\}")


def _braced(name: str) -> str:
    return "{{ " + name + " }}"


def check_placeholders(text: str, kind) -> str | None:
    """What is wrong with the placeholders in ``text`` for ``kind``, or ``None``."""
    offered = ", ".join(_braced(name) for name in kind.placeholders)
    if "{%" in text:
        return _("Template tags such as {%% … %%} cannot be used here; use placeholders: %s.") % (
            offered
        )
    unknown = [name for name in PLACEHOLDER.findall(text) if name not in kind.placeholders]
    if unknown:
        return _("Unknown placeholder %(unknown)s. This email offers: %(offered)s.") % {
            "unknown": ", ".join(_braced(name) for name in dict.fromkeys(unknown)),
            "offered": offered,
        }
    rest = PLACEHOLDER.sub("", text)
    if "{{" in rest or "}}" in rest:
        return _("A placeholder is not closed: write it as {{ name }}.")
    return None


def substitute(text: str, values: dict) -> str:
    return PLACEHOLDER.sub(lambda found: str(values.get(found.group(1), "")), text)


def one_line(subject: str) -> str:
    """Headers cannot hold newlines."""
    return " ".join(subject.split())


def render_wording(wording, values: dict) -> tuple[str, str, str]:
    """(subject, text, HTML) from editors' wording."""
    subject = one_line(substitute(wording.subject, values))
    text = substitute(wording.body, values).replace("\r\n", "\n").strip() + "\n"
    paragraphs = [
        escape(paragraph).replace("\n", "<br>\n")
        for paragraph in re.split(r"\n\s*\n", text.strip())
        if paragraph.strip()
    ]
    html = render_to_string(
        f"{TEMPLATE_DIR}/wording.html", {"subject": subject, "paragraphs": paragraphs}
    )
    return subject, text, html


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
