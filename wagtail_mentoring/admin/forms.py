from __future__ import annotations

from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.widgets import AdminPageChooser
from wagtail.models import Page, get_page_models


def program_page_models() -> list[type[Page]]:
    """Every concrete page model built on ``AbstractMentoringProgramPage``."""
    from ..models.pages import AbstractMentoringProgramPage

    return [
        model
        for model in get_page_models()
        if issubclass(model, AbstractMentoringProgramPage) and not model._meta.abstract
    ]


class CycleForm(WagtailAdminModelForm):
    """Cycle form whose programme page chooser offers only programme pages."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("program_page")
        if field is not None:
            models = program_page_models()
            field.queryset = Page.objects.type(*models)
            field.widget = AdminPageChooser(target_models=models)
