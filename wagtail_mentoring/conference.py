"""The conference's speed-mentoring rotations, from a cycle's applications.

Glue between the database and the planner (:mod:`wagtail_mentoring.matching.rotations`):
who may take part, which pairs may never meet, and the plan with its times, tables
and figures. Nothing here knows about HTTP; the admin view and the tests call
:func:`plan_conference` alike.

A plan is a pure function of its inputs (the applications chosen, tables, rounds,
start and round length) and of the applications' data: the same inputs give the same
plan, so the page and its downloads recompute it rather than store it.
:attr:`RotationSchedule.digest` fingerprints the result, so a download can tell
when the data changed in between.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib

import numpy as np
from django.db.models import Q

from .matching.rotations import (
    Plan,
    plan_rotations,
    random_plan,
    score_plan,
    steady_tables,
    topic_fit,
)
from .models.applications import Application, ApplicationStatus, ConferenceAttendance, Role
from .models.matches import HOLDS_CAPACITY, Match, MatchStatus

#: The conference activity (``WAGTAIL_MENTORING_CONFERENCE_ACTIVITIES``) of speed mentoring.
SPEED_MENTORING = "speed_mentoring"
#: Matches whose two people never sit together: they hold a place, or were completed.
MATCHED = (*HOLDS_CAPACITY, MatchStatus.COMPLETED)
#: Applications that no longer take part in the cycle.
GONE = (ApplicationStatus.WITHDRAWN, ApplicationStatus.CLOSED)
#: The random rotations' seed: the same inputs always give the same baseline.
SEED = 20261202


def volunteer_candidates(cycle):
    """The cycle's mentor applications that still take part, by name."""
    return (
        Application.objects.filter(cycle=cycle, role=Role.MENTOR)
        .exclude(status__in=GONE)
        .order_by("name", "pk")
    )


def participant_candidates(cycle):
    """The cycle's mentee applications that still take part, by name."""
    return (
        Application.objects.filter(cycle=cycle, role=Role.MENTEE)
        .exclude(status__in=GONE)
        .order_by("name", "pk")
    )


def offered_speed_mentoring(application) -> bool:
    """A mentor who offered to help with speed mentoring at the conference."""
    return SPEED_MENTORING in (application.conference_activities or [])


def signed_up_for_conference(application) -> bool:
    """A mentee who said they attend the conference."""
    return application.conference_attendance == ConferenceAttendance.YES


def employer_key(organisation: str) -> str:
    """An employer as matching compares it (``matching.pool``): case-insensitive,
    trimmed; empty matches nobody."""
    return (organisation or "").strip().casefold()


@dataclasses.dataclass(frozen=True)
class Person:
    id: int  # the application's id
    name: str
    role: str  # "volunteer" or "participant"
    email: str = ""


@dataclasses.dataclass(frozen=True)
class Seat:
    """One person's round: when, at which table (1-based; ``None`` if none) and with whom."""

    round: int  # 1-based
    start: datetime.datetime
    end: datetime.datetime
    table: int | None
    with_: tuple[Person, ...]


