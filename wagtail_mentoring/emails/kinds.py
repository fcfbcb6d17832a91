"""Every kind of email the programme sends, in one registry.

A kind names its template set (``wagtail_mentoring/email/<name>_subject.txt``,
``<name>.txt`` and ``<name>.html``), the placeholders its wording may use, how to
compute them for one outbox row, and sample values for previews. Features register
their own kinds with :meth:`EmailKindRegistry.register`; sites may register more.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from datetime import date
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext_lazy as _

from ..i18n import in_locale_of
from .links import absolute_url, page_url


@dataclasses.dataclass(frozen=True)
class EmailKind:
    name: str
    label: str
    description: str
    #: placeholder name -> what it holds (shown to editors)
    placeholders: Mapping[str, str]
    #: outbox row -> placeholder values (strings), plus any objects templates may use
    build: Callable[[object], dict]
    #: placeholder values for the preview
    sample: Callable[[], dict]
    #: ``select_related`` paths from the outbox row that ``build`` reads
    related: tuple[str, ...] = ()
    #: the idempotency key of one email of this kind, from what it is about (for the
    #: match emails: ``key(match, role)``); one key, one email, however often queued
    key: Callable[..., str] | None = None
    #: outbox row -> the recipient's language code (a member's, stored on their
    #: application); ``None`` for emails to the committee or the coordinator, which
    #: are written in the site's ``LANGUAGE_CODE``
    language: Callable[[object], str] | None = None
    #: outbox row -> why it must no longer go out (checked just before sending), or
    #: ``""``; for emails that only make sense while their match is in some state
    stale: Callable[[object], str] | None = None


class EmailKindRegistry:
    def __init__(self):
        self._kinds: dict[str, EmailKind] = {}

    def register(self, kind: EmailKind) -> EmailKind:
        if kind.name in self._kinds and self._kinds[kind.name] is not kind:
            raise ValueError(f"An email kind named {kind.name!r} is already registered.")
        self._kinds[kind.name] = kind
        return kind

    def get(self, name: str) -> EmailKind | None:
        return self._kinds.get(name)

    def __getitem__(self, name: str) -> EmailKind:
        try:
            return self._kinds[name]
        except KeyError:
            known = ", ".join(sorted(self._kinds))
            raise LookupError(f"No email kind {name!r}; registered kinds: {known}.") from None

    def all(self) -> list[EmailKind]:
        return list(self._kinds.values())


registry = EmailKindRegistry()


def format_date(value: date | None) -> str:
    return formats.date_format(value, "DATE_FORMAT") if value else ""


# -- links -------------------------------------------------------------------------------


def my_mentoring_url(program_page) -> str:
    """The absolute URL of a programme's "My mentoring" page (see :mod:`.links`)."""
    if program_page is None:
        return ""
    program = program_page.specific_deferred
    reverse_subpage = getattr(program, "reverse_subpage", None)
    if reverse_subpage is None:
        return ""
    return page_url(program, reverse_subpage("my_mentoring"))


def program_route_url(program_page, route: str, **query) -> str:
    """The absolute URL of one of a programme page's own routes (``"consent"``,
    ``"pause"``, …), with ``query`` as its query string; ``""`` when not routable."""
    if program_page is None:
        return ""
    program = program_page.specific_deferred
    reverse_subpage = getattr(program, "reverse_subpage", None)
    if reverse_subpage is None:
        return ""
    url = page_url(program, reverse_subpage(route))
    return f"{url}?{urlencode(query)}" if url and query else url


def pause_url(email, application) -> str:
    """A mentor's "I can't take on anyone now" link, on their programme's page."""
    from ..invitations import pause_token

    if application.role != "mentor":
        return ""
    page = in_locale_of(application.cycle.program_page, application.page)
    return program_route_url(page, "pause", t=pause_token(application))


