"""The emails of the consent step: the invitation and its reminder.

Each goes to one person of an approved match whose cycle asks for consent, with the
other person's profile (career stage, topics, goals, region, meeting preference; no
contact details) and two personal links, "Yes, introduce us" and "Not this time".
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ..i18n import in_locale_of
from .kinds import (
    _MATCH_PLACEHOLDERS,
    _SAMPLE_MATCH,
    MATCH_RELATED,
    EmailKind,
    _batch_memo,
    _match_key,
    _match_values,
    _pair,
    _sample,
    _topics,
    program_route_url,
    recipient_language,
    registry,
)


def consent_link(match, role: str, answer: str, page) -> str:
    from ..invitations import consent_token

    return program_route_url(page, "consent", t=consent_token(match, role), answer=answer)


def build_invitation(email) -> dict:
    from ..models.cycles import ConsentMode

    own, partner = _pair(email)
    match = email.match
    role = email.context.get("role", "mentor")
    page = in_locale_of(match.cycle.program_page, own.page)
    values = _match_values(email)
    values.update(
        {
            "partner_career_stage": str(partner.get_career_stage_display()),
            "partner_topics": _topics(partner),
            "partner_goals": partner.goals,
            "partner_region": partner.region_label,
            "partner_meeting": str(partner.get_meeting_preference_display()),
            "answer_by": _batch_memo(
                email, ("due", match.consent_due), lambda: _due_words(match.consent_due)
            ),
            "yes_url": consent_link(match, role, "yes", page),
            "no_url": consent_link(match, role, "no", page),
            "both_asked": match.consent_from == ConsentMode.BOTH,
            "commitment_months": str(match.cycle.commitment_months),
        }
    )
    return values


def _due_words(when) -> str:
    from django.utils import formats, timezone

    return formats.date_format(timezone.localtime(when), "DATETIME_FORMAT") if when else ""


_PLACEHOLDERS = {
    **_MATCH_PLACEHOLDERS,
    "partner_career_stage": _("The other person's career stage"),
    "partner_topics": _("The other person's topics, separated by commas"),
    "partner_goals": _("The other person's goals, as written in the application"),
    "partner_region": _("The other person's region"),
    "partner_meeting": _("How the other person prefers to meet"),
    "answer_by": _("The moment by which to answer; no answer by then counts as a no"),
    "yes_url": _('The recipient\'s personal "Yes, introduce us" link'),
    "no_url": _('The recipient\'s personal "Not this time" link'),
    "commitment_months": _("The commitment length in months"),
}
_SAMPLE = _sample(
    {**_SAMPLE_MATCH, "name": "Ben Hughes", "role": "mentor", "partner_name": "Amara Okafor"},
    partner_role="mentee",
    partner_career_stage="New professional",
    partner_topics="Cataloguing, Leadership",
    partner_goals="Learn how to lead a small team.",
    partner_region="North",
    partner_meeting="Either",
    answer_by="9 April 2027, 10:00",
    yes_url="https://example.org/mentoring/consent/?t=sample&answer=yes",
    no_url="https://example.org/mentoring/consent/?t=sample&answer=no",
    commitment_months="6",
)


def invitation_closed(email) -> str:
    """An invitation (or its reminder) still queued when its match stopped awaiting
    consent, or when its person has answered, is not sent."""
    from ..models.matches import MatchStatus

    match = email.match
    if match is None or match.status != MatchStatus.AWAITING:
        return "Not sent: the invitation closed before it went out."
    if email.kind == "consent_reminder" and match.answer_of(email.context.get("role", "")):
        return "Not sent: answered before the reminder went out."
    return ""


_RELATED = (*MATCH_RELATED, "match__mentor__topics", "match__mentee__topics")

CONSENT_REQUEST = registry.register(
    EmailKind(
        name="consent_request",
        label=_("Invitation to a match (to the person whose yes is asked)"),
        description=_(
            "When the committee approves a match in a cycle that asks for consent: the "
            "other person's profile, without contact details, and yes/no links. The "
            "introduction goes out when everyone asked has said yes."
        ),
        placeholders=_PLACEHOLDERS,
        build=build_invitation,
        related=_RELATED,
        language=recipient_language,
        key=_match_key("consent"),
        stale=invitation_closed,
        sample=_SAMPLE,
    )
)

CONSENT_REMINDER = registry.register(
    EmailKind(
        name="consent_reminder",
        label=_("Invitation reminder (to a person who has not answered)"),
        description=_(
            "Reminds a person who has not answered an invitation, the cycle's reminder "
            "days after it went out."
        ),
        placeholders=_PLACEHOLDERS,
        build=build_invitation,
        related=_RELATED,
        language=recipient_language,
        key=_match_key("consent-reminder"),
        stale=invitation_closed,
        sample=_SAMPLE,
    )
)
