"""Matches: one mentor application paired with one mentee application, and its timeline."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..membership import MembershipState
from .events import AbstractEvent


class MatchStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    AWAITING = "awaiting", _("Approved, awaiting consent")
    APPROVED = "approved", _("Approved and introduced")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    ENDED_EARLY = "ended_early", _("Ended early")
    REJECTED = "rejected", _("Rejected proposal")
    DECLINED = "declined", _("Declined or unanswered invitation")


class MatchAction(models.TextChoices):
    """What a :class:`MatchEvent` records; its words are rendered when shown."""

    PROPOSED = "proposed", _("Proposed")
    SUGGESTED = "suggested", _("Proposed by a suggestion run")
    PINNED = "pinned", _("Pinned")
    UNPINNED = "unpinned", _("Unpinned")
    APPROVED = "approved", _("Approved")
    INVITED = "invited", _("Approved; consent asked")
    CONSENTED = "consented", _("Said yes to the introduction")
    DECLINED = "declined", _("Declined the introduction")
    TIMED_OUT = "timed_out", _("No answer by the deadline")
    REMINDED = "reminded", _("Reminded to answer")
    INTRODUCED = "introduced", _("Introduced")
    REJECTED = "rejected", _("Rejected")
    DISCARDED = "discarded", _("Discarded from the suggestions")
    RESTORED = "restored", _("Restored: may be suggested again")
    REPLACED = "replaced", _("Replaced by a new suggestion run")
    WITHDRAWN = "withdrawn", _("Closed: one of the two applications was withdrawn")
    STARTED = "started", _("Started")
    FLAGGED = "flagged", _("Flagged for the committee")
    COMPLETED = "completed", _("Completed")
    ENDED = "ended", _("Ended early")
    MET_ANSWER = "met_answer", _('Answered "Have you met yet?"')


class ConsentAnswer(models.TextChoices):
    YES = "yes", _("Yes, introduce us")
    NO = "no", _("Not this time")


class AfterEnd(models.TextChoices):
    """Where the two applications go when the committee ends their match early."""

    POOL = "pool", _("Back in the pool, keeping their waiting time")
    CLOSE = "close", _("Closed, with the reason")


class FlagCause(models.TextChoices):
    MEMBERSHIP = "membership", _("A membership is no longer active")
    SURVEY = "survey", _("A survey answer asks for the committee's attention")
    CONSENT = "consent", _("An invitation was declined or not answered")
    MET_CHECK = (
        "met_check",
        _('An answer to "Have you met yet?" asks for the committee\'s attention'),
    )


class MetAnswer(models.TextChoices):
    """An answer to the "Have you met yet?" email (stored in a ``met_answer`` event)."""

    MET = "met", _("Yes, we've met")
    NOT_YET = "not_yet", _("Not yet")
    CANT_REACH = "cant_reach", _("I can't reach them")


#: Statuses of a pair that has been introduced and has not ended.
UNDERWAY = (MatchStatus.APPROVED, MatchStatus.ACTIVE)
#: Statuses that hold one of the mentor's places: an approved match waiting for consent
#: holds it too, so capacity is never exceeded when the yes comes.
HOLDS_CAPACITY = (MatchStatus.AWAITING, *UNDERWAY)
#: Statuses in which a mentee application is spoken for.
LIVE = (MatchStatus.PROPOSED, *HOLDS_CAPACITY)


class Match(models.Model):
    cycle = models.ForeignKey(
        "wagtail_mentoring.Cycle", on_delete=models.PROTECT, related_name="matches"
    )
    mentor = models.ForeignKey(
        "wagtail_mentoring.Application",
        on_delete=models.PROTECT,
        related_name="matches_as_mentor",
        verbose_name=_("mentor application"),
    )
    mentee = models.ForeignKey(
        "wagtail_mentoring.Application",
        on_delete=models.PROTECT,
        related_name="matches_as_mentee",
        verbose_name=_("mentee application"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=MatchStatus.choices, default=MatchStatus.PROPOSED
    )
    score = models.FloatField(_("score"), default=0)
    explanation = models.JSONField(
        _("explanation"),
        default=list,
        blank=True,
        help_text=_("Each score component with its points and reason, as at proposal time."),
    )
    pinned = models.BooleanField(
        _("pinned"), default=False, help_text=_("Kept when suggestions are computed again.")
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    start_date = models.DateField(_("starts"), null=True, blank=True)
    end_date = models.DateField(_("ends"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    end_reason = models.TextField(_("reason"), blank=True, max_length=1000)
    discarded = models.BooleanField(
        _("discarded"),
        default=False,
        help_text=_(
            "Rejected or discarded by the committee: suggestion runs of the cycle leave "
            "this pair out until it is restored."
        ),
    )
    consent_from = models.CharField(
        _("consent asked from"),
        max_length=10,
        blank=True,
        help_text=_('"mentor" or "both", as the cycle asked when the match was approved.'),
    )
    mentor_consent = models.CharField(
        _("mentor's answer"), max_length=10, choices=ConsentAnswer.choices, blank=True
    )
    mentee_consent = models.CharField(
        _("mentee's answer"), max_length=10, choices=ConsentAnswer.choices, blank=True
    )
    consent_due = models.DateTimeField(_("answer due by"), null=True, blank=True)
    consent_reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    flagged_at = models.DateTimeField(_("flagged at"), null=True, blank=True)
    flag_cause = models.CharField(
        _("flagged because"), max_length=20, choices=FlagCause.choices, blank=True
    )
    flag_params = models.JSONField(
        _("flag details"),
        default=dict,
        blank=True,
        help_text=_("Who and what raised the flag (``role``, ``state`` or ``answers``)."),
    )

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentee"],
                condition=Q(status__in=["proposed", "awaiting", "approved", "active"]),
                name="wagtail_mentoring_one_live_match_per_mentee",
                violation_error_message=_("This mentee already has a proposed or approved match."),
            ),
            models.CheckConstraint(
                condition=~Q(mentor=models.F("mentee")),
                name="wagtail_mentoring_match_two_applications",
            ),
        ]
        indexes = [models.Index(fields=["cycle", "status"])]

    def __str__(self) -> str:
        return f"{self.mentor.name} → {self.mentee.name}"

    def consent_roles(self) -> tuple[str, ...]:
        """Whose yes the introduction waits for: ``("mentor",)`` or both roles."""
        if self.consent_from == "both":
            return ("mentor", "mentee")
        return ("mentor",) if self.consent_from else ()

    def answer_of(self, role: str) -> str:
        return self.mentor_consent if role == "mentor" else self.mentee_consent

    @property
    def flag_reason(self) -> str:
        """Why the match needs the committee's attention, in the reader's language
        (empty when it is not flagged)."""
        if not self.flag_cause:
            return ""
        return flag_words(self.flag_cause, **(self.flag_params or {}))

    flag_reason.fget.short_description = _("needs the committee's attention because")


def completed_a_pairing() -> Q:
    """A filter for applications that took part in a completed pairing: the programme's
    alumni. Completed applications are; so is one back in the pool after completing a
    pairing (a mentor whose other match ended early), whose own status does not say it."""
    return Q(status="completed") | Q(
        Exists(
            Match.objects.filter(
                Q(mentor=OuterRef("pk")) | Q(mentee=OuterRef("pk")),
                status=MatchStatus.COMPLETED,
            )
        )
    )


def _membership_words(state: str) -> str:
    """A stored membership state (a ``MembershipState`` code) in the reader's language."""
    try:
        return str(MembershipState(state).label).lower()
    except ValueError:
        return state  # stored as words before states were stored as codes