def application_url(application) -> str:
    """The absolute URL of the page where the member sees, changes or withdraws
    ``application``: the page it was made on, else its programme's page for its role."""
    page = application.page
    if page is None:
        program = application.cycle.program_page.specific_deferred
        pages = getattr(program, "get_application_pages", dict)()
        page = pages.get(application.role)
    return page_url(page)


def application_admin_url(application) -> str:
    """The absolute URL of ``application`` in the committee's admin."""
    path = reverse("wagtail_mentoring_application_modeladmin_inspect", args=[application.pk])
    return absolute_url(path)


def _program_link(email, program_page, application) -> str:
    """The "My mentoring" link for ``application``'s member: on the programme page in
    the locale of the page they applied on, where it is translated."""
    page = in_locale_of(program_page, application.page)
    return _batch_memo(email, ("my_mentoring", page.pk), lambda: my_mentoring_url(page))


# -- the values behind the placeholders ----------------------------------------------------


def _application_values(application) -> dict:
    cycle = application.cycle
    return {
        "name": application.name,
        "role": str(application.get_role_display()).lower(),
        "cycle": cycle.name,
        "matching_deadline": format_date(cycle.matching_deadline),
        "application": application,
        "cycle_object": cycle,
    }


def _member_application_values(email) -> dict:
    """An application kind sent to the applicant: with their links."""
    application = email.application
    values = _application_values(application)
    values["my_mentoring_url"] = _program_link(email, application.cycle.program_page, application)
    values["application_url"] = application_url(application)
    values["pause_url"] = pause_url(email, application)
    return values


def _coordinator_values(email) -> dict:
    """An application kind sent to the coordinator: the applicant's details and links."""
    application = email.application
    values = _application_values(application)
    values.update(
        {
            "email": application.contact_email,
            "career_stage": str(application.get_career_stage_display()),
            "topics": _topics(application),
            "admin_url": application_admin_url(application),
            "reply_to": application.contact_email,
        }
    )
    return values


def _topics(application) -> str:
    return ", ".join(topic.name for topic in application.topics.all())


def _pair(email):
    """(recipient's application, partner's application) of a match email."""
    match = email.match
    if email.context.get("role") == "mentor":
        return match.mentor, match.mentee
    return match.mentee, match.mentor


def applicant_language(email) -> str:
    """The language of the applicant an application email is sent to."""
    return email.application.language


def recipient_language(email) -> str:
    """The language of the person of the pair a match email is sent to."""
    own, _partner = _pair(email)
    return own.language


def build_application_received(email) -> dict:
    return _member_application_values(email)


def build_new_application(email) -> dict:
    return _coordinator_values(email)


def build_application_withdrawn(email) -> dict:
    values = _member_application_values(email)
    values["reason"] = email.application.withdrawal_reason
    return values


def build_withdrawal_notice(email) -> dict:
    values = _coordinator_values(email)
    values["reason"] = email.application.withdrawal_reason
    return values


def _batch_memo(email, key, make: Callable[[], str]) -> str:
    """``make()``, kept in the sending batch's cache (dates and labels repeat a lot),
    once per language (a batch holds emails in several)."""
    cache = getattr(email, "batch_cache", None)
    if cache is None:
        return make()
    key = (translation.get_language(), key)
    if key not in cache:
        cache[key] = make()
    return cache[key]


def _role_label(email, application) -> str:
    return _batch_memo(
        email, ("role", application.role), lambda: str(application.get_role_display()).lower()
    )


def _date_label(email, value: date | None) -> str:
    return _batch_memo(email, ("date", value), lambda: format_date(value))


def _match_values(email) -> dict:
    own, partner = _pair(email)
    match = email.match
    return {
        "name": own.name,
        "role": _role_label(email, own),
        "partner_name": partner.name,
        "partner_role": _role_label(email, partner),
        "cycle": match.cycle.name,
        "start_date": _date_label(email, match.start_date),
        "end_date": _date_label(email, match.end_date),
        "my_mentoring_url": _program_link(email, match.cycle.program_page, own),
        "pause_url": pause_url(email, own),
        "match": match,
        "cycle_object": match.cycle,
    }


