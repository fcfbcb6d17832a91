""" "Why not this mentor?": what keeps one mentor out of one mentee's suggestions.

:func:`why_not` answers for any mentor application of the mentee's cycle, with the
rules the suggestions themselves use, so it never disagrees with them: who is in the
pool comes from :func:`~wagtail_mentoring.matching.pool.waiting_mentees` and
:data:`~wagtail_mentoring.matching.pool.MENTOR_GONE`, the pair's hard constraints from
:func:`~wagtail_mentoring.matching.scoring.constraint_masks` (the masks
:func:`~wagtail_mentoring.matching.scoring.score_matrix` ands) with the settings of
:func:`~wagtail_mentoring.matching.suggest.constraint_settings`, and an allowed pair's
score is :func:`~wagtail_mentoring.matching.suggest.score_pair`'s. It answers for the
mentee's page of the admin (:func:`~wagtail_mentoring.matching.suggest.suggest_mentors`),
where open proposals hold their mentee and the mentor's place.

Every reason is a stable code with parameters (:data:`REASONS`); :func:`render_reason`
puts it into words in the active language when it is shown. No HTTP here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from django.utils.translation import gettext, ngettext

from ..models.applications import Application, ApplicationStatus, Role
from .pool import (
    MENTOR_GONE,
    OPEN_STATUSES,
    discarded_in,
    load_pools,
    matched_before,
    waiting_mentees,
)
from .scoring import CONSTRAINTS, constraint_masks
from .suggest import Suggestion, constraint_settings, score_pair, score_pools, suggest_mentors

#: Every reason's code, in the order they are listed.
REASONS: tuple[str, ...] = (
    "mentor_not_in_cycle",
    "mentor_gone",
    "mentee_not_in_pool",
    *CONSTRAINTS,
    "not_suggested",
)


@dataclasses.dataclass(frozen=True)
class Reason:
    """One thing that blocks the pair: a code of :data:`REASONS` and its facts.

    ``params`` holds plain JSON values: ``mentor_gone``: ``status`` (the mentor
    application's); ``mentee_not_in_pool``: ``status`` and ``held`` (a proposed or
    approved match holds the mentee); ``same_employer``: ``employer`` (the mentee's, as
    written); ``no_capacity``: ``capacity`` and ``taken``; ``paired_before``:
    ``matched_before`` (approved together at some point, in any cycle) and
    ``discarded`` (rejected or discarded in this cycle, or a declined invitation);
    ``below_min_score``: ``score`` and ``minimum``. The others have none.
    """

    code: str
    params: dict = dataclasses.field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"code": self.code, "params": self.params}


@dataclasses.dataclass(frozen=True)
class WhyNot:
    """Why one mentor is (or is not) among one mentee's suggestions.

    ``blocked`` lists every reason that keeps the pair out (empty: the pair is allowed).
    For an allowed pair, ``score`` and ``components`` are its suggestion's (a stored
    explanation, one dict per component) and ``suggested`` is the mentee's top
    suggestion (perhaps this very mentor).
    """

    mentee_id: int
    mentor_id: int | None
    blocked: list[Reason]
    score: float | None = None
    components: list[dict] = dataclasses.field(default_factory=list)
    suggested: Suggestion | None = None

    @property
    def allowed(self) -> bool:
        return not self.blocked

    @property
    def suggested_components(self) -> list[dict]:
        return list(self.suggested.explanation) if self.suggested else []


def why_not(mentee: Application, mentor) -> WhyNot:
    """Why ``mentor`` (a mentor application or its id) is not suggested for ``mentee``.

    Lists every blocking reason, not only the first. A ``mentor`` that is not a mentor
    application of the mentee's cycle gives ``mentor_not_in_cycle`` alone, and nothing
    of it is read. ``mentee`` must be a mentee application (else ``ValueError``).
    """
    if mentee.role != Role.MENTEE:
        raise ValueError("why_not() takes a mentee application.")
    mentor_id = getattr(mentor, "pk", mentor)
    cycle = mentee.cycle
    row = (
        Application.objects.filter(pk=mentor_id, cycle_id=mentee.cycle_id, role=Role.MENTOR)
        .values("status", "user_id")
        .first()
        if isinstance(mentor_id, int) and not isinstance(mentor_id, bool)
        else None
    )
    if row is None:
        return WhyNot(mentee.pk, mentor_id, [Reason("mentor_not_in_cycle")])

    blocked = []
    if row["status"] in MENTOR_GONE:
        blocked.append(Reason("mentor_gone", {"status": row["status"]}))
    if not waiting_mentees(cycle, keep_proposals=True).filter(pk=mentee.pk).exists():
        status = (
            Application.objects.filter(pk=mentee.pk).values_list("status", flat=True).first()
            or mentee.status
        )
        blocked.append(
            Reason("mentee_not_in_pool", {"status": status, "held": status in OPEN_STATUSES})
        )

    # The pair's constraints, on the two applications whatever their status.
    pools = load_pools(
        cycle, mentee_ids=[mentee.pk], mentor_ids=[mentor_id], keep_proposals=True, everyone=True
    )
    scores = score_pools(pools)
    settings = constraint_settings(pools)
    for code, ok in constraint_masks(pools.mentees, pools.mentors, scores.total, **settings):
        if not ok[0, 0]:
            blocked.append(Reason(code, _params(code, pools, scores, settings, cycle)))

    suggestion = score_pair(mentee, mentor_id)
    if suggestion is None and not blocked:  # never expected: the same rules say "allowed"
        blocked.append(Reason("not_suggested"))
    if blocked:
        return WhyNot(mentee.pk, mentor_id, blocked)
    top = suggest_mentors(mentee, limit=1)
    return WhyNot(
        mentee.pk,
        mentor_id,
        [],
        score=suggestion.score,
        components=list(suggestion.explanation),
        suggested=top[0] if top else None,
    )


def _params(code, pools, scores, settings, cycle) -> dict:
    mentee_row, mentor_row = pools.mentee_rows[0], pools.mentor_rows[0]
    if code == "same_employer":
        return {"employer": (mentee_row["organisation"] or "").strip()}
    if code == "no_capacity":
        return {"capacity": int(mentor_row["capacity"] or 0), "taken": int(mentor_row["taken"])}
    if code == "paired_before":
        people = {
            "mentee__user_id": mentee_row["user_id"],
            "mentor__user_id": mentor_row["user_id"],
        }
        return {
            "matched_before": matched_before([mentee_row["user_id"]]).filter(**people).exists(),
            "discarded": discarded_in(cycle).filter(**people).exists(),
        }
    if code == "below_min_score":
        return {"score": round(float(scores.total[0, 0]), 2), "minimum": settings["min_score"]}
    return {}


def _status_label(value) -> str:
    try:
        return str(ApplicationStatus(value).label)
    except ValueError:
        return str(value or "")


def _number(value) -> str:
    number = float(value)
    return f"{number:.0f}" if number == int(number) else f"{number:.2f}"


def _paired_before(params) -> str:
    sentences = []
    if params.get("matched_before"):
        sentences.append(gettext("These two members were matched before."))
    if params.get("discarded"):
        sentences.append(
            gettext(
                "The committee rejected or discarded this pair in this cycle, or an "
                "invitation for it was declined; restore it to allow it again."
            )
        )
    return " ".join(sentences) or gettext("These two members were paired before.")


def _no_capacity(params) -> str:
    capacity = int(params.get("capacity") or 0)
    return ngettext(
        "The mentor has no free place: %(taken)d of %(capacity)d place is taken "
        "(approved matches, those awaiting consent, active ones and open proposals).",
        "The mentor has no free place: %(taken)d of %(capacity)d places are taken "
        "(approved matches, those awaiting consent, active ones and open proposals).",
        capacity,
    ) % {"taken": int(params.get("taken") or 0), "capacity": capacity}


def _mentee_not_in_pool(params) -> str:
    if params.get("held"):
        return gettext(
            "The mentee is not waiting in the pool: they already have a proposed or approved match."
        )
    return gettext("The mentee is not waiting in the pool: their application is %(status)s.") % {
        "status": _status_label(params.get("status"))
    }


_RENDER = {
    "mentor_not_in_cycle": lambda p: gettext(
        "This is not a mentor application of the mentee's cycle."
    ),
    "mentor_gone": lambda p: (
        gettext("The mentor's application is %(status)s: it takes no part in matching.")
        % {"status": _status_label(p.get("status"))}
    ),
    "mentee_not_in_pool": _mentee_not_in_pool,
    "same_person": lambda p: gettext("The mentor and the mentee are the same member."),
    "same_employer": lambda p: (
        gettext("Both work for the same employer (%(employer)s); colleagues are not paired.")
        % {"employer": p.get("employer") or ""}
    ),
    "no_capacity": _no_capacity,
    "paired_before": _paired_before,
    "below_min_score": lambda p: (
        gettext("The pair scores %(score)s, under the minimum score of %(minimum)s.")
        % {"score": _number(p.get("score") or 0), "minimum": _number(p.get("minimum") or 0)}
    ),
    "not_suggested": lambda p: gettext("The suggestions leave this pair out."),
}


def render_reason(reason) -> str:
    """A reason (a :class:`Reason` or its ``as_dict()``) in words, in the active language.

    An unknown code, or parameters that do not fit it, give an empty sentence.
    """
    if isinstance(reason, Mapping):
        code, params = reason.get("code"), reason.get("params")
    else:
        code, params = getattr(reason, "code", None), getattr(reason, "params", None)
    render = _RENDER.get(code) if isinstance(code, str) else None
    if render is None:
        return ""
    try:
        return render(params if isinstance(params, Mapping) else {})
    except (TypeError, ValueError, KeyError):
        return ""


__all__ = ["REASONS", "Reason", "WhyNot", "render_reason", "why_not"]
