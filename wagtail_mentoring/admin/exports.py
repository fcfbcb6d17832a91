"""Spreadsheet exports that a spreadsheet program cannot mistake for formulas."""

from __future__ import annotations

from wagtail_modeladmin.views import IndexView

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value):
    """Prefix a quote to text a spreadsheet would run as a formula (OWASP CSV injection)."""
    # A lone "-" is the admin's empty-value placeholder, not a formula.
    if isinstance(value, str) and value != "-" and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeExportIndexView(IndexView):
    """Index view whose CSV export escapes formulas (XLSX cells are written as text)."""

    def write_csv_row(self, writer, row_dict):
        return writer.writerow(
            {
                field: neutralise_formula(
                    self.preprocess_field_value(field, value, self.FORMAT_CSV)
                )
                for field, value in row_dict.items()
            }
        )