def build_match_introduction(email) -> dict:
    own, partner = _pair(email)
    values = _match_values(email)
    cycle = email.match.cycle
    values.update(
        {
            "partner_email": partner.contact_email,
            "partner_goals": partner.goals,
            "partner_topics": _topics(partner),
            "commitment_months": str(cycle.commitment_months),
            "conference_date": format_date(cycle.conference_date),
            # The mentee makes the first contact, as in most programmes.
            "first_contact_name": (partner if own.role == "mentor" else own).name,
            "writes_first": own.role != "mentor",
        }
    )
    return values


def build_match_ended(email) -> dict:
    return _match_values(email)


def _match_key(what: str) -> Callable[[object, str], str]:
    def key(match, role: str) -> str:
        return f"match-{match.pk}-{what}-{role}"

    key.__doc__ = f'"match-<pk>-{what}-<role>": one per person of the pair.'
    return key


# -- samples for previews ------------------------------------------------------------------

_SAMPLE_APPLICATION = {
    "name": "Amara Okafor",
    "role": "mentee",
    "cycle": "2027 cycle",
    "matching_deadline": "15 March 2027",
}
_SAMPLE_MY_MENTORING = "https://example.org/mentoring/my/"
_SAMPLE_MEMBER_LINKS = {
    "my_mentoring_url": _SAMPLE_MY_MENTORING,
    "application_url": "https://example.org/mentoring/apply-mentee/",
}
_SAMPLE_COORDINATOR = {
    "email": "amara@example.org",
    "career_stage": "New professional",
    "topics": "Cataloguing, Leadership",
    "admin_url": "https://example.org/admin/wagtail_mentoring/application/inspect/1/",
}

_SAMPLE_MATCH = {
    "name": "Amara Okafor",
    "role": "mentee",
    "partner_name": "Ben Hughes",
    "partner_role": "mentor",
    "cycle": "2027 cycle",
    "start_date": "1 April 2027",
    "end_date": "30 September 2027",
    "my_mentoring_url": _SAMPLE_MY_MENTORING,
}


def _sample(*parts: dict, **extra) -> Callable[[], dict]:
    def sample():
        values = {}
        for part in parts:
            values.update(part)
        values.update(extra)
        return values

    return sample


_APPLICATION_PLACEHOLDERS = {
    "name": _("The applicant's name"),
    "role": _('"mentor" or "mentee"'),
    "cycle": _("The cycle's name"),
    "matching_deadline": _("The date the committee aims to match everyone by (may be empty)"),
}

_MY_MENTORING_PLACEHOLDER = {
    "my_mentoring_url": _(
        'The link to the member\'s "My mentoring" page, where they see all their '
        "applications and matches"
    ),
}

_MEMBER_APPLICATION_PLACEHOLDERS = {
    **_APPLICATION_PLACEHOLDERS,
    **_MY_MENTORING_PLACEHOLDER,
    "application_url": _(
        "The link to the application page, where the member sees, changes or withdraws "
        "the application, or applies again"
    ),
}

_COORDINATOR_PLACEHOLDERS = {
    **_APPLICATION_PLACEHOLDERS,
    "email": _("The applicant's contact email"),
    "career_stage": _("The applicant's career stage"),
    "topics": _("The topics the applicant chose, separated by commas"),
    "admin_url": _("The link to the application in the admin (for committee members)"),
}

_MATCH_PLACEHOLDERS = {
    "name": _("The recipient's name"),
    "role": _('The recipient\'s role: "mentor" or "mentee"'),
    "partner_name": _("The other person's name"),
    "partner_role": _('The other person\'s role: "mentor" or "mentee"'),
    "cycle": _("The cycle's name"),
    "start_date": _("The date the pairing starts"),
    "end_date": _("The date the pairing ends"),
    **_MY_MENTORING_PLACEHOLDER,
}

