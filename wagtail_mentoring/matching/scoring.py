"""Score every mentee against every mentor at once, and explain any one score.

Pure functions over numpy arrays: no database, no settings read. A :class:`Pool` holds
one side's profiles as arrays (built from applications by the pool module, or by
hand in tests and benchmarks). :func:`score_matrix` returns the whole
mentee by mentor score matrix with forbidden pairs marked (each group of components is
scored once per distinct profile, then spread over the matrix); :func:`explain` gives the
points of each component for one pair, with the facts behind them as codes and
parameters (``wagtail_mentoring.matching.explain`` turns those into sentences in the
reader's language when they are shown).

Components (:data:`COMPONENTS`; weights from ``WAGTAIL_MENTORING_MATCH_WEIGHTS``, their
defaults in ``wagtail_mentoring.conf.DEFAULT_MATCH_WEIGHTS``; each component is a
fraction from 0 to 1 times its weight):

``topics``      share of the mentee's wanted topics that the mentor offers
``stage``       1 when the mentor is more senior; 0.6 for reverse mentoring (a less
                senior mentor who offers a wanted topic); 0.3 at the same stage
``sector``      1 for the same sector
``region``      1 for the same region
``meeting``     1 when meeting preferences are compatible (in person and virtual are not)
``conference``  1 when both will attend the annual conference

Each mentee's own priorities (``Pool.priorities``: how important topics, a more senior
mentor, the same region or meeting in person, and the conference are to them) multiply
that mentee's points of the components they cover by a factor
(``WAGTAIL_MENTORING_PRIORITY_FACTORS``; see ``wagtail_mentoring.priorities``): one
factor matrix, a row per mentee, applied to every mentor at once. A mentor's preferred
career stages of mentee (``Pool.preferred_stages``) add a bonus of
``WAGTAIL_MENTORING_PRIORITY_STAGE_BONUS`` points to the pairs whose mentee is at one of
them. Without either, the scores are exactly the weighted components.

Hard constraints (the pair is forbidden, whatever its score): the same person, the
same employer (``WAGTAIL_MENTORING_MATCH_SAME_EMPLOYER_ALLOWED`` off), a mentor with
no free capacity, a pair matched before, and any pair scoring under the minimum.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence

import numpy as np

from ..conf import DEFAULT_MATCH_WEIGHTS, usable_weights, weight_problems
from ..priorities import (
    DEFAULT_STAGE_BONUS,
    LEVELS,
    PRIORITIES,
    PRIORITY_COMPONENTS,
    usable_factors,
)

#: The score components (stable codes, stored in explanations), in explanation order.
COMPONENTS: tuple[str, ...] = tuple(DEFAULT_MATCH_WEIGHTS)

# Codes shared by both sides.
MEETING_IN_PERSON, MEETING_VIRTUAL, MEETING_EITHER = 0, 1, 2
CONFERENCE_YES = 0

REVERSE_MENTORING = 0.6
SAME_STAGE = 0.3


@dataclasses.dataclass(frozen=True)
class Pool:
    """One side of the matching, as parallel arrays (one row per application).

    ``topics`` is a boolean matrix (rows by number of topics). Categorical fields are
    small integer codes; ``employer`` uses -1 for "unknown" (never equal to anything).
    ``person`` identifies the member, so that nobody is matched with themselves.
    """

    ids: np.ndarray  # application ids, int64
    person: np.ndarray  # user ids, int64
    topics: np.ndarray  # bool, rows by topics
    stage: np.ndarray  # int8, 0 = student … 4 = director
    sector: np.ndarray  # int32 codes
    region: np.ndarray  # int32 codes
    meeting: np.ndarray  # int8, MEETING_*
    conference: np.ndarray  # int8, CONFERENCE_YES = 0
    employer: np.ndarray  # int32, -1 unknown
    capacity: np.ndarray | None = None  # mentors only: free places
    #: mentees only: int8, rows by ``priorities.PRIORITIES``, each an index of
    #: ``priorities.LEVELS``; ``None``: every priority at its default level
    priorities: np.ndarray | None = None
    #: mentors only: bool, rows by career stage; a row without ``True``: any stage
    preferred_stages: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.ids)


@dataclasses.dataclass(frozen=True)
class Scores:
    """The score matrix and the mask of pairs that may be proposed."""

    total: np.ndarray  # float64, mentees by mentors
    allowed: np.ndarray  # bool, mentees by mentors


def weights_from(setting: Mapping[str, float] | None) -> dict[str, float]:
    """Merge a weights setting over the defaults; a bad entry raises ``ValueError``."""
    if setting is None:
        return dict(DEFAULT_MATCH_WEIGHTS)
    problems = weight_problems(setting)
    if problems:
        raise ValueError(f"Bad match weights: {'; '.join(problems)}.")
    return usable_weights(setting)


def factor_matrix(
    mentees: Pool, priority_factors: Mapping[str, float] | None = None
) -> np.ndarray | None:
    """Each mentee's factor for each component (rows by :data:`COMPONENTS`), from their
    priorities; ``None`` when every factor is 1 (the weighted components as they are)."""
    if mentees.priorities is None:
        return None
    factors = usable_factors(priority_factors)
    values = np.array([factors[level] for level in LEVELS], dtype=np.float64)
    levels = np.asarray(mentees.priorities, dtype=np.intp).reshape(len(mentees), len(PRIORITIES))
    by_priority = values[levels]
    matrix = np.ones((len(mentees), len(COMPONENTS)), dtype=np.float64)
    for p, name in enumerate(PRIORITIES):
        for component in PRIORITY_COMPONENTS[name]:
            matrix[:, _COLUMN[component]] = by_priority[:, p]
    return None if (matrix == 1.0).all() else matrix


def stage_wanted(mentees: Pool, mentors: Pool) -> np.ndarray | None:
    """Pairs whose mentee is at a career stage the mentor asked for (mentees by mentors,
    bool); ``None`` when no mentor asked for any."""
    preferred = mentors.preferred_stages
    if preferred is None or not np.any(preferred):
        return None
    preferred = np.asarray(preferred, dtype=bool).reshape(len(mentors), -1)
    stage = np.clip(mentees.stage.astype(np.intp), 0, preferred.shape[1] - 1)
    return preferred.T[stage]


def component_matrices(mentees: Pool, mentors: Pool) -> dict[str, np.ndarray]:
    """Each component as a mentees by mentors matrix of fractions from 0 to 1."""
    wanted = mentees.topics.astype(np.float64)
    offered = mentors.topics.astype(np.float64)
    covered = wanted @ offered.T  # number of wanted topics the mentor offers
    wanted_count = np.maximum(wanted.sum(axis=1, keepdims=True), 1.0)
    topics = covered / wanted_count

    mentee_stage = mentees.stage[:, None].astype(np.int16)
    mentor_stage = mentors.stage[None, :].astype(np.int16)
    stage = np.where(
        mentor_stage > mentee_stage,
        1.0,
        np.where(
            mentor_stage == mentee_stage,
            SAME_STAGE,
            np.where(covered > 0, REVERSE_MENTORING, 0.0),
        ),
    )

    sector = (mentees.sector[:, None] == mentors.sector[None, :]).astype(np.float64)
    region = (mentees.region[:, None] == mentors.region[None, :]).astype(np.float64)
    a, b = mentees.meeting[:, None], mentors.meeting[None, :]
    clash = ((a == MEETING_IN_PERSON) & (b == MEETING_VIRTUAL)) | (
        (a == MEETING_VIRTUAL) & (b == MEETING_IN_PERSON)
    )
    meeting = (~clash).astype(np.float64)
    conference = (
        (mentees.conference[:, None] == CONFERENCE_YES)
        & (mentors.conference[None, :] == CONFERENCE_YES)
    ).astype(np.float64)
    return {
        "topics": topics,
        "stage": stage,
        "sector": sector,
        "region": region,
        "meeting": meeting,
        "conference": conference,
    }


def score_matrix(
    mentees: Pool,
    mentors: Pool,
    weights: Mapping[str, float] | None = None,
    *,
    min_score: float = 0.0,
    same_employer_allowed: bool = False,
    previous_pairs: Sequence[tuple[int, int]] = (),
    priority_factors: Mapping[str, float] | None = None,
    stage_bonus: float | None = None,
) -> Scores:
    """Score every (mentee, mentor) pair and mark the pairs that may be proposed.

    ``previous_pairs`` holds (mentee person, mentor person) pairs matched before.
    ``priority_factors`` (level to factor, defaults filled in) scales each mentee's
    components by their priorities; ``stage_bonus`` (default
    :data:`~wagtail_mentoring.priorities.DEFAULT_STAGE_BONUS`) is added where the mentor
    asked for the mentee's career stage.
    """
    weights = weights_from(weights)
    factors = factor_matrix(mentees, priority_factors)
    bonus = DEFAULT_STAGE_BONUS if stage_bonus is None else float(stage_bonus)
    total = np.zeros((len(mentees), len(mentors)), dtype=np.float64)
    if len(mentees) * len(mentors) < FACTOR_MIN_PAIRS:  # small: score every pair directly
        parts = component_matrices(mentees, mentors)
        for names, _features in _FACTORS:
            total += _weighted(parts, names, weights, factors)
        wanted = stage_wanted(mentees, mentors) if bonus else None
        if wanted is not None:
            total += bonus * wanted
    else:
        _add_factored(total, mentees, mentors, weights, factors, bonus)

    allowed = np.ones(total.shape, dtype=bool)
    for _code, ok in constraint_masks(
        mentees,
        mentors,
        total,
        min_score=min_score,
        same_employer_allowed=same_employer_allowed,
        previous_pairs=previous_pairs,
    ):
        allowed &= ok
    return Scores(total=total, allowed=allowed)


#: The hard constraints, as the stable codes :func:`constraint_masks` gives them, in order.
CONSTRAINTS: tuple[str, ...] = (
    "same_person",
    "same_employer",
    "no_capacity",
    "paired_before",
    "below_min_score",
)


def constraint_masks(
    mentees: Pool,
    mentors: Pool,
    total: np.ndarray,
    *,
    min_score: float = 0.0,
    same_employer_allowed: bool = False,
    previous_pairs: Sequence[tuple[int, int]] = (),
) -> Iterator[tuple[str, np.ndarray]]:
    """Each hard constraint (a code of :data:`CONSTRAINTS`) with the mask of the pairs it
    lets through (mentees by mentors, bool). A pair is allowed when every mask holds it:
    :func:`score_matrix` ands them, and ``matching.whynot`` names the ones that fail.

    ``total`` is the score matrix; ``previous_pairs`` holds (mentee person, mentor
    person) pairs matched before. A constraint that cannot fail here (the same
    employer allowed, no capacities given) is left out.
    """
    yield "same_person", mentees.person[:, None] != mentors.person[None, :]
    if not same_employer_allowed:
        same = (mentees.employer[:, None] == mentors.employer[None, :]) & (
            mentees.employer[:, None] >= 0
        )
        yield "same_employer", ~same
    if mentors.capacity is not None:
        yield "no_capacity", np.broadcast_to((mentors.capacity > 0)[None, :], total.shape)
    if previous_pairs:
        fresh = np.ones(total.shape, dtype=bool)
        rows_of: dict[int, list[int]] = {}
        for i, p in enumerate(mentees.person):
            rows_of.setdefault(int(p), []).append(i)
        cols_of: dict[int, list[int]] = {}
        for j, p in enumerate(mentors.person):
            cols_of.setdefault(int(p), []).append(j)
        for mentee_person, mentor_person in set(previous_pairs):
            rows = rows_of.get(int(mentee_person))
            cols = cols_of.get(int(mentor_person))
            if rows and cols:
                fresh[np.ix_(rows, cols)] = False
        yield "paired_before", fresh
    yield "below_min_score", total >= min_score


@dataclasses.dataclass(frozen=True)
class ComponentExplanation:
    """One component of one pair's score: its code, points, weight and the facts behind it.

    ``params`` holds plain JSON values only (no sentences), so an explanation can be
    stored and later rendered in any language:

    ``topics``      ``wanted`` (how many topics the mentee wants) and ``shared`` (the
                    wanted topics the mentor offers, each ``{"id": …, "name": …}``)
    ``stage``       ``relation`` (``"more_senior"``, ``"same_stage"``, ``"reverse"`` or
                    ``"less_senior"``), ``mentee`` and ``mentor`` (career stage codes)
    ``sector``      ``same`` (bool)
    ``region``      ``same`` (bool)
    ``meeting``     ``compatible`` (bool)
    ``conference``  ``both`` (bool: both will attend)

    Two more codes appear only where they change the score:

    ``mentee_priority``     right after the component it scales: ``component``,
                            ``priority`` (the mentee's priority, a code of
                            ``priorities.PRIORITIES``), ``level`` and ``factor``; its
                            points are what the factor adds (or takes away)
    ``mentor_preference``   last, when the mentor named career stages of mentee:
                            ``wanted`` (bool: the mentee is at one of them), ``mentee``
                            (the mentee's stage) and ``stages`` (the mentor's)
    """

    code: str
    points: float
    weight: float | None
    params: dict

    def as_dict(self) -> dict:
        """The form stored in ``Match.explanation``."""
        return {
            "code": self.code,
            "points": self.points,
            "weight": self.weight,
            "params": self.params,
        }


def explain(
    mentees: Pool,
    mentors: Pool,
    i: int,
    j: int,
    weights: Mapping[str, float] | None = None,
    topic_names: Sequence[str] = (),
    *,
    topic_ids: Sequence[int] = (),
    stage_codes: Sequence[str] = (),
    priority_factors: Mapping[str, float] | None = None,
    stage_bonus: float | None = None,
) -> list[ComponentExplanation]:
    """Points, and the facts that earned them, for each component of one pair's score.

    ``topic_ids`` and ``topic_names`` name the topic columns (a column without an id is
    given by its index, without a name by ``None``); ``stage_codes`` names the career
    stages (a stage without a code is given by its number).
    """
    weights = weights_from(weights)
    one_mentee = _take(mentees, i)
    one_mentor = _take(mentors, j)
    parts = {name: float(m[0, 0]) for name, m in component_matrices(one_mentee, one_mentor).items()}
    wanted = [int(t) for t in np.flatnonzero(mentees.topics[i])]
    common = [t for t in wanted if mentors.topics[j, t]]

    def topic(t: int) -> dict:
        return {
            "id": int(topic_ids[t]) if t < len(topic_ids) else t,
            "name": str(topic_names[t]) if t < len(topic_names) else None,
        }

    def stage(value: int):
        return str(stage_codes[value]) if value < len(stage_codes) else value

    mentee_stage, mentor_stage = int(mentees.stage[i]), int(mentors.stage[j])
    if mentor_stage > mentee_stage:
        relation = "more_senior"
    elif mentor_stage == mentee_stage:
        relation = "same_stage"
    elif common:
        relation = "reverse"
    else:
        relation = "less_senior"
    params = {
        "topics": {"wanted": len(wanted), "shared": [topic(t) for t in common]},
        "stage": {
            "relation": relation,
            "mentee": stage(mentee_stage),
            "mentor": stage(mentor_stage),
        },
        "sector": {"same": bool(parts["sector"])},
        "region": {"same": bool(parts["region"])},
        "meeting": {"compatible": bool(parts["meeting"])},
        "conference": {"both": bool(parts["conference"])},
    }
    factors = factor_matrix(one_mentee, priority_factors)
    explained = []
    for name in COMPONENTS:
        points = round(weights[name] * parts[name], 2)
        explained.append(
            ComponentExplanation(
                code=name, points=points, weight=weights[name], params=params[name]
            )
        )
        factor = 1.0 if factors is None else float(factors[0, _COLUMN[name]])
        if factor != 1.0:
            priority = _PRIORITY_OF[name]
            level = LEVELS[int(one_mentee.priorities[0, PRIORITIES.index(priority)])]
            explained.append(
                ComponentExplanation(
                    code="mentee_priority",
                    points=round(round(weights[name] * factor * parts[name], 2) - points, 2),
                    weight=None,
                    params={
                        "component": name,
                        "priority": priority,
                        "level": level,
                        "factor": factor,
                    },
                )
            )
    preferred = one_mentor.preferred_stages
    if preferred is not None and np.any(preferred):
        bonus = DEFAULT_STAGE_BONUS if stage_bonus is None else float(stage_bonus)
        wanted = stage_wanted(one_mentee, one_mentor)
        hit = bool(wanted is not None and wanted[0, 0])
        explained.append(
            ComponentExplanation(
                code="mentor_preference",
                points=round(bonus, 2) if hit else 0.0,
                weight=bonus,
                params={
                    "wanted": hit,
                    "mentee": stage(mentee_stage),
                    "stages": [stage(int(s)) for s in np.flatnonzero(preferred[0])],
                },
            )
        )
    return explained


def _weighted(parts, names, weights, factors) -> np.ndarray:
    """The weighted sum of the components ``names``, each mentee's row by its factors."""
    if factors is None:
        return sum(weights[name] * parts[name] for name in names)
    return sum((weights[name] * factors[:, _COLUMN[name], None]) * parts[name] for name in names)


