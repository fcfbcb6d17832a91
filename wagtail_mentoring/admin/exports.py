"""Spreadsheet exports that a spreadsheet program cannot mistake for formulas."""

from __future__ import annotations

from collections import OrderedDict

from django.contrib.admin.utils import label_for_field, lookup_spawns_duplicates
from django.utils.encoding import force_str
from django.utils.text import capfirst

from .listing import CheckedIndexView

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value):
    """Prefix a quote to text a spreadsheet would run as a formula (OWASP CSV injection)."""
    # A lone "-" is the admin's empty-value placeholder, not a formula.
    if isinstance(value, str) and value != "-" and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeExportIndexView(CheckedIndexView):
    """Index view whose CSV export escapes formulas (XLSX cells are written as text).

    Each cell is the value as the list and inspect page show it (the modeladmin's
    ``display_value``: labels, Yes/No, local dates and times), under the field's
    verbose name with only its first letter capitalised.

    It also asks for ``DISTINCT`` only when a filter in use can repeat rows:
    modeladmin asks for it whenever any list filter could (a many-to-many such as
    topics), which makes every page of a large list much slower.
    """

    def get_filters(self, request):
        specs, has_filters, params, use_distinct = super().get_filters(request)
        if use_distinct:
            used = [
                spec.field_path
                for spec in specs
                if getattr(spec, "field_path", None) and getattr(spec, "used_parameters", None)
            ]
            use_distinct = any(lookup_spawns_duplicates(self.opts, path) for path in used)
        return specs, has_filters, params, use_distinct

    def get_heading(self, queryset, field):
        # The modeladmin class's ``export_headings`` (the view's own otherwise).
        headings = {**self.export_headings, **getattr(self.model_admin, "export_headings", {})}
        heading = headings.get(field)
        if heading:
            return force_str(heading)
        return capfirst(
            force_str(label_for_field(field, model=self.model, model_admin=self.model_admin))
        )

    def to_row_dict(self, item):
        return OrderedDict(
            (field, self.model_admin.display_value(item, field)) for field in self.list_export
        )

    def write_csv_row(self, writer, row_dict):
        return writer.writerow(
            {
                field: neutralise_formula(
                    self.preprocess_field_value(field, value, self.FORMAT_CSV)
                )
                for field, value in row_dict.items()
            }
        )