APPLICATION_RELATED = ("application__cycle__program_page", "application__page")
MATCH_RELATED = ("match__cycle__program_page", "match__mentor", "match__mentee")

APPLICATION_RECEIVED = registry.register(
    EmailKind(
        name="application_received",
        label=_("Application received (to the applicant)"),
        description=_("Confirms an application and says what happens next."),
        placeholders=_MEMBER_APPLICATION_PLACEHOLDERS,
        build=build_application_received,
        language=applicant_language,
        related=APPLICATION_RELATED,
        sample=_sample(_SAMPLE_APPLICATION, _SAMPLE_MEMBER_LINKS),
    )
)

NEW_APPLICATION = registry.register(
    EmailKind(
        name="new_application",
        label=_("New application (to the coordinator)"),
        description=_("Tells the programme's coordinator that an application arrived."),
        placeholders=_COORDINATOR_PLACEHOLDERS,
        build=build_new_application,
        related=(*APPLICATION_RELATED, "application__topics"),
        sample=_sample(_SAMPLE_APPLICATION, _SAMPLE_COORDINATOR),
    )
)

APPLICATION_WITHDRAWN = registry.register(
    EmailKind(
        name="application_withdrawn",
        label=_("Application withdrawn (to the applicant)"),
        description=_("Confirms that an application was withdrawn."),
        placeholders={
            **_MEMBER_APPLICATION_PLACEHOLDERS,
            "reason": _("The reason given (may be empty)"),
        },
        build=build_application_withdrawn,
        language=applicant_language,
        related=APPLICATION_RELATED,
        sample=_sample(
            _SAMPLE_APPLICATION,
            _SAMPLE_MEMBER_LINKS,
            reason="A new job leaves me no time this year.",
        ),
    )
)

WITHDRAWAL_NOTICE = registry.register(
    EmailKind(
        name="withdrawal_notice",
        label=_("Application withdrawn (to the coordinator)"),
        description=_(
            "Tells the programme's coordinator that an applicant withdrew an application."
        ),
        placeholders={**_COORDINATOR_PLACEHOLDERS, "reason": _("The reason given (may be empty)")},
        build=build_withdrawal_notice,
        related=(*APPLICATION_RELATED, "application__topics"),
        sample=_sample(
            _SAMPLE_APPLICATION,
            _SAMPLE_COORDINATOR,
            reason="A new job leaves me no time this year.",
        ),
    )
)

MATCH_INTRODUCTION = registry.register(
    EmailKind(
        name="match_introduction",
        label=_("Match introduction (to each person of the pair)"),
        description=_(
            "Introduces the mentor and mentee to each other when the committee approves "
            "their match, with the programme's expectations."
        ),
        placeholders={
            **_MATCH_PLACEHOLDERS,
            "partner_email": _("The other person's contact email"),
            "partner_goals": _("The other person's goals, as written in the application"),
            "partner_topics": _("The other person's topics, separated by commas"),
            "commitment_months": _("The commitment length in months"),
            "conference_date": _("The date of the annual conference (may be empty)"),
            "first_contact_name": _(
                "The name of the person who writes first to arrange the first conversation "
                "(the mentee)"
            ),
        },
        build=build_match_introduction,
        related=(*MATCH_RELATED, "match__mentor__topics", "match__mentee__topics"),
        language=recipient_language,
        key=_match_key("introduction"),
        sample=_sample(
            _SAMPLE_MATCH,
            partner_email="ben@example.org",
            partner_goals="Share what I learnt leading a regional library service.",
            partner_topics="Leadership, Management",
            commitment_months="6",
            conference_date="12 June 2027",
            first_contact_name="Amara Okafor",
        ),
    )
)

