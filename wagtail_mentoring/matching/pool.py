"""Build scoring pools from a cycle's applications, in a constant number of queries."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
from django.db.models import Count, F, Q, TextField
from django.db.models.functions import Cast

from ..models.applications import (
    Application,
    ApplicationStatus,
    CareerStage,
    ConferenceAttendance,
    MeetingPreference,
    Role,
)
from ..models.matches import HOLDS_CAPACITY, UNDERWAY, Match, MatchStatus
from ..models.topics import Topic
from ..priorities import DEFAULT_LEVEL, LEVELS, PRIORITIES, stored_priorities
from .scoring import CONFERENCE_YES, MEETING_EITHER, MEETING_IN_PERSON, MEETING_VIRTUAL, Pool

STAGES = [value for value, _label in CareerStage.choices]
MEETING = {
    MeetingPreference.IN_PERSON: MEETING_IN_PERSON,
    MeetingPreference.VIRTUAL: MEETING_VIRTUAL,
    MeetingPreference.EITHER: MEETING_EITHER,
}
OPEN_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.IN_POOL)
# "Matched before" means a pair that was introduced at some point, in any cycle;
# proposals (which a new suggestion run replaces), rejections, invitations awaiting
# consent and declined ones do not count.
MATCHED_BEFORE = (*UNDERWAY, MatchStatus.COMPLETED, MatchStatus.ENDED_EARLY)
FIELDS = (
    "id",
    "user_id",
    "name",
    "career_stage",
    "sector",
    "region",
    "organisation",
    "meeting_preference",
    "conference_attendance",
    "capacity",
    "submitted_at",
    "first_in_line_since",
)
#: The waiting list's order: first in line (after a declined invitation), then by wait.
WAITING_ORDER = (F("first_in_line_since").asc(nulls_last=True), "submitted_at", "pk")
#: Read for one side only, as the JSON text: what mentees rate (``priorities``), and
#: the stages mentors ask for (``preferred_mentee_stages``). Most are empty; decoding
#: only the others keeps loading thousands of rows as quick as without them.
MENTEE_JSON = {"priorities_json": Cast("priorities", TextField())}
MENTOR_JSON = {"preferred_stages_json": Cast("preferred_mentee_stages", TextField())}
_EMPTY_JSON = frozenset(("", "{}", "[]", "null"))


def _decoded(text):
    """A JSON column read as text, decoded (``None`` for an empty or unreadable one)."""
    if text is None or text in _EMPTY_JSON or text.strip() in _EMPTY_JSON:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


@dataclasses.dataclass
class CyclePools:
    mentees: Pool
    mentors: Pool
    topic_names: list[str]
    mentee_rows: list[dict]
    mentor_rows: list[dict]
    previous_pairs: list[tuple[int, int]]
    topic_ids: list[int] = dataclasses.field(default_factory=list)  # one per topic column


class _Codes(dict):
    def code(self, value: str) -> int:
        value = (value or "").strip().casefold()
        if not value:
            return -1
        return self.setdefault(value, len(self))


def _priorities(rows) -> np.ndarray | None:
    """Each mentee's level for each priority (``None`` when nobody rated anything)."""
    rated = {i: _decoded(row.get("priorities_json")) for i, row in enumerate(rows)}
    rated = {i: value for i, value in rated.items() if value}
    if not rated:
        return None
    levels = np.full((len(rows), len(PRIORITIES)), LEVELS.index(DEFAULT_LEVEL), dtype=np.int8)
    for i, value in rated.items():
        levels[i] = [LEVELS.index(level) for level in stored_priorities(value).values()]
    return levels


def _preferred_stages(rows) -> np.ndarray | None:
    """Each mentor's preferred career stages of mentee (``None`` when nobody named one)."""
    named = {i: _decoded(row.get("preferred_stages_json")) for i, row in enumerate(rows)}
    named = {i: value for i, value in named.items() if value}
    if not named:
        return None
    preferred = np.zeros((len(rows), len(STAGES)), dtype=bool)
    for i, stages in named.items():
        for value in stages if isinstance(stages, list) else ():
            if value in STAGES:
                preferred[i, STAGES.index(value)] = True
    return preferred