def _flagging_answers(answers) -> list[tuple[str, str]]:
    """The flagging answers of a survey flag as (question, answer) pairs: stored as a
    list of pairs, or as ``"Question: answer; Question: answer"``."""
    if isinstance(answers, list):
        return [(str(question), str(answer)) for question, answer in answers]
    pairs = []
    for part in filter(None, (part.strip() for part in str(answers).split("; "))):
        question, _sep, answer = part.rpartition(": ")
        pairs.append((question, answer) if question else ("", part))
    return pairs


def _answer_words(answers) -> str:
    """'"No" to "Is this pairing a good fit?"', joined with "and" for several."""
    said = [
        gettext('"%(answer)s" to "%(question)s"') % {"answer": answer, "question": question}
        if question
        else f'"{answer}"'
        for question, answer in _flagging_answers(answers)
    ]
    if len(said) > 1:
        return gettext("%(first)s and %(last)s") % {
            "first": ", ".join(said[:-1]),
            "last": said[-1],
        }
    return "".join(said)


def consent_reason_words(reason: str) -> str:
    """A decline's stored reason: the person's own words, or a code rendered now."""
    if reason == "no_capacity":
        return gettext("They can take on no one more for now.")
    return reason


def _flag_words(params: dict) -> str:
    if params.get("reason") and not params.get("role"):
        return params["reason"]  # a flag stored as a sentence, before causes were codes
    if params.get("cause") == FlagCause.MEMBERSHIP:
        words = (
            gettext("The mentor's membership is %(state)s.")
            if params.get("role") == "mentor"
            else gettext("The mentee's membership is %(state)s.")
        )
        return words % {"state": _membership_words(params.get("state", ""))}
    if params.get("cause") == FlagCause.CONSENT:
        if params.get("answer") == "timeout":
            words = (
                gettext("The mentor did not answer the invitation in time.")
                if params.get("role") == "mentor"
                else gettext("The mentee did not answer the invitation in time.")
            )
        else:
            words = (
                gettext("The mentor declined the introduction.")
                if params.get("role") == "mentor"
                else gettext("The mentee declined the introduction.")
            )
        return f"{words} {consent_reason_words(params.get('reason', ''))}".strip()
    if params.get("cause") == FlagCause.SURVEY:
        words = (
            gettext("The mentor answered %(answers)s.")
            if params.get("role") == "mentor"
            else gettext("The mentee answered %(answers)s.")
        )
        return words % {"answers": _answer_words(params.get("answers", ""))}
    if params.get("cause") == FlagCause.MET_CHECK:
        if params.get("answer") == MetAnswer.CANT_REACH:
            return (
                gettext("The mentor says they cannot reach the mentee.")
                if params.get("role") == "mentor"
                else gettext("The mentee says they cannot reach the mentor.")
            )
        return gettext('The pair has not met yet: "Not yet" was answered twice.')
    return params.get("reason", "")


