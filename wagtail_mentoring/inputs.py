"""Reading what people send: strict ids, answers without NUL bytes and within a length.

Every id the package reads from a request goes through :func:`parse_id`; every answer
to an editor's question (application pages and survey pages) is built by
:class:`AnswerFormBuilder`, which caps free text at
``WAGTAIL_MENTORING_MAX_ANSWER_LENGTH`` characters and says so next to the field.
This module imports no models, so models, forms and views can all use it.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from wagtail.contrib.forms.forms import FormBuilder

from .conf import app_settings

#: The largest value of a 64-bit signed integer column (``BigAutoField``).
MAX_ID = 2**63 - 1
_MAX_ID_DIGITS = len(str(MAX_ID))
#: Longest URL an answer may give (the limit most browsers and servers share).
MAX_URL_LENGTH = 2048
#: Most digits a number answer may have.
MAX_NUMBER_DIGITS = 30


def parse_id(value) -> int | None:
    """``value`` as a row id, or ``None`` unless it is ASCII digits within the bigint range.

    ``"12"`` gives ``12``; ``"abc"``, ``"1.5"``, ``"-1"``, ``" 1"``, ``"²"``, ``"٣"``,
    ``"1\\x00"`` and ``"99999999999999999999"`` give ``None``: Python's ``int()`` and
    ``str.isdigit()`` accept some of these, and a database refuses the others.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= MAX_ID else None
    if not isinstance(value, str) or not value or len(value) > _MAX_ID_DIGITS:
        return None
    if not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if number <= MAX_ID else None


def parse_ids(values) -> list[int]:
    """The valid ids among ``values`` (see :func:`parse_id`), in order, without repeats."""
    ids = []
    for value in values:
        number = parse_id(value)
        if number is not None and number not in ids:
            ids.append(number)
    return ids


def max_answer_length() -> int:
    """``WAGTAIL_MENTORING_MAX_ANSWER_LENGTH``, read now."""
    return app_settings.MAX_ANSWER_LENGTH


def length_help_text(limit: int) -> str:
    """ "At most 5,000 characters." in the reader's language."""
    return _("At most %(limit)s characters.") % {"limit": number_format(limit, force_grouping=True)}


def json_ready(value):
    """An answer as JSON can store it: dates as ISO text, decimals as exact text."""
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [str(item) for item in value]
    return value


def with_length_help(field: forms.Field, limit: int) -> forms.Field:
    """Add "At most N characters." to a field's help text."""
    note = escape(length_help_text(limit))
    text = conditional_escape(field.help_text) if field.help_text else ""
    field.help_text = mark_safe(f"{text} {note}" if text else note)
    return field


def mark_required(fields) -> None:
    """Give every required single control of ``fields`` ``aria-required``, as well as ``required``.

    Groups of radio buttons are marked on their fieldset (``role="radiogroup"``) by
    the templates; a required group of tick-boxes has no single required box.
    """
    groups = (forms.RadioSelect, forms.CheckboxSelectMultiple)
    for field in fields.values():
        widget = field.widget
        if field.required and not widget.is_hidden and not isinstance(widget, groups):
            widget.attrs["aria-required"] = "true"


class AnswerFormBuilder(FormBuilder):
    """Wagtail's form builder with every answer bounded.

    Multi-line and hidden answers are capped at ``WAGTAIL_MENTORING_MAX_ANSWER_LENGTH``
    (single-line ones keep Wagtail's 255), URLs at 2,048 characters and numbers at 30
    digits. Wagtail's text fields already refuse NUL bytes.
    """

    def create_multiline_field(self, field, options):
        limit = options["max_length"] = max_answer_length()
        return with_length_help(super().create_multiline_field(field, options), limit)

    def create_hidden_field(self, field, options):
        options["max_length"] = max_answer_length()
        return super().create_hidden_field(field, options)

    def create_url_field(self, field, options):
        options["max_length"] = MAX_URL_LENGTH
        return super().create_url_field(field, options)

    def create_number_field(self, field, options):
        options["max_digits"] = MAX_NUMBER_DIGITS
        return super().create_number_field(field, options)


class IdModelChoiceField(forms.ModelChoiceField):
    """A ``ModelChoiceField`` that refuses anything but an id before it queries.

    Django's own passes ``"99999999999999999999"`` to the database, and SQLite
    raises an error for a number that does not fit in a 64-bit integer.
    """

    def to_python(self, value):
        if value in self.empty_values or isinstance(value, self.queryset.model):
            return super().to_python(value)
        if self.to_field_name is None and parse_id(str(value)) is None:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": str(value)[:50]},
            )
        return super().to_python(value)
