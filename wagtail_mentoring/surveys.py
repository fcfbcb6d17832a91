"""Survey answers: storing one person's answers, and what a flagging answer changes."""

from __future__ import annotations

from django.db import transaction

from .inputs import json_ready
from .matching import lifecycle
from .models.matches import FlagCause
from .models.surveys import SurveyResponse


def save_response(page, form, match, survey_round, role: str) -> SurveyResponse:
    """Store the answers (keyed by question) and flag the match on a flagging answer."""
    answers, flags = {}, []
    for field in page.get_form_fields():
        value = form.cleaned_data.get(field.clean_name)
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        value = json_ready(value)
        answers[field.clean_name] = {"label": field.label, "type": field.field_type, "value": value}
        if field.flag_answer and str(value).strip().lower() == field.flag_answer.strip().lower():
            flags.append(f"{field.label}: {value}")
    application = match.mentor if role == "mentor" else match.mentee
    with transaction.atomic():
        response = SurveyResponse.objects.create(
            match=match,
            round=survey_round,
            role=role,
            respondent_id=application.user_id,
            answers=answers,
        )
        if flags:
            lifecycle.flag(match, cause=FlagCause.SURVEY, role=role, answers="; ".join(flags))
    return response
