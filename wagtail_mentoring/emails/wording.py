"""Editors' wording of an email: placeholders checked and replaced, the HTML part built.

Plain text in, plain text out; this module imports no models, so the
:class:`~wagtail_mentoring.models.EmailWording` model (which checks and previews its
wording here) and :mod:`wagtail_mentoring.emails.rendering` (which loads wording from
the database) both use it.
"""

from __future__ import annotations

import re

from django.template.loader import render_to_string
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
