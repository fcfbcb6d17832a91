"""A plain Wagtail form page (Wagtail's own form builder, nothing of wagtail_mentoring).

``benchmarks/application_page.py`` serves it beside a mentoring application page with
the same number of fields, as the baseline.
"""

from __future__ import annotations

from django.db import models
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.contrib.forms.models import AbstractForm, AbstractFormField
from wagtail.fields import RichTextField


class BenchmarkFormField(AbstractFormField):
    page = ParentalKey(
        "testapp.BenchmarkFormPage", on_delete=models.CASCADE, related_name="form_fields"
    )


class BenchmarkFormPage(AbstractForm):
    intro = RichTextField(blank=True)
    thank_you_text = RichTextField(blank=True)

    content_panels = [
        *AbstractForm.content_panels,
        FieldPanel("intro"),
        InlinePanel("form_fields", label="Form fields"),
        FieldPanel("thank_you_text"),
    ]

    # Test-only: kept out of the admin's page-type menus so it never changes what the
    # test suite sees there.
    is_creatable = False

    template = "testapp/benchmark_form_page.html"
    landing_page_template = "testapp/benchmark_form_page_landing.html"
