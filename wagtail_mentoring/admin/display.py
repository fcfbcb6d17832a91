"""How the committee's admin shows a value: its human label, never its stored code.

One helper for every place a person reads a row: the list's columns and filters, the
inspect page and the spreadsheet exports. A field with ``choices`` shows its label; a
field whose choices come from a setting or a registry (sectors, regions, email kinds,
whose stored codes are not fixed in the migrations) names them in the modeladmin's
``field_choices``; booleans read "Yes"/"No"; dates and times are shown in the site's
time zone and the active locale's format.
"""

from __future__ import annotations

import datetime

from django.contrib.admin import AllValuesFieldListFilter
from django.contrib.admin.utils import lookup_field
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext as _


def format_when(value):
    """A date or a time of day in the active locale's format (local time, no microseconds)."""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return formats.date_format(value, "DATETIME_FORMAT")
    return formats.date_format(value, "DATE_FORMAT")


def yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


class LabelledValuesFilter(AllValuesFieldListFilter):
    """Django's filter by the values in use, each shown as its label (``field_choices``)."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.labels = model_admin.choices_for(field_path) or {}

    def choices(self, changelist):
        for choice in super().choices(changelist):
            value = choice["display"]
            if isinstance(value, str) and value in self.labels:
                choice = {**choice, "display": self.labels[value]}
            yield choice


def labelled_column(model_admin, name: str):
    """A list column showing field ``name`` as its label, sortable by the field."""

    def column(obj):
        return model_admin.display_value(obj, name)

    field = model_admin.model._meta.get_field(name)
    column.short_description = field.verbose_name
    column.admin_order_field = name
    return column


class LabelsMixin:
    """For a modeladmin class: every value a person reads is its human label.

    ``field_choices`` maps a field name to ``(value, label)`` pairs, or to a callable
    returning them (read at each request, so a changed setting shows at once), for
    fields that store a code without declaring ``choices``.
    """

    field_choices: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A list column for each such field, named ``<field>_label`` (a name that is
        # no model field, so the list asks this class for the value).
        for name in self.field_choices:
            setattr(self, f"{name}_label", labelled_column(self, name))

    def choices_for(self, name: str) -> dict | None:
        choices = self.field_choices.get(name)
        if choices is not None:
            return {
                str(value): label for value, label in (choices() if callable(choices) else choices)
            }
        try:
            field = self.model._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        if getattr(field, "flatchoices", None):
            return {str(value): label for value, label in field.flatchoices}
        return None

    def display_value(self, obj, name: str):
        """The value of ``name`` (a field, property or method) as a person reads it."""
        _field, _attr, value = lookup_field(name, obj, self)
        if isinstance(value, models.Manager):
            return ", ".join(str(item) for item in value.all())
        labels = self.choices_for(name)
        if labels and isinstance(value, str) and value in labels:
            return str(labels[value])
        if isinstance(value, (list, tuple)):  # several choices, such as activities
            if not value:
                return self.get_empty_value_display(name)
            return ", ".join(str((labels or {}).get(str(item), item)) for item in value)
        if isinstance(value, bool):
            return yes_no(value)
        if isinstance(value, (datetime.date, datetime.datetime)):
            return format_when(value)
        if value is None or value == "":
            return self.get_empty_value_display(name)
        return value

    def get_list_display(self, request):
        return tuple(
            f"{name}_label" if isinstance(name, str) and name in self.field_choices else name
            for name in super().get_list_display(request)
        )

    def get_list_filter(self, request):
        return tuple(
            (name, LabelledValuesFilter)
            if isinstance(name, str) and name in self.field_choices
            else name
            for name in super().get_list_filter(request)
        )
