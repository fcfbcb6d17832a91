"""The programme's year, run by ``manage.py mentoring_run_schedule`` (or its task).

Each run looks at the site's local date and does whatever is due, once:

1. approved matches whose start date has come become active (``lifecycle.start``);
2. approved or active matches whose end date has come are completed
   (``lifecycle.complete_many``: both people are emailed and join the "Mentoring
   alumni" group);
3. each active pair gets the latest check-in email due at its cycle's interval
   (``Cycle.checkin_every_months``, counted from the match's start, never on or after
   its end date); a run that was missed sends only the latest, not every one missed;
4. an active match where either person's membership is no longer active is flagged
   for the committee, not ended (``lifecycle.flag``);
5. before all that, invitations awaiting consent get their reminder when it is due,
   and those not answered by their deadline count as declined
   (``lifecycle.remind_invitations``, ``lifecycle.expire_invitations``).
6. ``WAGTAIL_MENTORING_MET_CHECK_DAYS`` after its start, each person of an approved or
   active match is asked "Have you met yet?" (:func:`send_met_checks`), and asked once
   more ``WAGTAIL_MENTORING_MET_RECHECK_DAYS`` later when someone answered "Not yet"
   and no one "Yes".

Emails go through the outbox under keys naming the match, the check-in (or the round
and the reminder number) and the role, computed from the stored rows and the run's
date, so running twice, or twice at once, sends nothing new. The run's date says what
is due; the stored instants of a person's last check-in and last survey email say
whether the next may go yet, so two runs minutes apart (across midnight, or with
``--date`` later) never send a person a second one minutes after the first. Active
matches are read in chunks, so the queries per match stay bounded whatever the number
of matches.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
from collections import Counter
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from .conf import app_settings
from .dates import add_months
from .emails.outbox import enqueue_together, pair_email, queue_emails
from .matching import lifecycle
from .matching.lifecycle import ALUMNI_GROUP  # noqa: F401  (importable from here too)
from .models.applications import ConferenceAttendance
from .models.emails import SentEmail
from .models.matches import UNDERWAY, FlagCause, Match, MatchStatus

logger = logging.getLogger(__name__)

CHUNK = 500


def months_elapsed(start: datetime.date, today: datetime.date) -> int:
    """Whole calendar months from ``start`` to ``today`` (month ends clamp, see add_months)."""
    months = (today.year - start.year) * 12 + today.month - start.month
    if months > 0 and add_months(start, months) > today:
        months -= 1
    return max(months, 0)


def checkin_due(
    start: datetime.date | None,
    end: datetime.date | None,
    today: datetime.date,
    every: int,
) -> int | None:
    """The month number of the latest check-in due by ``today``, or ``None``.

    Check-ins fall every ``every`` months after ``start``, and only before ``end``.
    """
    if not every or start is None or today < start:
        return None
    month = months_elapsed(start, today) // every * every
    while month > 0 and end is not None and add_months(start, month) >= end:
        month -= every
    return month or None


@dataclasses.dataclass
class ScheduleSummary:
    today: datetime.date
    started: int = 0
    completed: int = 0
    active: int = 0
    checkins: int = 0
    conference: int = 0
    surveys: int = 0
    reminders: int = 0
    flagged: int = 0
    invitations_reminded: int = 0
    invitations_expired: int = 0
    met_checks: int = 0
    failed: list[str] = dataclasses.field(default_factory=list)

    def lines(self) -> list[str]:
        return [
            _("Schedule for %(today)s:") % {"today": self.today.isoformat()},
            ngettext("%(n)s match started", "%(n)s matches started", self.started)
            % {"n": self.started},
            ngettext("%(n)s match completed", "%(n)s matches completed", self.completed)
            % {"n": self.completed},
            ngettext("%(n)s active match looked at", "%(n)s active matches looked at", self.active)
            % {"n": self.active},
            ngettext("%(n)s check-in email queued", "%(n)s check-in emails queued", self.checkins)
            % {"n": self.checkins},
            ngettext(
                "%(n)s conference reminder queued",
                "%(n)s conference reminders queued",
                self.conference,
            )
            % {"n": self.conference},
            ngettext(
                "%(n)s survey invitation queued", "%(n)s survey invitations queued", self.surveys
            )
            % {"n": self.surveys},
            ngettext(
                "%(n)s survey reminder queued", "%(n)s survey reminders queued", self.reminders
            )
            % {"n": self.reminders},
            ngettext(
                "%(n)s match flagged: a membership lapsed",
                "%(n)s matches flagged: a membership lapsed",
                self.flagged,
            )
            % {"n": self.flagged},
            ngettext(
                "%(n)s invitation reminder queued",
                "%(n)s invitation reminders queued",
                self.invitations_reminded,
            )
            % {"n": self.invitations_reminded},
            ngettext(
                "%(n)s invitation not answered in time: the mentee is first in line again",
                "%(n)s invitations not answered in time: the mentees are first in line again",
                self.invitations_expired,
            )
            % {"n": self.invitations_expired},
            ngettext(
                '%(n)s "Have you met yet?" email queued',
                '%(n)s "Have you met yet?" emails queued',
                self.met_checks,
            )
            % {"n": self.met_checks},
            *(_("Could not complete: %(error)s") % {"error": error} for error in self.failed),
        ]


Progress = Callable[[str, int, int], None]


def run_schedule(today: datetime.date | None = None, progress: Progress | None = None):
    """Do everything that is due on ``today`` (the local date by default)."""
    today = today or timezone.localdate()
    summary = ScheduleSummary(today=today)
    answer_invitations(today, summary)
    summary.started = start_matches(today)
    complete_matches(today, summary, progress)
    visit_active_matches(today, summary, progress)
    send_surveys(today, summary, progress)
    send_met_checks(today, summary, progress)
    return summary


def _instant(today: datetime.date) -> datetime.datetime:
    """The run's moment: now, or this time of day on a ``--date`` given to the run."""
    now = timezone.localtime()
    if today == now.date():
        return now
    return timezone.make_aware(datetime.datetime.combine(today, now.time().replace(tzinfo=None)))


