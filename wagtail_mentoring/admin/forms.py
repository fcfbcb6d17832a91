"""Forms of the package's own admin views.

The forms the models name as their ``base_form_class`` (the cycle form and the
application page form) are in ``wagtail_mentoring/models/forms.py``: models import
nothing from the admin.
"""

from __future__ import annotations

import datetime

from django import forms
from django.core.validators import MaxLengthValidator, MaxValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

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


class _PeopleField(forms.ModelMultipleChoiceField):
    """Applications as a checkbox list: the name, and what they told us (``note``)."""

    def __init__(self, *args, note=None, **kwargs):
        self.note = note
        super().__init__(*args, **kwargs)

    def _check_values(self, value):
        from ..inputs import parse_id

        for pk in value:
            if parse_id(str(pk)) is None:
                raise forms.ValidationError(self.error_messages["invalid_id"], code="invalid_id")
        return super()._check_values(value)

    def label_from_instance(self, obj):
        note = self.note(obj) if self.note else ""
        return f"{obj.name} ({note})" if note else obj.name


class RotationForm(forms.Form):
    """The inputs of a conference's speed-mentoring plan, read from the query string.

    Field names are short (``v``, ``p``) because every chosen id is in the address
    of the page and of its downloads.
    """

    v = _PeopleField(
        queryset=None,
        label=_("Volunteers who host a table"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one volunteer."),
            "invalid_choice": _("%(value)s is not a mentor of this cycle; choose from the list."),
            "invalid_pk_value": _("%(pk)s is not a mentor of this cycle; choose from the list."),
            "invalid_id": _("That is not a mentor of this cycle; choose from the list."),
        },
    )
    p = _PeopleField(
        queryset=None,
        label=_("Participants"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one participant."),
            "invalid_choice": _("%(value)s is not a mentee of this cycle; choose from the list."),
            "invalid_pk_value": _("%(pk)s is not a mentee of this cycle; choose from the list."),
            "invalid_id": _("That is not a mentee of this cycle; choose from the list."),
        },
    )
    tables = forms.IntegerField(label=_("Tables"), min_value=1, max_value=1000, initial=4)
    rounds = forms.IntegerField(label=_("Rounds"), min_value=1, initial=4)
    minutes = forms.IntegerField(
        label=_("Minutes per round"), min_value=1, max_value=240, initial=10
    )
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(
        label=_("First round starts at"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        initial=datetime.time(10, 0),
    )

    def __init__(self, cycle, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from ..conf import app_settings
        from ..conference import (
            offered_speed_mentoring,
            participant_candidates,
            signed_up_for_conference,
            volunteer_candidates,
        )

        volunteers = self.fields["v"]
        volunteers.queryset = volunteer_candidates(cycle)
        volunteers.note = lambda a: (
            _("offered speed mentoring") if offered_speed_mentoring(a) else ""
        )
        volunteers.help_text = _(
            "The cycle's mentors; those who offered speed mentoring are ticked to begin with."
        )
        participants = self.fields["p"]
        participants.queryset = participant_candidates(cycle)
        participants.note = lambda a: (
            _("attending the conference") if signed_up_for_conference(a) else ""
        )
        participants.help_text = _(
            "The cycle's mentees; those who said they attend the conference are ticked to "
            "begin with."
        )
        if not self.is_bound:
            volunteers.initial = [a.pk for a in volunteers.queryset if offered_speed_mentoring(a)]
            participants.initial = [
                a.pk for a in participants.queryset if signed_up_for_conference(a)
            ]
        rounds = self.fields["rounds"]
        rounds.max_value = app_settings.ROTATION_MAX_ROUNDS
        rounds.validators.append(MaxValueValidator(rounds.max_value))
        rounds.widget.attrs["max"] = str(rounds.max_value)
        self.fields["day"].initial = cycle.conference_date or timezone.localdate()

    def clean_day(self):
        day = self.cleaned_data["day"]
        if abs((day - timezone.localdate()).days) > 3660:
            raise forms.ValidationError(_("Choose a day within ten years of today."))
        return day

    def clean(self):
        data = super().clean()
        tables, volunteers, participants = (data.get(k) for k in ("tables", "v", "p"))
        if tables and volunteers is not None and tables > len(volunteers):
            self.add_error(
                "tables",
                ngettext(
                    "There are more tables than volunteers: choose at most %(n)s table or "
                    "more volunteers.",
                    "There are more tables than volunteers: choose at most %(n)s tables or "
                    "more volunteers.",
                    len(volunteers),
                )
                % {"n": len(volunteers)},
            )
        elif tables and participants is not None and tables > len(participants):
            self.add_error(
                "tables",
                ngettext(
                    "There are more tables than participants: choose at most %(n)s table.",
                    "There are more tables than participants: choose at most %(n)s tables.",
                    len(participants),
                )
                % {"n": len(participants)},
            )
        return data

    def starts_at(self) -> datetime.datetime:
        """The first round's start, in the site's time zone."""
        moment = datetime.datetime.combine(self.cleaned_data["day"], self.cleaned_data["start"])
        return timezone.make_aware(moment)