@dataclasses.dataclass
class RotationSchedule:
    volunteers: list[Person]
    participants: list[Person]
    plan: Plan
    fits: np.ndarray
    times: list[tuple[datetime.datetime, datetime.datetime]]
    figures: dict
    baseline: dict
    random_rotations: int
    digest: str

    @property
    def tables(self) -> int:
        return self.plan.hosts.shape[1]

    def seated(self, round_: int, table: int) -> list[Person]:
        """The participants at ``table`` (0-based) in ``round_`` (0-based)."""
        host = self.plan.hosts[round_, table]
        return [
            self.participants[p] for p in np.flatnonzero(self.plan.seats[round_] == host).tolist()
        ]

    def by_table(self) -> list[dict]:
        """Per table (1-based ``number``): each round's time, host and participants."""
        return [
            {
                "number": table + 1,
                "rounds": [
                    {
                        "round": r + 1,
                        "start": start,
                        "end": end,
                        "host": self.volunteers[self.plan.hosts[r, table]],
                        "participants": self.seated(r, table),
                    }
                    for r, (start, end) in enumerate(self.times)
                ],
            }
            for table in range(self.tables)
        ]

    def schedule_of(self, person: Person) -> list[Seat]:
        """Every round of one volunteer or participant."""
        seats = []
        for r, (start, end) in enumerate(self.times):
            if person.role == "participant":
                p = self.participants.index(person)
                table = self.plan.table_of(r, p)
                host = self.volunteers[self.plan.seats[r, p]] if table >= 0 else None
                seats.append(
                    Seat(r + 1, start, end, table + 1 if host else None, (host,) if host else ())
                )
            else:
                v = self.volunteers.index(person)
                hosting = np.flatnonzero(self.plan.hosts[r] == v).tolist()
                table = hosting[0] if hosting else None
                seats.append(
                    Seat(
                        r + 1,
                        start,
                        end,
                        None if table is None else table + 1,
                        tuple(self.seated(r, table)) if table is not None else (),
                    )
                )
        return seats

    def people(self) -> list[tuple[Person, list[Seat]]]:
        """Everyone with their rounds: the volunteers, then the participants."""
        return [(person, self.schedule_of(person)) for person in self.everyone()]

    def everyone(self) -> list[Person]:
        by_name = sorted(self.volunteers, key=lambda p: (p.name.casefold(), p.id))
        return by_name + sorted(self.participants, key=lambda p: (p.name.casefold(), p.id))

    def person(self, application_id: int) -> Person | None:
        return next((p for p in self.everyone() if p.id == application_id), None)

    def rows(self):
        """One row per participant and round: round, start, end, table, host, participant,
        and whether they share a wanted topic. A round sat out has no table or host."""
        for r, (start, end) in enumerate(self.times):
            for p, participant in enumerate(self.participants):
                table = self.plan.table_of(r, p)
                if table < 0:
                    yield (r + 1, start, end, None, None, participant, False)
                    continue
                v = int(self.plan.seats[r, p])
                yield (r + 1, start, end, table + 1, self.volunteers[v], participant,
                       bool(self.fits[p, v]))  # fmt: skip


@dataclasses.dataclass
class RotationInputs:
    volunteers: list[Person]
    participants: list[Person]
    volunteer_topics: np.ndarray
    participant_topics: np.ndarray
    forbidden: np.ndarray


def rotation_inputs(cycle, volunteer_ids, participant_ids) -> RotationInputs:
    """The planner's matrices for the chosen applications of ``cycle`` (by id order).

    A pair may never meet when it is the same member (someone who is both mentor and
    mentee), when the two are matched (a match that holds a place, or a completed
    one, in any cycle and either way round) or when they share an employer (as
    matching compares employers). Ids that are not the cycle's volunteers or
    participants are left out.
    """
    fields = ("id", "user_id", "name", "contact_email", "organisation")
    volunteers = list(
        volunteer_candidates(cycle)
        .filter(pk__in=list(volunteer_ids))
        .order_by("pk")
        .values(*fields)
    )
    participants = list(
        participant_candidates(cycle)
        .filter(pk__in=list(participant_ids))
        .order_by("pk")
        .values(*fields)
    )
    ids = [row["id"] for row in volunteers + participants]
    through = Application.topics.through
    topic_rows = list(
        through.objects.filter(application_id__in=ids).values_list("application_id", "topic_id")
    )
    columns = {t: i for i, t in enumerate(sorted({t for _a, t in topic_rows}))}

    def matrix(rows):
        index = {row["id"]: i for i, row in enumerate(rows)}
        topics = np.zeros((len(rows), max(1, len(columns))), dtype=bool)
        for application_id, topic_id in topic_rows:
            if application_id in index:
                topics[index[application_id], columns[topic_id]] = True
        return topics

    v_users = np.array([row["user_id"] for row in volunteers], dtype=np.int64)
    p_users = np.array([row["user_id"] for row in participants], dtype=np.int64)
    forbidden = p_users[:, None] == v_users[None, :]
    employer = {}
    v_employers = np.array(
        [employer.setdefault(employer_key(r["organisation"]), len(employer)) for r in volunteers]
    )
    p_employers = np.array(
        [employer.setdefault(employer_key(r["organisation"]), len(employer)) for r in participants]
    )
    unknown = employer.get("", -1)
    if len(volunteers) and len(participants):
        forbidden |= (p_employers[:, None] == v_employers[None, :]) & (
            p_employers[:, None] != unknown
        )
    users = {int(u) for u in np.concatenate([v_users, p_users])}
    if users:
        matched = Match.objects.filter(status__in=MATCHED).filter(
            Q(mentor__user_id__in=users) & Q(mentee__user_id__in=users)
        )
        pairs = set(matched.values_list("mentor__user_id", "mentee__user_id"))
        pairs |= {(b, a) for a, b in pairs}
        for p, p_user in enumerate(p_users.tolist()):
            for v, v_user in enumerate(v_users.tolist()):
                if (v_user, p_user) in pairs:
                    forbidden[p, v] = True

    def people(rows, role):
        return [Person(r["id"], r["name"], role, r["contact_email"]) for r in rows]

    return RotationInputs(
        volunteers=people(volunteers, "volunteer"),
        participants=people(participants, "participant"),
        volunteer_topics=matrix(volunteers),
        participant_topics=matrix(participants),
        forbidden=forbidden.reshape(len(participants), len(volunteers)),
    )


