"""Forms of the package's own admin views.

The forms the models name as their ``base_form_class`` (the cycle form and the
application page form) are in ``wagtail_mentoring/models/forms.py``: models import
nothing from the admin.
"""

from __future__ import annotations

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from ..inputs import with_length_help


class EndMatchForm(forms.Form):
    """Why a match ends early: required, at most the model's 1,000 characters, no NUL;
    and where both applications go then (back in the pool, or closed)."""

    def clean_then(self):
        from ..models.matches import AfterEnd

        return self.cleaned_data.get("then") or AfterEnd.POOL

    reason = forms.CharField(
        label=_("Why does it end early?"),
        error_messages={"required": _("Say why the match ends early.")},
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60, "aria-describedby": "id_reason_help"}),
    )
    #: Where both applications go; shown with "back in the pool" chosen, which is also
    #: what a request that leaves it out gets.
    then = forms.ChoiceField(
        label=_("And then both applications are"),
        choices=(),
        required=False,
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": _("Choose whether both go back to the pool or are closed.")
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from ..models.matches import AfterEnd, Match

        self.fields["then"].choices = AfterEnd.choices
        self.fields["then"].initial = AfterEnd.POOL
        limit = Match._meta.get_field("end_reason").max_length
        field = self.fields["reason"]
        field.max_length = limit
        field.validators.append(MaxLengthValidator(limit))
        field.widget.attrs["maxlength"] = str(limit)
        field.help_text = _(
            "Kept in the match's timeline for the committee; both people are told that "
            "the match ended, without the reason."
        )
        with_length_help(field, limit)
