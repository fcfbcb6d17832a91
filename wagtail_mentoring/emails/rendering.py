"""Turn an email kind and its placeholder values into a subject, a text and an HTML part.

Wording comes from editors (an :class:`~wagtail_mentoring.models.EmailWording` for the
kind) when there is one, else from the kind's template set, which sites can override
like any template. Editors' placeholders are replaced by plain substitution, never by
the template engine, so wording cannot reach anything but the documented values.

The subject and the text part are plain text: their templates are rendered with
autoescaping off (whatever the template says), so "O'Brien" and "Tom & Jerry" arrive
as written. Only the HTML part is escaped.

Each email is rendered in its recipient's language (:func:`email_language`): a member's
in the language they applied in, the committee's in the site's ``LANGUAGE_CODE``.
Editors' wording has one version, in the site's language; a member who reads another
language gets the kind's template set, translated by the package's catalogs.

Checking and substituting placeholders is :mod:`wagtail_mentoring.emails.wording`'s
(it imports no models); its functions are importable from here too.
"""

from __future__ import annotations

from django.template import Context
from django.template.base import Template as DjangoTemplate
from django.template.loader import get_template, render_to_string
from django.utils import translation

from ..languages import normalise_language, same_language, site_language
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
    "email_language",
    "load_wording",
    "one_line",
    "render_email",
    "render_outbox_email",
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


def render_email(
    kind, values: dict, wording: dict | None = None, language: str | None = None
) -> tuple[str, str, str]:
    """Editors' wording for ``kind`` if there is some, else its template set.

    ``wording`` is :func:`load_wording`'s answer, when the caller has it already.
    Editors' wording is in the site's language: for a ``language`` other than that,
    the (translated) template set is used.
    """
    if wording is None:
        wording = load_wording()
    in_site_language = language is None or same_language(language, site_language())
    if kind.name in wording and in_site_language:
        return render_wording(wording[kind.name], values)
    return render_templates(kind.name, values)


def email_language(kind, email) -> str:
    """The language an outbox row is written in: its member recipient's, else the
    site's ``LANGUAGE_CODE`` (committee and coordinator emails)."""
    code = kind.language(email) if kind.language is not None else ""
    return normalise_language(code)


def render_outbox_email(kind, email, wording: dict | None = None) -> tuple[dict, str, str, str]:
    """(values, subject, text, HTML) of an outbox row, built and rendered in its
    recipient's language (dates, labels and links included)."""
    language = email_language(kind, email)
    with translation.override(language):
        values = kind.build(email)
        subject, text, html = render_email(kind, values, wording, language)
        if values.get("pause_url"):
            text, html = with_pause_link(text, html, values["pause_url"])
    return values, subject, text, html


def with_pause_link(text: str, html: str, url: str) -> tuple[str, str]:
    """Every email to a mentor ends with "I can't take on anyone now" (whether its
    wording is the template set's or editors'), in the active language."""
    footer = render_to_string(f"{TEMPLATE_DIR}/_pause.html", {"pause_url": url})
    text = (
        text.rstrip("\n") + "\n\n" + render_plain(f"{TEMPLATE_DIR}/_pause.txt", {"pause_url": url})
    )
    if "</body>" in html:
        head, _sep, tail = html.rpartition("</body>")
        html = f"{head}{footer}</body>{tail}"
    else:
        html += footer
    return text, html