def _pool(rows, topic_index, topic_rows, codes, capacity=None) -> Pool:
    n = len(rows)
    row_of = {row["id"]: i for i, row in enumerate(rows)}
    topics = np.zeros((n, max(1, len(topic_index))), dtype=bool)
    for application_id, topic_id in topic_rows:
        i = row_of.get(application_id)
        if i is not None and topic_id in topic_index:
            topics[i, topic_index[topic_id]] = True
    return Pool(
        ids=np.array([r["id"] for r in rows], dtype=np.int64),
        person=np.array([r["user_id"] for r in rows], dtype=np.int64),
        topics=topics,
        stage=np.array(
            [STAGES.index(r["career_stage"]) if r["career_stage"] in STAGES else 0 for r in rows],
            dtype=np.int8,
        ),
        sector=np.array([codes["sector"].code(r["sector"]) for r in rows], dtype=np.int32),
        region=np.array([codes["region"].code(r["region"]) for r in rows], dtype=np.int32),
        meeting=np.array(
            [MEETING.get(r["meeting_preference"], MEETING_EITHER) for r in rows], dtype=np.int8
        ),
        conference=np.array(
            [
                CONFERENCE_YES if r["conference_attendance"] == ConferenceAttendance.YES else 1
                for r in rows
            ],
            dtype=np.int8,
        ),
        employer=np.array(
            [codes["employer"].code(r["organisation"]) for r in rows], dtype=np.int32
        ),
        capacity=None if capacity is None else np.array(capacity, dtype=np.int64),
        priorities=_priorities(rows),
        preferred_stages=_preferred_stages(rows),
    )


def _holding(keep_proposals: bool, prefix: str = "") -> Q:
    """Matches that hold a mentor's place (and a mentee) for this computation."""
    statuses = [*HOLDS_CAPACITY, MatchStatus.PROPOSED] if keep_proposals else list(HOLDS_CAPACITY)
    held = Q(**{f"{prefix}status__in": statuses})
    return held | Q(**{f"{prefix}status": MatchStatus.PROPOSED, f"{prefix}pinned": True})


#: Mentor applications in these statuses take no part in matching.
MENTOR_GONE = (ApplicationStatus.WITHDRAWN, ApplicationStatus.COMPLETED, ApplicationStatus.CLOSED)


def waiting_mentees(cycle, *, keep_proposals=False):
    """The cycle's mentee applications waiting for a match: the pool's mentees.

    Submitted or in the pool, and not held by a match (see :func:`load_pools` for
    ``keep_proposals``).
    """
    live_mentees = Match.objects.filter(_holding(keep_proposals), cycle=cycle).values("mentee_id")
    mentees = Application.objects.filter(cycle=cycle, role=Role.MENTEE, status__in=OPEN_STATUSES)
    return mentees.exclude(pk__in=live_mentees)


def taking_part_mentors(cycle, *, keep_proposals=False, gone=False):
    """The cycle's mentor applications that take part (none of :data:`MENTOR_GONE`; with
    ``gone``, those too), each annotated with ``taken``: the matches holding a place."""
    mentors = Application.objects.filter(cycle=cycle, role=Role.MENTOR)
    if not gone:
        mentors = mentors.exclude(status__in=MENTOR_GONE)
    return mentors.annotate(
        taken=Count("matches_as_mentor", filter=_holding(keep_proposals, "matches_as_mentor__"))
    )


def matched_before(mentee_people):
    """The matches that make their two members "matched before" (in any cycle), for
    these mentee members (user ids)."""
    return Match.objects.filter(status__in=MATCHED_BEFORE, mentee__user_id__in=mentee_people)