def round_times(start: datetime.datetime, minutes: int, rounds: int):
    """Each round's start and end, one after the other."""
    length = datetime.timedelta(minutes=minutes)
    return [(start + r * length, start + (r + 1) * length) for r in range(rounds)]


def plan_conference(
    cycle,
    volunteer_ids,
    participant_ids,
    *,
    tables: int,
    rounds: int,
    start: datetime.datetime,
    minutes: int,
    random_rotations: int = 100,
) -> RotationSchedule:
    """Plan the rotations of the chosen volunteers and participants of ``cycle``.

    Solved with :func:`~wagtail_mentoring.matching.rotations.plan_rotations` (no pair
    twice, no forbidden pair, seats on wanted topics first), with a host kept at one
    table while they host (:func:`~wagtail_mentoring.matching.rotations.steady_tables`).
    ``baseline`` is the best topic fit of ``random_rotations`` random rotations of
    the same people, seeded, as ``benchmarks/rotation.py`` computes it. Raises
    ``ValueError`` as the planner does (for example more tables than volunteers).
    """
    inputs = rotation_inputs(cycle, volunteer_ids, participant_ids)
    if not inputs.participants:
        raise ValueError("there are no participants")
    plan = steady_tables(
        plan_rotations(
            inputs.volunteer_topics,
            inputs.participant_topics,
            tables=tables,
            rounds=rounds,
            forbidden=inputs.forbidden,
        )
    )
    fits = topic_fit(inputs.volunteer_topics, inputs.participant_topics)
    figures = score_plan(plan, fits, inputs.forbidden)
    rng = np.random.default_rng(SEED)
    n_v, n_p = len(inputs.volunteers), len(inputs.participants)
    randoms = [
        score_plan(random_plan(rng, n_v, n_p, tables=tables, rounds=rounds), fits, inputs.forbidden)
        for _ in range(random_rotations)
    ]
    baseline = max(randoms, key=lambda r: r["topic_fit"]) if randoms else {}
    digest = hashlib.sha256()
    for part in (
        [p.id for p in inputs.volunteers],
        [p.id for p in inputs.participants],
        [tables, rounds, minutes, start.isoformat()],
    ):
        digest.update(repr(part).encode())
    digest.update(plan.seats.tobytes())
    digest.update(plan.hosts.tobytes())
    return RotationSchedule(
        volunteers=inputs.volunteers,
        participants=inputs.participants,
        plan=plan,
        fits=fits,
        times=round_times(start, minutes, rounds),
        figures=figures,
        baseline=baseline,
        random_rotations=random_rotations,
        digest=digest.hexdigest()[:16],
    )


__all__ = [
    "SPEED_MENTORING",
    "Person",
    "RotationSchedule",
    "Seat",
    "offered_speed_mentoring",
    "participant_candidates",
    "plan_conference",
    "rotation_inputs",
    "signed_up_for_conference",
    "volunteer_candidates",
]