def _met_answer_words(params: dict) -> str:
    """A ``met_answer`` event's details: who answered what (and on which asking)."""
    try:
        answer = str(MetAnswer(params.get("answer", "")).label)
    except ValueError:
        answer = str(params.get("answer", ""))
    words = (
        gettext('the mentor: "%(answer)s"')
        if params.get("role") == "mentor"
        else gettext('the mentee: "%(answer)s"')
    ) % {"answer": answer}
    if params.get("ask", 1) != 1:
        words = gettext("%(words)s (asked again)") % {"words": words}
    return words


def flag_words(cause: str, **params) -> str:
    """The sentence shown for a flag of ``cause`` (in the active language)."""
    return _flag_words({"cause": cause, **params})


_CONSENT_ACTIONS = (
    MatchAction.CONSENTED,
    MatchAction.DECLINED,
    MatchAction.TIMED_OUT,
    MatchAction.REMINDED,
)


class MatchEvent(AbstractEvent):
    """One change in a match's life: who did what, when, and the status it moved.

    ``action`` is a :class:`MatchAction` code and ``params`` its structured details
    (``reason``: the committee's own words; ``then``: an :class:`AfterEnd` code;
    ``run``/``replaced_by_run``: a suggestion run; ``cause``, ``role``, ``state``,
    ``answers``: a flag). :meth:`describe` renders them in the reader's language.
    """

    action = models.CharField(_("action"), max_length=30, choices=MatchAction.choices)
    params = models.JSONField(_("details"), default=dict, blank=True)
    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20)

    class Meta(AbstractEvent.Meta):
        verbose_name = _("match event")

    @property
    def label(self) -> str:
        return str(MatchAction(self.action).label) if self.action in MatchAction else self.action

    def describe(self) -> str:
        """The event in words, rendered now (not when it was stored)."""
        params = self.params or {}
        label = self.label
        if self.action == MatchAction.FLAGGED:
            detail = _flag_words(params)
        elif self.action in _CONSENT_ACTIONS and params.get("role"):
            who = gettext("the mentor") if params["role"] == "mentor" else gettext("the mentee")
            reason = consent_reason_words(params.get("reason", ""))
            detail = "; ".join(filter(None, [who, reason]))
        elif self.action == MatchAction.MET_ANSWER:
            detail = _met_answer_words(params)
        elif self.action == MatchAction.ENDED and params.get("then"):
            then = (
                gettext("both applications back in the pool")
                if params["then"] == AfterEnd.POOL
                else gettext("both applications closed")
            )
            detail = "; ".join(filter(None, [params.get("reason", ""), then]))
        else:
            detail = params.get("reason", "") or self.note
        return (
            gettext("%(action)s: %(detail)s") % {"action": label, "detail": detail}
            if detail
            else label
        )

    def status_change(self) -> str:
        if not self.from_status or self.from_status == self.to_status:
            return ""
        labels = dict(MatchStatus.choices)
        before = labels.get(self.from_status, self.from_status)
        return f"{before} → {labels.get(self.to_status, self.to_status)}"