def _add_factored(
    total: np.ndarray, mentees: Pool, mentors: Pool, weights, factors=None, bonus=0.0
) -> None:
    """Add the weighted components to ``total``, scoring each distinct profile once."""
    wanted_any = bool(bonus) and bool(np.any(mentors.preferred_stages))
    for names, features in _FACTORS:
        # The components in ``names`` depend only on ``features``, and far fewer
        # distinct profiles than applications exist: score the distinct ones, then
        # spread the small table over the whole matrix.
        mentee_rows, mentee_of = _distinct(mentees, features)
        mentor_rows, mentor_of = _distinct(mentors, features)
        parts = component_matrices(_subset(mentees, mentee_rows), _subset(mentors, mentor_rows))
        if factors is None:
            table = sum(weights[name] * parts[name] for name in names)
        else:
            # A row per distinct (profile, factors): each is its profile's row of each
            # component, times the weight and that mentee's factor.
            columns = [_COLUMN[name] for name in names]
            profile_of = mentee_of
            mentee_rows, mentee_of = _distinct_keys(profile_of, factors[:, columns])
            base = profile_of[mentee_rows]
            table = _weighted(
                {name: parts[name][base] for name in names}, names, weights, factors[mentee_rows]
            )
        if wanted_any and "stage" in features:
            # A column per distinct (profile, preferred stages), and the bonus added.
            profile_of = mentor_of
            mentor_rows, mentor_of = _distinct_keys(profile_of, mentors.preferred_stages)
            table = table[:, profile_of[mentor_rows]]
            table = table + bonus * stage_wanted(
                _subset(mentees, mentee_rows), _subset(mentors, mentor_rows)
            )
        total += np.take(np.take(table, mentee_of, axis=0), mentor_of, axis=1)


