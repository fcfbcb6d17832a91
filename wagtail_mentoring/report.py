"""The board report of one cycle: what the committee reports each year, as figures.

:func:`cycle_report` computes every figure with a handful of aggregate queries;
the admin view renders it with small server-side SVG charts, as a printable page and
as CSV or XLSX.
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter, defaultdict

from django.db.models import Count, F
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Application, ApplicationStatus, Match, MatchStatus, Role
from .models.emails import SentEmail
from .models.surveys import SurveyResponse


def percentile(values: list[float], share: float) -> float | None:
    """The ``share`` percentile (0-1) by linear interpolation; ``None`` when empty."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * share
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclasses.dataclass
class RoundFigures:
    name: str
    invited: int
    responded: int
    averages: list[tuple[str, float, int]]  # (question, average rating, answers)

    @property
    def response_rate(self) -> float | None:
        return self.responded / self.invited if self.invited else None


@dataclasses.dataclass
class CycleReport:
    cycle: object
    applications: dict[str, int]  # role label -> applications (withdrawn excluded)
    withdrawn: int
    mentees: int
    mentees_matched: int
    waiting_days: list[int]  # submitted to approved, per matched mentee
    active: int  # started (status active), approved-only pairs excluded
    not_started: int  # approved, not started yet
    completed: int
    ended_early: int
    rounds: list[RoundFigures]

    @property
    def match_rate(self) -> float | None:
        return self.mentees_matched / self.mentees if self.mentees else None

    @property
    def median_wait(self) -> float | None:
        return percentile(self.waiting_days, 0.5)

    @property
    def p90_wait(self) -> float | None:
        return percentile(self.waiting_days, 0.9)

    def rows(self) -> list[tuple[str, str]]:
        """Every figure as (label, value) rows, for CSV and XLSX."""

        def number(value, digits=1):
            if value is None:
                return ""
            return f"{value:.{digits}f}" if isinstance(value, float) else str(value)

        rows = [(_("Cycle"), self.cycle.name)]
        rows += [
            (_("Applications: %(role)s") % {"role": r}, str(n))
            for r, n in self.applications.items()
        ]
        rows += [
            (_("Applications withdrawn"), str(self.withdrawn)),
            (_("Mentees matched"), f"{self.mentees_matched} / {self.mentees}"),
            (
                _("Match rate (%)"),
                number(None if self.match_rate is None else 100 * self.match_rate),
            ),
            (_("Median wait to be matched (days)"), number(self.median_wait)),
            (_("90th percentile wait (days)"), number(self.p90_wait)),
            (_("Matches active"), str(self.active)),
            (_("Matches approved, not started yet"), str(self.not_started)),
            (_("Matches completed"), str(self.completed)),
            (_("Matches ended early"), str(self.ended_early)),
        ]
        for survey_round in self.rounds:
            rate = survey_round.response_rate
            rows.append(
                (
                    _("Survey %(name)s: response rate (%%)") % {"name": survey_round.name},
                    number(None if rate is None else 100 * rate),
                )
            )
            for question, average, count in survey_round.averages:
                rows.append(
                    (
                        ngettext(
                            "Survey %(name)s: %(question)s (average of %(n)s answer)",
                            "Survey %(name)s: %(question)s (average of %(n)s answers)",
                            count,
                        )
                        % {"name": survey_round.name, "question": question, "n": count},
                        number(average, 2),
                    )
                )
        return rows


def cycle_report(cycle) -> CycleReport:
    applications = Application.objects.filter(cycle=cycle)
    by_role = dict(
        applications.exclude(status=ApplicationStatus.WITHDRAWN)
        .values_list("role")
        .annotate(n=Count("pk"))
        .values_list("role", "n")
    )
    labels = dict(Role.choices)
    matches = Match.objects.filter(cycle=cycle)
    statuses = Counter(
        dict(matches.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    )
    approved = list(
        matches.filter(approved_at__isnull=False).values_list(
            "mentee_id", "mentee__submitted_at", "approved_at"
        )
    )
    first_approval = {}
    for mentee_id, submitted, approved_at in approved:
        days = (approved_at - submitted).days
        first_approval[mentee_id] = min(days, first_approval.get(mentee_id, days))
    return CycleReport(
        cycle=cycle,
        applications={str(labels[role]): by_role.get(role, 0) for role in Role.values},
        withdrawn=applications.filter(status=ApplicationStatus.WITHDRAWN).count(),
        mentees=by_role.get(Role.MENTEE, 0),
        mentees_matched=len(first_approval),
        waiting_days=sorted(first_approval.values()),
        active=statuses[MatchStatus.ACTIVE],
        not_started=statuses[MatchStatus.APPROVED],
        completed=statuses[MatchStatus.COMPLETED],
        ended_early=statuses[MatchStatus.ENDED_EARLY],
        rounds=_round_figures(cycle),
    )


def _round_figures(cycle) -> list[RoundFigures]:
    invited = Counter(
        ctx.get("round")
        for ctx in SentEmail.objects.filter(
            kind="survey_invitation", match__cycle=cycle
        ).values_list("context", flat=True)
    )
    figures = []
    rounds = cycle.survey_rounds.order_by(F("months_after_start").asc(nulls_last=True), "pk")
    for survey_round in rounds:
        responses = list(
            SurveyResponse.objects.filter(round=survey_round).values_list("answers", flat=True)
        )
        ratings: dict[str, list[int]] = defaultdict(list)
        for answers in responses:
            for answer in answers.values():
                if answer.get("type") == "rating" and answer.get("value") not in (None, ""):
                    ratings[answer["label"]].append(int(answer["value"]))
        figures.append(
            RoundFigures(
                name=survey_round.name,
                invited=invited.get(survey_round.pk, 0),
                responded=len(responses),
                averages=[
                    (label, sum(values) / len(values), len(values))
                    for label, values in ratings.items()
                ],
            )
        )
    return figures


#: Rough width of one character of the charts' 13px text, generous so labels fit.
CHAR_WIDTH = 8


def bar_chart(
    bars: list[tuple[str, float]],
    width: int = 420,
    unit: str = "",
    maximum: float | None = None,
) -> dict:
    """Geometry for a horizontal bar chart drawn as SVG by the report's template.

    Each bar has its label on a line above it and its value right after it. Bars scale
    to ``maximum`` (for example the top of a rating scale) or, without one, to the
    largest value. The drawing is made wide enough for its longest label and value, so
    no text is cut off at the edge of the SVG.
    """
    top = maximum or max((value for _, value in bars), default=0) or 1
    values = [f"{value}{unit}" for _, value in bars]
    value_width = CHAR_WIDTH * max((len(text) for text in values), default=0) + 12
    area = width - value_width
    label_width = CHAR_WIDTH * max((len(str(label)) for label, _ in bars), default=0)
    row = 44
    return {
        "width": max(width, label_width + 4),
        "height": row * len(bars) + 4,
        "unit": unit,
        "scale": round(area, 1),
        "bars": [
            {
                "label": label,
                "value": value,
                "text": text,
                "label_y": i * row + 14,
                "y": i * row + 20,
                "text_y": i * row + 34,
                "length": round(area * min(value, top) / top, 1),
                "value_x": round(area * min(value, top) / top + 6, 1),
            }
            for i, ((label, value), text) in enumerate(zip(bars, values, strict=True))
        ],
    }