def discarded_in(cycle):
    """The cycle's pairs the committee rejected or discarded, and the pairs of a
    declined or unanswered invitation in any cycle: out until restored."""
    return Match.objects.filter(Q(cycle=cycle) | Q(status=MatchStatus.DECLINED), discarded=True)


def load_pools(
    cycle, *, mentee_ids=None, mentor_ids=None, keep_proposals=False, everyone=False
) -> CyclePools:
    """Mentees waiting for a match and mentors with free places, as scoring pools.

    Free places count approved and active matches, and pinned proposals (which the
    solver keeps). Pairs the committee discarded in this cycle are never allowed
    (``previous_pairs``) until restored. With ``keep_proposals`` every open proposal
    holds its place and its mentee (for one-click suggestions); without it, unpinned
    proposals are about to be replaced and hold nothing. ``mentee_ids`` and
    ``mentor_ids`` keep only those applications of each side (and read only their
    topics); an application that would not take part without them is not added by them.
    With ``everyone`` they are read whatever their status (to say why a pair is not
    allowed; see :func:`~wagtail_mentoring.matching.whynot.why_not`).
    """
    if everyone:
        mentees = Application.objects.filter(cycle=cycle, role=Role.MENTEE)
    else:
        mentees = waiting_mentees(cycle, keep_proposals=keep_proposals)
    if mentee_ids is not None:
        mentees = mentees.filter(pk__in=mentee_ids)
    mentee_rows = list(mentees.order_by(*WAITING_ORDER).values(*FIELDS, **MENTEE_JSON))

    mentors = taking_part_mentors(cycle, keep_proposals=keep_proposals, gone=everyone).order_by(
        "submitted_at", "pk"
    )
    if mentor_ids is not None:
        mentors = mentors.filter(pk__in=mentor_ids)
    mentor_rows = list(mentors.values(*FIELDS, "taken", **MENTOR_JSON))

    topic_list = list(Topic.objects.values_list("id", "name"))
    topic_index = {topic_id: i for i, (topic_id, _name) in enumerate(topic_list)}
    # Join on the cycle rather than pass thousands of ids as query parameters.
    through = Application.topics.through
    topic_rows = through.objects.filter(application__cycle=cycle)
    if mentee_ids is not None or mentor_ids is not None:  # a few: skip the others' topics
        mentee_side = (
            Q(application__role=Role.MENTEE)
            if mentee_ids is None
            else Q(application__role=Role.MENTEE, application_id__in=mentee_ids)
        )
        mentor_side = (
            Q(application__role=Role.MENTOR)
            if mentor_ids is None
            else Q(application__role=Role.MENTOR, application_id__in=mentor_ids)
        )
        topic_rows = topic_rows.filter(mentee_side | mentor_side)
    topic_rows = list(topic_rows.values_list("application_id", "topic_id"))

    people = {r["user_id"] for r in mentee_rows}
    previous = (
        list(matched_before(people).values_list("mentee__user_id", "mentor__user_id"))
        if people
        else []
    )
    # Pairs the committee rejected or discarded in this cycle stay out until restored.
    previous += list(discarded_in(cycle).values_list("mentee__user_id", "mentor__user_id"))

    codes = {"sector": _Codes(), "region": _Codes(), "employer": _Codes()}
    return CyclePools(
        mentees=_pool(mentee_rows, topic_index, topic_rows, codes),
        mentors=_pool(
            mentor_rows,
            topic_index,
            topic_rows,
            codes,
            capacity=[max(0, (r["capacity"] or 0) - r["taken"]) for r in mentor_rows],
        ),
        topic_names=[name for _id, name in topic_list],
        mentee_rows=mentee_rows,
        mentor_rows=mentor_rows,
        previous_pairs=previous,
        topic_ids=[topic_id for topic_id, _name in topic_list],
    )


__all__ = [
    "MATCHED_BEFORE",
    "MENTOR_GONE",
    "WAITING_ORDER",
    "CyclePools",
    "discarded_in",
    "load_pools",
    "matched_before",
    "taking_part_mentors",
    "waiting_mentees",
]