MATCH_COMPLETED = registry.register(
    EmailKind(
        name="match_completed",
        label=_("Match completed (to each person of the pair)"),
        description=_("Thanks the pair when their mentoring reaches its agreed end."),
        placeholders=_MATCH_PLACEHOLDERS,
        build=build_match_ended,
        related=MATCH_RELATED,
        language=recipient_language,
        key=_match_key("completed"),
        sample=_sample(_SAMPLE_MATCH),
    )
)

MATCH_ENDED = registry.register(
    EmailKind(
        name="match_ended",
        label=_("Match ended early (to each person of the pair)"),
        description=_("Tells both people that the committee ended their match early."),
        placeholders=_MATCH_PLACEHOLDERS,
        build=build_match_ended,
        related=MATCH_RELATED,
        language=recipient_language,
        key=_match_key("ended"),
        sample=_sample(_SAMPLE_MATCH),
    )
)


def build_check_in(email) -> dict:
    values = _match_values(email)
    values["month"] = str(email.context.get("month", ""))
    return values


CHECK_IN = registry.register(
    EmailKind(
        name="check_in",
        label=_("Check-in (to each person of the pair)"),
        description=_("Reminds the pair to stay in touch, at the cycle's check-in interval."),
        placeholders={
            **_MATCH_PLACEHOLDERS,
            "month": _("How many months the pairing has run"),
        },
        build=build_check_in,
        sample=_sample(_SAMPLE_MATCH, month="2"),
        related=MATCH_RELATED,
        language=recipient_language,
    )
)


def build_survey(email) -> dict:
    from ..models.surveys import SurveyRound, survey_url

    values = _match_values(email)
    cache = getattr(email, "batch_cache", {})
    role = email.context.get("role", "mentee")
    own = email.match.mentor if role == "mentor" else email.match.mentee
    # The survey page in the locale of the page the recipient applied on, if translated.
    key = ("survey_round", email.context["round"], getattr(own.page, "locale_id", None))
    if key not in cache:
        survey_round = SurveyRound.objects.select_related("page").get(pk=email.context["round"])
        cache[key] = (survey_round, page_url(in_locale_of(survey_round.page, own.page)))
    survey_round, survey_link = cache[key]
    values.update(
        {
            "survey": survey_round.name,
            "survey_url": survey_url(email.match, survey_round, role, survey_link),
            "valid_days": str(survey_round.link_valid_days),
        }
    )
    return values


_SURVEY_PLACEHOLDERS = {
    **_MATCH_PLACEHOLDERS,
    "survey": _('The survey\'s name, such as "Pairing fit"'),
    "survey_url": _("The recipient's personal link to the survey"),
    "valid_days": _("For how many days the link works"),
}
_SURVEY_SAMPLE = _sample(
    _SAMPLE_MATCH,
    survey="Pairing fit",
    survey_url="https://example.org/mentoring/pairing-fit/?t=sample",
    valid_days="60",
)

SURVEY_INVITATION = registry.register(
    EmailKind(
        name="survey_invitation",
        label=_("Survey invitation (to each person of the pair)"),
        description=_("Asks each person to answer one of the cycle's surveys."),
        placeholders=_SURVEY_PLACEHOLDERS,
        build=build_survey,
        sample=_SURVEY_SAMPLE,
        related=MATCH_RELATED,
        language=recipient_language,
    )
)

SURVEY_REMINDER = registry.register(
    EmailKind(
        name="survey_reminder",
        label=_("Survey reminder (to a person who has not answered)"),
        description=_("Reminds a person who has not answered a survey yet."),
        placeholders=_SURVEY_PLACEHOLDERS,
        build=build_survey,
        sample=_SURVEY_SAMPLE,
        related=MATCH_RELATED,
        language=recipient_language,
    )
)


def build_conference(email) -> dict:
    values = _match_values(email)
    values["conference_date"] = format_date(email.match.cycle.conference_date)
    return values