def _distinct_keys(profile_of: np.ndarray, extra: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Like :func:`_distinct`, over each row's profile number and the ``extra`` columns."""
    extra = np.asarray(extra).reshape(len(profile_of), -1)
    _, codes = np.unique(extra, axis=0, return_inverse=True)
    key = profile_of.astype(np.int64) * (int(codes.max(initial=0)) + 1) + codes.reshape(-1)
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    return first, inverse.reshape(-1)


#: Below this many pairs, scoring every pair directly is quicker than factoring.
FACTOR_MIN_PAIRS = 50_000

#: Components, and the profile fields they depend on (both sides).
_FACTORS = (
    (("topics", "stage"), ("topics", "stage")),
    (("sector", "region", "meeting", "conference"), ("sector", "region", "meeting", "conference")),
)


#: Each component's column in a factor matrix, and the mentee priority that scales it.
_COLUMN = {name: index for index, name in enumerate(COMPONENTS)}
_PRIORITY_OF = {
    component: priority
    for priority, components in PRIORITY_COMPONENTS.items()
    for component in components
}


def _distinct(pool: Pool, features: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(a row of each distinct profile, each row's profile number) over ``features``."""
    if not len(pool):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    columns = np.column_stack(
        [np.asarray(getattr(pool, name)).reshape(len(pool), -1) for name in features]
    ).astype(np.int64)
    _, first, inverse = np.unique(columns, axis=0, return_index=True, return_inverse=True)
    return first, inverse.reshape(-1)


def _subset(pool: Pool, rows: np.ndarray) -> Pool:
    fields = {
        f.name: (getattr(pool, f.name)[rows] if getattr(pool, f.name) is not None else None)
        for f in dataclasses.fields(pool)
    }
    return Pool(**fields)


def _take(pool: Pool, index: int) -> Pool:
    fields = {
        f.name: (
            getattr(pool, f.name)[index : index + 1] if getattr(pool, f.name) is not None else None
        )
        for f in dataclasses.fields(pool)
    }
    return Pool(**fields)