def answer_invitations(today: datetime.date, summary: ScheduleSummary) -> None:
    """Invitations awaiting consent: a reminder once the cycle's reminder days have
    passed (``lifecycle.remind_invitations``), and no answer by the deadline counts as
    a decline (``lifecycle.expire_invitations``)."""
    now = _instant(today)
    with enqueue_together():
        summary.invitations_expired = len(lifecycle.expire_invitations(now))
        summary.invitations_reminded = len(lifecycle.remind_invitations(now))


def start_matches(today: datetime.date) -> int:
    """Start the approved matches whose start date has come (``lifecycle.start_many``,
    a chunk per transaction)."""
    due = list(
        Match.objects.filter(status=MatchStatus.APPROVED, start_date__lte=today)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return sum(
        len(lifecycle.start_many(due[start : start + CHUNK])) for start in range(0, len(due), CHUNK)
    )


def complete_matches(today: datetime.date, summary: ScheduleSummary, progress=None) -> None:
    """Complete the matches whose end date has come, a chunk per transaction; their
    emails are handed to the task queue together at the end."""
    due = list(
        Match.objects.filter(
            status__in=(MatchStatus.APPROVED, MatchStatus.ACTIVE), end_date__lte=today
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    with enqueue_together():
        for start in range(0, len(due), CHUNK):
            chunk = due[start : start + CHUNK]
            done = {match.pk for match in lifecycle.complete_many(chunk)}
            summary.completed += len(done)
            # Someone else ended or completed these between the two queries.
            summary.failed += [
                _("%(id)s: no longer approved or active") % {"id": pk}
                for pk in chunk
                if pk not in done
            ]
            if progress:
                progress("complete", start + len(chunk), len(due))


def visit_active_matches(today: datetime.date, summary: ScheduleSummary, progress=None):
    from .membership import get_backend

    backend = get_backend()
    active = Match.objects.filter(status=MatchStatus.ACTIVE)
    total = active.count()
    now_day = timezone.localdate()
    last = 0
    while True:
        chunk = list(
            active.filter(pk__gt=last)
            .select_related("cycle", "mentor__user", "mentee__user")
            .order_by("pk")[:CHUNK]
        )
        if not chunk:
            break
        last = chunk[-1].pk
        items, flags = [], {}
        last_checkin = last_checkins(chunk)
        unflagged = [match for match in chunk if not match.flag_cause]
        statuses = backend.get_statuses(
            {
                application.user.pk: application.user
                for match in unflagged
                for application in (match.mentor, match.mentee)
            }.values()
        )
        for match in chunk:
            month = checkin_due(
                match.start_date, match.end_date, today, match.cycle.checkin_every_months
            )
            meet = conference_due(match, today)
            for role, application in (("mentor", match.mentor), ("mentee", match.mentee)):
                if meet:
                    items.append(
                        pair_email(
                            "conference_reminder",
                            f"match-{match.pk}-conference-{role}",
                            match,
                            role,
                            application,
                        )
                    )
                if month and checkin_spaced(
                    last_checkin.get((match.pk, role)), match.cycle.checkin_every_months, now_day
                ):
                    items.append(
                        pair_email(
                            "check_in",
                            f"match-{match.pk}-checkin-{month}-{role}",
                            match,
                            role,
                            application,
                            month=month,
                        )
                    )
                status = statuses.get(application.user.pk)
                if status is not None and not status.is_active and match.pk not in flags:
                    flags[match.pk] = {"role": role, "state": str(status.state)}
        with transaction.atomic():
            created = queue_emails(items)
            summary.flagged += sum(
                lifecycle.flag(pk, cause=FlagCause.MEMBERSHIP, **params)
                for pk, params in flags.items()
            )
        if created:
            kinds = Counter(SentEmail.objects.filter(pk__in=created).values_list("kind", flat=True))
            summary.checkins += kinds["check_in"]
            summary.conference += kinds["conference_reminder"]
        summary.active += len(chunk)
        if progress:
            progress("active", summary.active, total)


def last_checkins(matches) -> dict[tuple[int, str], datetime.datetime]:
    """(match id, role) -> when the person's latest check-in of the match was queued."""
    found: dict[tuple[int, str], datetime.datetime] = {}
    rows = SentEmail.objects.filter(match__in=matches, kind="check_in").values_list(
        "match_id", "idempotency_key", "created_at"
    )
    for match_id, key, created in rows:
        role = key.rpartition("-")[2]
        if (match_id, role) not in found or created > found[(match_id, role)]:
            found[(match_id, role)] = created
    return found


def checkin_spaced(last: datetime.datetime | None, every: int, now_day: datetime.date) -> bool:
    """Whether a check-in may go to a person whose last one was queued at ``last``:
    ``every`` months after it, by the clock's local date (not the run's ``today``), so
    that two runs minutes apart (across midnight, or with ``--date`` a month on) never
    send two check-ins."""
    return last is None or add_months(timezone.localdate(last), every) <= now_day


#: Completed matches still get the surveys due by their end (the final one) this long.
SURVEY_GRACE_DAYS = 90


def send_surveys(today: datetime.date, summary: ScheduleSummary, progress=None) -> None:
    """Invite each person to each survey round that is due, then remind non-respondents.

    A round is due ``months_after_start`` months after the match's start (or at its end
    date); a person who has not answered is reminded every ``remind_after_days`` days
    after the invitation, at most ``max_reminders`` times, and at most once in any
    ``remind_after_days`` consecutive days however overdue (see :func:`next_reminder_on`).
    """
    from .models.surveys import SurveyResponse, SurveyRound

    rounds_of: dict[int, list] = {}
    for survey_round in SurveyRound.objects.order_by("pk"):
        rounds_of.setdefault(survey_round.cycle_id, []).append(survey_round)
    if not rounds_of:
        return
    matches = Match.objects.filter(
        cycle_id__in=rounds_of,
        status__in=(MatchStatus.ACTIVE, MatchStatus.COMPLETED),
        start_date__lte=today,
        end_date__gte=today - datetime.timedelta(days=SURVEY_GRACE_DAYS),
    )
    total = matches.count()
    now = timezone.now()
    seen = last = 0
    while True:
        chunk = list(
            matches.filter(pk__gt=last).select_related("mentor", "mentee").order_by("pk")[:CHUNK]
        )
        if not chunk:
            break
        last = chunk[-1].pk
        answered = set(
            SurveyResponse.objects.filter(match__in=chunk).values_list(
                "match_id", "round_id", "role"
            )
        )
        sent = dict(
            SentEmail.objects.filter(
                match__in=chunk, kind__in=("survey_invitation", "survey_reminder")
            ).values_list("idempotency_key", "created_at")
        )
        # Reminders are keyed "<invitation key>-reminder-<n>", n = 1, 2, ...
        reminders = Counter(key.rpartition("-reminder-")[0] for key in sent if "-reminder-" in key)
        items = []
        for match in chunk:
            for survey_round in rounds_of.get(match.cycle_id, ()):
                due = survey_round.due_date(match)
                if due is None or today < due or due > match.end_date:
                    continue
                if match.status == MatchStatus.COMPLETED and survey_round.months_after_start:
                    continue  # only the final round after the end
                for role, application in (("mentor", match.mentor), ("mentee", match.mentee)):
                    if (match.pk, survey_round.pk, role) in answered:
                        continue
                    key = f"match-{match.pk}-survey-{survey_round.pk}-{role}"
                    if key not in sent:
                        items.append(
                            pair_email(
                                "survey_invitation",
                                key,
                                match,
                                role,
                                application,
                                round=survey_round.pk,
                            )
                        )
                        continue
                    reminded = reminders[key]
                    if reminded >= survey_round.max_reminders:
                        continue
                    if reminder_due(survey_round, sent, key, reminded, today, now):
                        items.append(
                            pair_email(
                                "survey_reminder",
                                f"{key}-reminder-{reminded + 1}",
                                match,
                                role,
                                application,
                                round=survey_round.pk,
                            )
                        )
        with transaction.atomic():
            created = set(queue_emails(items))
        if created:
            kinds = dict(SentEmail.objects.filter(pk__in=created).values_list("pk", "kind"))
            summary.surveys += sum(kind == "survey_invitation" for kind in kinds.values())
            summary.reminders += sum(kind == "survey_reminder" for kind in kinds.values())
        seen += len(chunk)
        if progress:
            progress("surveys", seen, total)


def reminder_due(
    survey_round, sent: dict, key: str, reminded: int, today: datetime.date, now
) -> bool:
    """Whether reminder number ``reminded + 1`` of invitation ``key`` may go now.

    ``sent`` maps the keys of the round's emails to that person to the instants they
    were queued (stored state). The reminder is due :func:`next_reminder_on` (the run's
    date), and never sooner than ``remind_after_days`` (at least one) whole days after
    the person's last email of the round, by the clock: two runs minutes apart, across
    midnight or with ``--date`` a week on, send it once.
    """
    if today < next_reminder_on(survey_round, sent, key, reminded):
        return False
    last = sent.get(f"{key}-reminder-{reminded}", sent[key]) if reminded else sent[key]
    return now - last >= datetime.timedelta(days=max(survey_round.remind_after_days, 1))


def next_reminder_on(survey_round, sent: dict, key: str, reminded: int) -> datetime.date:
    """The first date the next reminder of invitation ``key`` may go.

    ``remind_after_days`` after the invitation for each reminder, and never sooner than
    that (at least a day) after the last email of the round to that person, so a run
    that finds reminders overdue sends one and leaves the next for later. ``sent`` maps
    keys to the instants their emails were queued.
    """
    days = survey_round.remind_after_days
    invited = timezone.localdate(sent[key])
    last_key = f"{key}-reminder-{reminded}"
    last = timezone.localdate(sent[last_key]) if reminded and last_key in sent else invited
    return max(
        invited + datetime.timedelta(days=days * (reminded + 1)),
        last + datetime.timedelta(days=max(days, 1)),
    )


#: A pair is asked "Have you met yet?" only this many days after it falls due (a run
#: that was missed still asks; a pair that started long before the check was switched
#: on, and has had check-ins since, is not asked).
MET_CHECK_GRACE_DAYS = 30


def _days(value) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def met_check_asks(
    match, today: datetime.date, answers: dict, sent: dict, now_day: datetime.date
) -> list[int]:
    """The askings of "Have you met yet?" due for ``match`` on ``today``: a list of
    ``1`` (the first) and ``2`` (asked again); an asking already sent is a no-op, by its
    key.

    Asking 1 is due ``MET_CHECK_DAYS`` after the start, for
    :data:`MET_CHECK_GRACE_DAYS`. Asking 2 is due ``MET_RECHECK_DAYS`` after that, when
    someone's latest answer to asking 1 is "Not yet", no one has answered "Yes" and the
    match is not flagged; never sooner than ``MET_RECHECK_DAYS`` after asking 1 was
    queued, by the clock. ``answers`` is :func:`~.matching.checkin.met_answers_of`'s,
    ``sent`` maps the keys of the emails queued to the instants they were queued.
    """
    days, again = _days(app_settings.MET_CHECK_DAYS), _days(app_settings.MET_RECHECK_DAYS)
    if not days or match.start_date is None or match.status not in UNDERWAY:
        return []
    due = match.start_date + datetime.timedelta(days=days)
    grace = datetime.timedelta(days=MET_CHECK_GRACE_DAYS)
    asks = [1] if due <= today < due + grace else []  # once sent, its key makes it a no-op
    if again and not match.flag_cause and _asked_again(match, answers, sent, now_day, again):
        later = due + datetime.timedelta(days=again)
        if later <= today < later + grace:
            asks.append(2)
    return asks


def _asked_again(match, answers: dict, sent: dict, now_day: datetime.date, again: int) -> bool:
    """Whether ``match``'s pair may be asked again: someone's latest answer to the first
    asking is "Not yet", no one has answered "Yes", and the first asking was queued
    ``again`` days ago or more, by the clock."""
    from .emails.kinds import met_check_key
    from .models.matches import MetAnswer

    mine = {(role, ask): answer for (pk, role, ask), answer in answers.items() if pk == match.pk}
    if MetAnswer.MET in mine.values():
        return False
    if MetAnswer.NOT_YET not in (answer for (_role, ask), answer in mine.items() if ask == 1):
        return False
    first = [sent.get(met_check_key(match, role)) for role in ("mentor", "mentee")]
    first = [instant for instant in first if instant is not None]
    return (
        bool(first) and timezone.localdate(max(first)) + datetime.timedelta(days=again) <= now_day
    )


def send_met_checks(today: datetime.date, summary: ScheduleSummary, progress=None) -> None:
    """Ask both people of each approved or active match "Have you met yet?" (see
    :func:`met_check_asks`), a chunk of matches at a time, three queries a chunk."""
    from .emails.kinds import registry
    from .matching.checkin import met_answers_of

    days, again = _days(app_settings.MET_CHECK_DAYS), _days(app_settings.MET_RECHECK_DAYS)
    if not days:
        return
    kind = registry["met_check"]
    grace = MET_CHECK_GRACE_DAYS
    matches = Match.objects.filter(
        status__in=UNDERWAY,
        start_date__lte=today - datetime.timedelta(days=days),
        start_date__gt=today - datetime.timedelta(days=days + (again or 0) + grace),
    )
    total = matches.count()
    now_day = timezone.localdate()
    seen = last = 0
    while True:
        chunk = list(
            matches.filter(pk__gt=last).select_related("mentor", "mentee").order_by("pk")[:CHUNK]
        )
        if not chunk:
            break
        last = chunk[-1].pk
        answers = met_answers_of(chunk)
        sent = dict(
            SentEmail.objects.filter(match__in=chunk, kind="met_check").values_list(
                "idempotency_key", "created_at"
            )
        )
        items = [
            pair_email(kind.name, kind.key(match, role, ask), match, role, application, ask=ask)
            for match in chunk
            for ask in met_check_asks(match, today, answers, sent, now_day)
            for role, application in (("mentor", match.mentor), ("mentee", match.mentee))
        ]
        with transaction.atomic():
            summary.met_checks += len(queue_emails(items))
        seen += len(chunk)
        if progress:
            progress("met checks", seen, total)


def conference_due(match, today: datetime.date) -> bool:
    """Whether the pair should now hear that they can meet at the conference."""
    day = match.cycle.conference_date
    if day is None or not (
        match.mentor.conference_attendance == ConferenceAttendance.YES
        and match.mentee.conference_attendance == ConferenceAttendance.YES
    ):
        return False
    lead = datetime.timedelta(days=app_settings.CONFERENCE_REMINDER_DAYS)
    return day - lead <= today < day


@task()
def run_schedule_task() -> list[str]:
    """The schedule as a django-tasks task; returns the summary's lines."""
    return [str(line) for line in run_schedule().lines()]
