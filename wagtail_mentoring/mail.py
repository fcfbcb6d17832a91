"""Render and send the programme's email from template sets.

Each message is a template set under ``wagtail_mentoring/email/``:
``<name>_subject.txt``, ``<name>.txt`` and ``<name>.html``, sent with Django's
``EmailMultiAlternatives`` so that any email backend (django-anymail's included)
delivers it. Sites override any of the templates.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from .conf import app_settings

TEMPLATE_DIR = "wagtail_mentoring/email"


def render_email(name: str, context: dict) -> tuple[str, str, str]:
    """Return (subject, text body, HTML body) of the template set ``name``."""
    subject = render_to_string(f"{TEMPLATE_DIR}/{name}_subject.txt", context)
    subject = " ".join(subject.split())  # one line: headers cannot hold newlines
    text = render_to_string(f"{TEMPLATE_DIR}/{name}.txt", context)
    html = render_to_string(f"{TEMPLATE_DIR}/{name}.html", context)
    return subject, text, html


def send_templated_email(
    name: str, context: dict, to: Sequence[str], reply_to: Sequence[str] | None = None
) -> int:
    """Render the template set ``name`` and send it to ``to``; returns the number sent."""
    subject, text, html = render_email(name, context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=app_settings.FROM_EMAIL,
        to=list(to),
        reply_to=list(reply_to) if reply_to else None,
    )
    message.attach_alternative(html, "text/html")
    return message.send()