_CONFERENCE_PLACEHOLDERS = {
    **_MATCH_PLACEHOLDERS,
    "conference_date": _("The date of the annual conference"),
}

CONFERENCE_REMINDER = registry.register(
    EmailKind(
        name="conference_reminder",
        label=_("Conference reminder (to pairs who both attend)"),
        description=_("Suggests that a pair who both attend the conference meet there."),
        placeholders=_CONFERENCE_PLACEHOLDERS,
        build=build_conference,
        sample=_sample(_SAMPLE_MATCH, conference_date="12 June 2027"),
        related=MATCH_RELATED,
        language=recipient_language,
    )
)

CONFERENCE_FOLLOW_UP = registry.register(
    EmailKind(
        name="conference_follow_up",
        label=_("Invitation to the conference follow-up session (to each person)"),
        description=_("Invites the cycle's pairs to the mentoring follow-up session."),
        placeholders=_CONFERENCE_PLACEHOLDERS,
        build=build_conference,
        sample=_sample(_SAMPLE_MATCH, conference_date="12 June 2027"),
        related=MATCH_RELATED,
        language=recipient_language,
    )
)


# -- "Have you met yet?" -----------------------------------------------------------------


def met_check_page_url(program_page) -> str:
    """The absolute URL of a programme's "Have you met yet?" answer page."""
    if program_page is None:
        return ""
    program = program_page.specific_deferred
    reverse_subpage = getattr(program, "reverse_subpage", None)
    if reverse_subpage is None:
        return ""
    return page_url(program, reverse_subpage("met_check"))


def met_check_key(match, role: str, ask: int = 1) -> str:
    """ "match-<pk>-met-check-<role>", and "match-<pk>-met-check-2-<role>" when asked again."""
    what = "met-check" if ask == 1 else f"met-check-{ask}"
    return f"match-{match.pk}-{what}-{role}"


def build_met_check(email) -> dict:
    from ..matching.met_links import LINK_VALID_DAYS, met_check_url

    values = _match_values(email)
    own, _partner = _pair(email)
    role = email.context.get("role", "mentee")
    ask = email.context.get("ask", 1)
    page = in_locale_of(email.match.cycle.program_page, own.page)
    link = _batch_memo(email, ("met_check", page.pk), lambda: met_check_page_url(page))
    values.update(
        {
            "met_url": met_check_url(link, email.match, role, ask, "met"),
            "not_yet_url": met_check_url(link, email.match, role, ask, "not_yet"),
            "cant_reach_url": met_check_url(link, email.match, role, ask, "cant_reach"),
            "valid_days": str(LINK_VALID_DAYS),
            "asked_again": ask != 1,
        }
    )
    return values


MET_CHECK = registry.register(
    EmailKind(
        name="met_check",
        label=_('"Have you met yet?" (to each person of the pair)'),
        description=_(
            "Asks each person, some weeks after the pairing starts, whether they have met, "
            'with three one-click answers; "I can\'t reach them" or "Not yet" twice '
            "flags the match for the committee."
        ),
        placeholders={
            **_MATCH_PLACEHOLDERS,
            "met_url": _("The recipient's personal link to answer \"Yes, we've met\""),
            "not_yet_url": _('The recipient\'s personal link to answer "Not yet"'),
            "cant_reach_url": _("The recipient's personal link to answer \"I can't reach them\""),
            "valid_days": _("For how many days the links work"),
        },
        build=build_met_check,
        sample=_sample(
            _SAMPLE_MATCH,
            met_url="https://example.org/mentoring/met/?t=sample&a=met",
            not_yet_url="https://example.org/mentoring/met/?t=sample&a=not_yet",
            cant_reach_url="https://example.org/mentoring/met/?t=sample&a=cant_reach",
            valid_days="30",
        ),
        related=(*MATCH_RELATED, "match__mentor__page", "match__mentee__page"),
        language=recipient_language,
        key=met_check_key,
    )
)
