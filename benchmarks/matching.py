"""Benchmark: scoring and solving a cycle's matching, alone and end to end.

Run from the repository root, with no arguments::

    .venv/bin/python benchmarks/matching.py

Random profiles (``numpy.random.default_rng`` with a fixed seed): 8 topics, each
wanted or offered with probability 0.3 (at least one); career stage 0-4 (mentees
lean junior, mentors senior); 8 sectors; 5 regions; meeting preference; conference
attendance; 200 employers (5% leave it blank); mentor capacity 1-3.

Solver only, at 2,000 mentees x 1,000 mentors and 5,000 x 2,500, on ``Pool`` objects
built in memory: ``score_matrix`` (minimum score 20, default weights), ``solve`` and
``solve_greedy`` are timed separately. The dense reference runs
``scipy.optimize.linear_sum_assignment`` on the full capacity-expanded matrix (one
column per mentor seat, nothing removed; a forbidden pair costs 0, like leaving the
mentee unmatched). ``optimal`` says whether ``solve`` reaches the dense optimum.
At 5,000 x 2,500 ``score_matrix`` is timed again with each mentee's priorities (an
answer other than "somewhat" with probability 0.3) and preferred mentee stages for 30%
of the mentors (``score_priorities_s_5000x2500``), from a generator of its own.

End to end, in one in-memory SQLite database (tests.settings): the 2,000 x 1,000
profiles are stored as applications in an open cycle (users, applications and topic
rows with ``bulk_create``) and ``suggest_for_cycle`` is timed (load, score, solve,
save the proposals with their explanations) and its queries counted. A second cycle
holds the 5,000 x 2,500 profiles; ``suggest_mentors`` is timed for 20 of its mentees.

Both solver backends: ``solve`` runs with POT (the ``large`` extra) and again with
``import ot`` blocked (scipy alone), at 300 x 150, 2,000 x 1,000 and 5,000 x 2,500.

The cold case: a new process (``benchmarks/matching.py --cold pot|scipy``, seeded, with
``ot`` blocked for ``scipy``) imports the package (``django.setup``), stores a 300 x 150
pool and times its first ``suggest_for_cycle``, which imports the solver's libraries;
``cold_first_suggest_s_pot`` and ``cold_first_suggest_s_scipy`` side by side.

Nothing here asserts a timing: the figures are printed, and the last line of output
is one JSON object.
"""

from __future__ import annotations

import dataclasses
import datetime
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import numpy as np

REPO = Path(__file__).resolve().parent.parent

SEED = 20_270_101
TOPICS = 8
TOPIC_PROBABILITY = 0.3
SECTORS = 8
REGIONS = ("North", "South", "East", "West", "Central")
EMPLOYERS = 200
BLANK_EMPLOYER = 0.05
MENTEE_STAGES = (0.25, 0.30, 0.25, 0.15, 0.05)
MENTOR_STAGES = (0.02, 0.13, 0.30, 0.35, 0.20)
MEETING = (0.3, 0.3, 0.4)  # in person, virtual, either
CONFERENCE = (0.5, 0.3, 0.2)  # yes, no, not sure
MIN_SCORE = 20.0

SIZES = ((2_000, 1_000), (5_000, 2_500))
RUNS = {(300, 150): 3, (2_000, 1_000): 3, (5_000, 2_500): 3}
SCIPY_RUNS = {(300, 150): 3, (2_000, 1_000): 1, (5_000, 2_500): 1}
COLD_SIZE = (300, 150)
SUGGEST_MENTEES = 20

GOAL_SOLVER_S = 2.0  # score_matrix + solve at 5,000 x 2,500
GOAL_SUGGEST_MS = 50.0


def setup_django() -> None:
    # benchmarks/email.py would hide the standard library's ``email`` package.
    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    # Always an in-memory SQLite database, whatever DATABASE_URL the shell has.
    os.environ["DATABASE_URL"] = "sqlite://:memory:"
    import django

    django.setup()

    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, serialize=False)


# -- profiles -------------------------------------------------------------------------


def make_profiles(rng: np.random.Generator, n: int, role: str) -> dict[str, np.ndarray]:
    """``n`` random profiles as arrays of small integer codes."""
    topics = rng.random((n, TOPICS)) < TOPIC_PROBABILITY
    empty = np.flatnonzero(~topics.any(axis=1))
    topics[empty, rng.integers(0, TOPICS, size=len(empty))] = True
    employer = rng.integers(0, EMPLOYERS, size=n)
    employer[rng.random(n) < BLANK_EMPLOYER] = -1
    stages = MENTOR_STAGES if role == "mentor" else MENTEE_STAGES
    return {
        "topics": topics,
        "stage": rng.choice(5, size=n, p=stages),
        "sector": rng.integers(0, SECTORS, size=n),
        "region": rng.integers(0, len(REGIONS), size=n),
        "meeting": rng.choice(3, size=n, p=MEETING),
        "conference": rng.choice(3, size=n, p=CONFERENCE),
        "employer": employer,
        "capacity": rng.integers(1, 4, size=n) if role == "mentor" else None,
    }


def make_pool(profiles: dict, first_person: int):
    """A scoring pool from profiles; people are numbered from ``first_person``."""
    from wagtail_mentoring.matching.scoring import (
        CONFERENCE_YES,
        MEETING_EITHER,
        MEETING_IN_PERSON,
        MEETING_VIRTUAL,
        Pool,
    )

    n = len(profiles["stage"])
    meeting_codes = np.array([MEETING_IN_PERSON, MEETING_VIRTUAL, MEETING_EITHER], dtype=np.int8)
    capacity = profiles["capacity"]
    return Pool(
        ids=np.arange(1, n + 1, dtype=np.int64),
        person=np.arange(first_person, first_person + n, dtype=np.int64),
        topics=profiles["topics"].copy(),
        stage=profiles["stage"].astype(np.int8),
        sector=profiles["sector"].astype(np.int32),
        region=profiles["region"].astype(np.int32),
        meeting=meeting_codes[profiles["meeting"]],
        conference=np.where(profiles["conference"] == 0, CONFERENCE_YES, 1).astype(np.int8),
        employer=profiles["employer"].astype(np.int32),
        capacity=None if capacity is None else capacity.astype(np.int64),
    )


# -- solver only ------------------------------------------------------------------------


def timed(function, runs: int):
    """(median seconds, last result) of ``runs`` calls."""
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def dense_reference(score: np.ndarray, allowed: np.ndarray, capacity: np.ndarray) -> dict:
    """linear_sum_assignment on the full capacity-expanded matrix, nothing removed."""
    from scipy.optimize import linear_sum_assignment

    start = time.perf_counter()
    usable = allowed & (score > 0)
    seats = np.repeat(np.arange(score.shape[1]), capacity)
    cost = np.where(usable[:, seats], -score[:, seats], 0.0)
    built = time.perf_counter()
    rows, columns = linear_sum_assignment(cost)
    solved = time.perf_counter()
    chosen = usable[rows, seats[columns]]
    total = float(score[rows[chosen], seats[columns[chosen]]].sum())
    return {
        "build_s": built - start,
        "lsa_s": solved - built,
        "total": total,
        "pairs": int(chosen.sum()),
        "shape": cost.shape,
    }


def dense_lexicographic(score, allowed, capacity, bonus) -> dict:
    """The reference for "most matched first, then total with bonuses": the Hungarian
    algorithm on the capacity-expanded matrix, each usable pair weighted by more than
    any whole total."""
    from scipy.optimize import linear_sum_assignment

    usable = allowed & (score > 0)
    value = score + bonus[:, None]
    weight = (min(score.shape[0], int(capacity.sum())) + 1) * float(value[usable].max())
    seats = np.repeat(np.arange(score.shape[1]), capacity)
    cost = np.where(usable[:, seats], -(value + weight)[:, seats], 0.0)
    start = time.perf_counter()
    rows, columns = linear_sum_assignment(cost)
    lsa_s = time.perf_counter() - start
    chosen = usable[rows, seats[columns]]
    return {
        "lsa_s": lsa_s,
        "pairs": int(chosen.sum()),
        "value": float(value[rows[chosen], seats[columns[chosen]]].sum()),
    }


def feasible(solution, allowed: np.ndarray, capacity: np.ndarray) -> bool:
    """Each mentee at most once, mentor capacities kept, only allowed pairs."""
    if not solution.pairs:
        return True
    rows, columns = np.array(solution.pairs).T
    return bool(
        len(set(rows.tolist())) == len(rows)
        and (np.bincount(columns, minlength=len(capacity)) <= capacity).all()
        and allowed[rows, columns].all()
    )


def solver_case(rng: np.random.Generator, n_mentees: int, n_mentors: int) -> dict:
    from wagtail_mentoring.matching.scoring import score_matrix
    from wagtail_mentoring.matching.solver import solve, solve_greedy

    runs = RUNS[(n_mentees, n_mentors)]
    mentee_profiles = make_profiles(rng, n_mentees, "mentee")
    mentor_profiles = make_profiles(rng, n_mentors, "mentor")
    mentees = make_pool(mentee_profiles, 1)
    mentors = make_pool(mentor_profiles, n_mentees + 1)

    score_s, scores = timed(lambda: score_matrix(mentees, mentors, min_score=MIN_SCORE), runs)
    capacity = mentors.capacity
    solve_s, exact = timed(lambda: solve(scores.total, scores.allowed, capacity), runs)
    with mock.patch.dict(sys.modules, {"ot": None}):  # POT not installed: scipy alone
        scipy_runs = SCIPY_RUNS[(n_mentees, n_mentors)]
        scipy_s, scipy_only = timed(
            lambda: solve(scores.total, scores.allowed, capacity), scipy_runs
        )
    greedy_s, greedy = timed(lambda: solve_greedy(scores.total, scores.allowed, capacity), runs)
    dense = dense_reference(scores.total, scores.allowed, capacity)
    optimal = abs(exact.total - dense["total"]) <= 1e-6
    lexicographic = {}
    if (n_mentees, n_mentors) == (5000, 2500):
        # Most matched first, then the total with a bonus of 1 point per week waited.
        bonus = rng.integers(0, 27, n_mentees).astype(np.float64)
        lex_s, lex = timed(
            lambda: solve(scores.total, scores.allowed, capacity, bonus=bonus, most_matched=True),
            runs,
        )
        reference = dense_lexicographic(scores.total, scores.allowed, capacity, bonus)
        lex_value = float(sum(scores.total[i, j] + bonus[i] for i, j in lex.pairs))
        # The same pools with what matters to each mentee (each answer "somewhat" with
        # probability 0.7, else any level) and preferred mentee stages for 30% of the
        # mentors; its own generator, so the other figures keep their random draws.
        extra = np.random.default_rng(SEED + 2)
        levels = np.where(
            extra.random((n_mentees, 4)) < 0.7, 1, extra.integers(0, 3, (n_mentees, 4))
        ).astype(np.int8)
        preferred = extra.random((n_mentors, 5)) < 0.3
        preferred[extra.random(n_mentors) < 0.7] = False
        rated_s, _rated = timed(
            lambda: score_matrix(
                dataclasses.replace(mentees, priorities=levels),
                dataclasses.replace(mentors, preferred_stages=preferred),
                min_score=MIN_SCORE,
            ),
            runs,
        )
        lexicographic = {
            "score_priorities_s": rated_s,
            "lexicographic_s": lex_s,
            "lexicographic_pairs": len(lex.pairs),
            "lexicographic_reference_pairs": reference["pairs"],
            "lexicographic_value": lex_value,
            "lexicographic_reference_value": reference["value"],
            "lexicographic_rounds": lex.rounds,
            "lexicographic_optimal": len(lex.pairs) == reference["pairs"]
            and abs(lex_value - reference["value"]) <= 1e-6 * max(1.0, reference["value"])
            and feasible(lex, scores.allowed, capacity),
            "score_only_pairs": len(exact.pairs),
        }
    return {
        **lexicographic,
        "size": f"{n_mentees}x{n_mentors}",
        "mentee_profiles": mentee_profiles,
        "mentor_profiles": mentor_profiles,
        "runs": runs,
        "score_s": score_s,
        "solve_s": solve_s,
        "backend": exact.backend,
        "scipy_s": scipy_s,
        "scipy_backend": scipy_only.backend,
        "scipy_total": scipy_only.total,
        "scipy_optimal": abs(scipy_only.total - dense["total"]) <= 1e-6,
        "solver_s": score_s + solve_s,
        "greedy_s": greedy_s,
        "dense": dense,
        "exact_total": exact.total,
        "exact_pairs": len(exact.pairs),
        "exact_rounds": exact.rounds,
        "exact_arcs": exact.arcs,
        "greedy_total": greedy.total,
        "greedy_pairs": len(greedy.pairs),
        "optimal": optimal,
        "feasible": feasible(exact, scores.allowed, capacity)
        and feasible(greedy, scores.allowed, capacity),
        "allowed_share": float(scores.allowed.mean()),
        "total_seats": int(capacity.sum()),
        "total_vs_greedy": dense["total"] / greedy.total if greedy.total else float("nan"),
    }


# -- database ---------------------------------------------------------------------------


def build_programme():
    """A programme page under the site's home page, and the topics."""
    from django.core.cache import cache
    from wagtail.models import Site

    from wagtail_mentoring.models import MentoringProgramPage, Topic

    cache.clear()
    home = Site.objects.select_related("root_page").get(is_default_site=True).root_page
    program = MentoringProgramPage(title="Mentoring", slug="mentoring")
    home.add_child(instance=program)
    program.save_revision().publish()
    program.refresh_from_db()
    topics = Topic.objects.bulk_create(
        Topic(name=f"Topic {index + 1}", sort_order=index) for index in range(TOPICS)
    )
    return program, topics


def make_cycle(program, name: str, open_now: bool):
    from django.utils import timezone

    from wagtail_mentoring.models import Cycle

    now = timezone.now()
    opens = now - datetime.timedelta(days=2 if open_now else 60)
    closes = now + datetime.timedelta(days=20) if open_now else now - datetime.timedelta(days=5)
    return Cycle.objects.create(
        program_page=program,
        name=name,
        applications_open=opens,
        applications_close=closes,
        pairing_start=(closes + datetime.timedelta(days=60)).date(),
        matching_deadline=(now + datetime.timedelta(days=60)).date(),
    )


def store_applications(cycle, topics, mentee_profiles, mentor_profiles, prefix: str) -> dict:
    """Users, applications and topic rows for both sides, all with bulk_create.

    Applications are submitted one second apart in profile order (mentees, then
    mentors), so ``load_pools`` returns the rows in the order of the profiles.
    """
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from wagtail_mentoring.models import Application
    from wagtail_mentoring.models.applications import CareerStage

    User = get_user_model()
    stages = [value for value, _label in CareerStage.choices]
    # Codes of its own: the pool has more sectors than the package's default list, and
    # scoring only compares them.
    sectors = [f"sector-{number}" for number in range(SECTORS)]
    meetings = ["in_person", "virtual", "either"]
    conferences = ["yes", "no", "unsure"]
    start = time.perf_counter()
    sides = [("mentee", mentee_profiles), ("mentor", mentor_profiles)]
    count = sum(len(profiles["stage"]) for _role, profiles in sides)
    users = User.objects.bulk_create(
        User(
            username=f"{prefix}{number}",
            email=f"{prefix}{number}@example.org",
            password="!",  # unusable
            first_name="Member",
            last_name=str(number),
        )
        for number in range(count)
    )
    base = timezone.now() - datetime.timedelta(days=10)
    applications = []
    for role, profiles in sides:
        for index in range(len(profiles["stage"])):
            user = users[len(applications)]
            employer = int(profiles["employer"][index])
            applications.append(
                Application(
                    user=user,
                    cycle=cycle,
                    role=role,
                    contact_email=user.email,
                    name=f"{role.title()} {index}",
                    career_stage=stages[int(profiles["stage"][index])],
                    sector=sectors[int(profiles["sector"][index])],
                    region=REGIONS[int(profiles["region"][index])],
                    organisation="" if employer < 0 else f"Employer {employer}",
                    meeting_preference=meetings[int(profiles["meeting"][index])],
                    conference_attendance=conferences[int(profiles["conference"][index])],
                    goals="Grow.",
                    commitment_consent=True,
                    privacy_consent=True,
                    capacity=(
                        int(profiles["capacity"][index])
                        if profiles["capacity"] is not None
                        else None
                    ),
                    submitted_at=base + datetime.timedelta(seconds=len(applications)),
                )
            )
    applications = Application.objects.bulk_create(applications)
    through = Application.topics.through
    rows = []
    position = 0
    for _role, profiles in sides:
        for index in range(len(profiles["stage"])):
            application_id = applications[position].pk
            rows.extend(
                through(application_id=application_id, topic_id=topics[t].pk)
                for t in np.flatnonzero(profiles["topics"][index])
            )
            position += 1
    through.objects.bulk_create(rows)
    n_mentees = len(mentee_profiles["stage"])
    ids = [application.pk for application in applications]
    return {  # ids only: thousands of model instances kept alive would slow the GC
        "mentees": ids[:n_mentees],
        "mentors": ids[n_mentees:],
        "topic_rows": len(rows),
        "store_s": time.perf_counter() - start,
    }


def reset_proposals(cycle) -> None:
    from wagtail_mentoring.models import Match, MatchEvent

    MatchEvent.objects.filter(match__cycle=cycle).delete()
    Match.objects.filter(cycle=cycle).delete()


def end_to_end(program, topics, case: dict) -> dict:
    """``suggest_for_cycle`` on the 2,000 x 1,000 profiles, stored in an open cycle."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from wagtail_mentoring.matching.pool import load_pools
    from wagtail_mentoring.matching.solver import solve
    from wagtail_mentoring.matching.suggest import (
        _explanation,
        _score,
        suggest_for_cycle,
        waiting_bonus,
        waiting_since,
    )

    cycle = make_cycle(program, "Open cycle", open_now=True)
    stored = store_applications(
        cycle, topics, case["mentee_profiles"], case["mentor_profiles"], "e2e"
    )

    # The figure: one run on a cycle without proposals.
    start = time.perf_counter()
    run = suggest_for_cycle(cycle)
    elapsed = time.perf_counter() - start

    # Where the time goes, from the same state: the steps of suggest_for_cycle, called
    # one by one (they write nothing; "save" is the rest of the timed run).
    reset_proposals(cycle)
    steps = {}
    start = time.perf_counter()
    pools = load_pools(cycle)
    steps["load_pools"] = time.perf_counter() - start
    start = time.perf_counter()
    scores = _score(pools)
    steps["score_matrix"] = time.perf_counter() - start
    start = time.perf_counter()
    # As the run does: most matched first, then the total with the waiting bonus.
    bonus = waiting_bonus(pools.mentee_rows, since=waiting_since(cycle, pools.mentee_rows))
    steps["waiting"] = time.perf_counter() - start
    start = time.perf_counter()
    solution = solve(
        scores.total, scores.allowed, pools.mentors.capacity, bonus=bonus, most_matched=True
    )
    steps["solve"] = time.perf_counter() - start
    start = time.perf_counter()
    for i, j in solution.pairs:
        _explanation(pools, i, j)
    steps["explanations"] = time.perf_counter() - start
    steps["save (rest)"] = max(0.0, elapsed - sum(steps.values()))

    # Queries: the same run again, from the same state.
    with CaptureQueriesContext(connection) as captured:
        start = time.perf_counter()
        counted = suggest_for_cycle(cycle)
        counted_s = time.perf_counter() - start
    queries = len(captured.captured_queries)
    statements: dict[str, int] = {}
    for query in captured.captured_queries:
        verb = query["sql"].split(None, 1)[0].upper()
        statements[verb] = statements.get(verb, 0) + 1

    # A second run straight after, without resetting: the same data, so ideally the
    # same total and the same pairs.
    before = {(m.mentee_id, m.mentor_id) for m in counted.proposed}
    rerun = suggest_for_cycle(cycle)
    after = {(m.mentee_id, m.mentor_id) for m in rerun.proposed}
    return {
        "seconds": elapsed,
        "counted_seconds": counted_s,
        "queries": queries,
        "statements": statements,
        "steps": steps,
        "proposed": len(run.proposed),
        "unmatched": run.unmatched,
        "total": run.total,
        "matches_memory": abs(run.total - solution.total) <= 1e-6,
        "store_s": stored["store_s"],
        "applications": len(stored["mentees"]) + len(stored["mentors"]),
        "topic_rows": stored["topic_rows"],
        "rerun_total": rerun.total,
        "rerun_replaced": rerun.replaced,
        "rerun_same_pairs": len(before & after),
    }


def suggest_one(program, topics, case: dict) -> dict:
    """``suggest_mentors`` for 20 mentees of a cycle holding the 5,000 x 2,500 profiles."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from wagtail_mentoring.matching.suggest import suggest_mentors
    from wagtail_mentoring.models import Application

    cycle = make_cycle(program, "Large cycle", open_now=False)
    stored = store_applications(
        cycle, topics, case["mentee_profiles"], case["mentor_profiles"], "big"
    )
    picks = np.linspace(0, len(stored["mentees"]) - 1, SUGGEST_MENTEES + 1).astype(int)
    chosen = [stored["mentees"][index] for index in picks]
    by_id = Application.objects.select_related("cycle").in_bulk(chosen)
    mentees = [by_id[pk] for pk in chosen]
    suggest_mentors(mentees[-1])  # warm-up, not timed
    gc.collect()
    times, shown = [], []
    for mentee in mentees[:-1]:
        start = time.perf_counter()
        suggestions = suggest_mentors(mentee)
        times.append(time.perf_counter() - start)
        shown.append(len(suggestions))
    with CaptureQueriesContext(connection) as captured:
        suggest_mentors(mentees[0])
    ms = [t * 1000 for t in times]
    return {
        "median_ms": statistics.median(ms),
        "max_ms": max(ms),
        "min_ms": min(ms),
        "queries": len(captured.captured_queries),
        "shown": min(shown),
        "mentors": len(stored["mentors"]),
        "mentees": len(stored["mentees"]),
        "store_s": stored["store_s"],
    }


# -- report -----------------------------------------------------------------------------


def list_views() -> dict:
    """Median time and queries of the committee's application and match lists."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from wagtail_mentoring.models import Application, Match, MatchStatus

    # Top the matches up to 10,000 rows with rejected proposals (no uniqueness rule).
    mentees = list(Application.objects.filter(role="mentee").values_list("id", "cycle_id")[:5000])
    mentors = list(Application.objects.filter(role="mentor").values_list("id", "cycle_id"))
    by_cycle: dict[int, list[int]] = {}
    for mentor_id, cycle_id in mentors:
        by_cycle.setdefault(cycle_id, []).append(mentor_id)
    missing = max(0, 10_000 - Match.objects.count())
    filler = []
    for index in range(missing):
        mentee_id, cycle_id = mentees[index % len(mentees)]
        pool = by_cycle[cycle_id]
        filler.append(
            Match(
                cycle_id=cycle_id,
                mentee_id=mentee_id,
                mentor_id=pool[index % len(pool)],
                status=MatchStatus.REJECTED,
                score=50.0,
            )
        )
    Match.objects.bulk_create(filler, batch_size=500)

    user = get_user_model().objects.create_user("bench-committee", password="x")
    user.groups.add(Group.objects.get(name="Mentoring committee"))
    client = Client()
    client.force_login(user)
    figures = {}
    for name, url in (
        ("applications", reverse("wagtail_mentoring_application_modeladmin_index")),
        ("matches", reverse("wagtail_mentoring_match_modeladmin_index")),
    ):
        client.get(url)  # warm up
        times = []
        for _ in range(5):
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, response.status_code
        with CaptureQueriesContext(connection) as context:
            client.get(url)
        figures[name] = {
            "rows": Application.objects.count()
            if name == "applications"
            else Match.objects.count(),
            "median_ms": statistics.median(times) * 1000,
            "queries": len(context.captured_queries),
        }
    return figures


def cold_child(backend: str) -> None:
    """In a new process: import the package, store a pool, time the first suggestion."""
    if backend == "scipy":
        sys.modules["ot"] = None  # POT not installed
    started = time.perf_counter()
    setup_django()  # imports the package (and migrates the in-memory database)
    setup_s = time.perf_counter() - started
    from wagtail_mentoring.matching.suggest import suggest_for_cycle

    rng = np.random.default_rng(SEED + 1)
    program, topics = build_programme()
    cycle = make_cycle(program, "Cold cycle", open_now=True)
    n_mentees, n_mentors = COLD_SIZE
    store_applications(
        cycle,
        topics,
        make_profiles(rng, n_mentees, "mentee"),
        make_profiles(rng, n_mentors, "mentor"),
        "cold",
    )
    loaded = {name: sys.modules.get(name) is not None for name in ("ot", "scipy.sparse.csgraph")}
    start = time.perf_counter()
    first = suggest_for_cycle(cycle)
    first_s = time.perf_counter() - start
    start = time.perf_counter()
    suggest_for_cycle(cycle)
    second_s = time.perf_counter() - start
    print(
        json.dumps(
            {
                "first_s": first_s,
                "second_s": second_s,
                "setup_s": setup_s,
                "total": first.total,
                "loaded_before": loaded,
                "ot_after": sys.modules.get("ot") is not None,
            }
        )
    )


def cold_case(backend: str) -> dict:
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--cold", backend],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    started = time.perf_counter()
    # First, before this process imports anything heavy: the cold cases, each in its own.
    cold = {backend: cold_case(backend) for backend in ("pot", "scipy")}
    print("  cold cases done", file=sys.stderr, flush=True)
    rng = np.random.default_rng(SEED)
    setup_django()

    import importlib.metadata

    import django
    import scipy
    import wagtail

    cases = {}
    for n_mentees, n_mentors in (COLD_SIZE, *SIZES):
        case = solver_case(rng, n_mentees, n_mentors)
        cases[case["size"]] = case
        print(f"  solver {case['size']} done", file=sys.stderr, flush=True)

    program, topics = build_programme()
    e2e = end_to_end(program, topics, cases["2000x1000"])
    print("  end to end done", file=sys.stderr, flush=True)
    one = suggest_one(program, topics, cases["5000x2500"])
    print("  suggest_mentors done", file=sys.stderr, flush=True)
    lists = list_views()
    print("  list views done", file=sys.stderr, flush=True)

    small, large = cases["2000x1000"], cases["5000x2500"]
    lines = [
        "Matching: score_matrix, solve (exact: candidate pairs, POT's network simplex, "
        "dual certificate), solve_greedy, dense Hungarian",
        f"Python {platform.python_version()}, numpy {np.__version__}, scipy "
        f"{scipy.__version__}, POT {importlib.metadata.version('POT')}, "
        f"Django {django.get_version()}, "
        f"Wagtail {wagtail.__version__}, "
        f"{os.cpu_count()} CPUs",
        f"Seed {SEED}; {TOPICS} topics (p={TOPIC_PROBABILITY}, at least one), 5 stages, "
        f"{SECTORS} sectors, {len(REGIONS)} regions, {EMPLOYERS} employers, capacity 1-3; "
        f"min score {MIN_SCORE:g}, default weights",
        "",
        "Solver only (in-memory pools; times are medians of the runs shown)",
        f"  {'size':<10} {'runs':>4} {'allowed':>8} {'seats':>6} {'score s':>8} "
        f"{'solve s':>8} {'sum s':>7} {'greedy s':>9} {'dense s':>8} {'build s':>8}",
    ]
    for case in cases.values():
        dense = case["dense"]
        lines.append(
            f"  {case['size']:<10} {case['runs']:>4} {case['allowed_share']:>8.1%} "
            f"{case['total_seats']:>6} {case['score_s']:>8.3f} {case['solve_s']:>8.3f} "
            f"{case['solver_s']:>7.3f} {case['greedy_s']:>9.3f} {dense['lsa_s']:>8.3f} "
            f"{dense['build_s']:>8.3f}"
        )
    lines += [
        "  (sum = score + solve; dense = linear_sum_assignment alone on the full "
        "capacity-expanded matrix, build = making that matrix)",
        "",
        "Totals",
        f"  {'size':<10} {'solve':>12} {'dense':>12} {'greedy':>12} {'pairs':>6} "
        f"{'greedy pairs':>12} {'opt/greedy':>10} {'optimal':>8} {'feasible':>8} "
        f"{'rounds':>6} {'arcs':>7}",
    ]
    for case in cases.values():
        lines.append(
            f"  {case['size']:<10} {case['exact_total']:>12.2f} {case['dense']['total']:>12.2f} "
            f"{case['greedy_total']:>12.2f} {case['exact_pairs']:>6} {case['greedy_pairs']:>12} "
            f"{case['total_vs_greedy']:>10.4f} {case['optimal']!s:>8} {case['feasible']!s:>8} "
            f"{case['exact_rounds']:>6} {case['exact_arcs']:>7}"
        )
    lines.append("  (rounds = restricted problems solved; arcs = candidate pairs in the last one)")
    lines += [
        "",
        "Backends: solve with POT (the large extra) and with scipy alone (ot blocked)",
        f"  {'size':<10} {'pot s':>8} {'scipy s':>8} {'scipy runs':>10} {'same total':>10} "
        f"{'scipy optimal':>13}",
    ]
    for case in cases.values():
        size = tuple(int(x) for x in case["size"].split("x"))
        same = abs(case["scipy_total"] - case["exact_total"]) <= 1e-6
        lines.append(
            f"  {case['size']:<10} {case['solve_s']:>8.3f} {case['scipy_s']:>8.3f} "
            f"{SCIPY_RUNS[size]:>10} {same!s:>10} "
            f"{case['scipy_optimal']!s:>13}"
        )
    lines += [
        "",
        f"Cold: a new process, first suggest_for_cycle at {COLD_SIZE[0]}x{COLD_SIZE[1]}",
        f"  {'backend':<8} {'first s':>8} {'second s':>9} {'setup s':>8} {'ot loaded':>10}",
        *[
            f"  {name:<8} {c['first_s']:>8.3f} {c['second_s']:>9.3f} {c['setup_s']:>8.3f} "
            f"{c['ot_after']!s:>10}"
            for name, c in cold.items()
        ],
        "  (setup = django.setup, importing the package, and migrating the database; "
        "ot loaded = after the suggestion)",
    ]
    lines += [
        "",
        "With mentees' priorities (30% of answers not 'somewhat') and 30% of mentors "
        f"naming preferred mentee stages, score_matrix at 5000x2500 takes "
        f"{large['score_priorities_s']:.3f} s against {large['score_s']:.3f} s without",
        "",
        "Most matched first, then total with a bonus of 1 point per week waited, at "
        f"5000x2500: {large['lexicographic_s']:.3f} s against {large['solve_s']:.3f} s "
        f"for the score alone; {large['lexicographic_pairs']} pairs against "
        f"{large['score_only_pairs']}; {large['lexicographic_rounds']} rounds; equals the "
        f"dense Hungarian reference ({large['lexicographic_reference_pairs']} pairs, value "
        f"{large['lexicographic_reference_value']:.2f}): {large['lexicographic_optimal']}",
    ]
    lines += [
        "",
        f"End to end, suggest_for_cycle at 2000x1000 ({e2e['applications']} applications, "
        f"{e2e['topic_rows']} topic rows stored in {e2e['store_s']:.2f} s)",
        f"  time {e2e['seconds']:.3f} s, {e2e['queries']} queries "
        f"({', '.join(f'{k} {v}' for k, v in sorted(e2e['statements'].items()))}); "
        f"the counted run took {e2e['counted_seconds']:.3f} s",
        f"  {e2e['proposed']} proposals, {e2e['unmatched']} mentees unmatched, total "
        f"{e2e['total']:.2f} (equals the in-memory optimum: {e2e['matches_memory']})",
        "  steps, called one by one: "
        + ", ".join(f"{name} {seconds:.3f} s" for name, seconds in e2e["steps"].items()),
        f"  run again at once: total {e2e['rerun_total']:.2f}, {e2e['rerun_replaced']} "
        f"proposals replaced, {e2e['rerun_same_pairs']} of them proposed again",
        "",
        f"suggest_mentors for {SUGGEST_MENTEES} mentees, {one['mentors']} mentors and "
        f"{one['mentees']} mentees in the cycle (stored in {one['store_s']:.2f} s)",
        f"  median {one['median_ms']:.1f} ms, min {one['min_ms']:.1f} ms, max "
        f"{one['max_ms']:.1f} ms, {one['queries']} queries, at least {one['shown']} shown",
        "",
        "Committee list views (first page, 100 rows shown)",
        *[
            f"  {name:<13} {figures['rows']:>6} rows  median {figures['median_ms']:.1f} ms, "
            f"{figures['queries']} queries"
            for name, figures in lists.items()
        ],
        "",
        f"Goals: score + solve at 5000x2500 <= {GOAL_SOLVER_S:g} s "
        f"({large['solver_s']:.3f} s); suggest_mentors <= {GOAL_SUGGEST_MS:g} ms "
        f"({one['median_ms']:.1f} ms). Total run time {time.perf_counter() - started:.1f} s.",
    ]
    print("\n".join(lines))

    goal_solver = large["solver_s"] <= GOAL_SOLVER_S
    goal_suggest = one["median_ms"] <= GOAL_SUGGEST_MS
    figures = {
        "cold_first_suggest_s_pot": round(cold["pot"]["first_s"], 4),
        "cold_first_suggest_s_scipy": round(cold["scipy"]["first_s"], 4),
        "cold_second_suggest_s_pot": round(cold["pot"]["second_s"], 4),
        "cold_second_suggest_s_scipy": round(cold["scipy"]["second_s"], 4),
        "cold_same_total": abs(cold["pot"]["total"] - cold["scipy"]["total"]) <= 1e-6,
        **{f"solve_s_pot_{size}": round(c["solve_s"], 4) for size, c in cases.items()},
        **{f"solve_s_scipy_{size}": round(c["scipy_s"], 4) for size, c in cases.items()},
        "scipy_optimal": all(c["scipy_optimal"] for c in cases.values()),
        "solver_s_5000x2500": round(large["solver_s"], 4),
        "solver_s_2000x1000": round(small["solver_s"], 4),
        "score_s_5000x2500": round(large["score_s"], 4),
        "solve_s_5000x2500": round(large["solve_s"], 4),
        "score_s_2000x1000": round(small["score_s"], 4),
        "score_priorities_s_5000x2500": round(large["score_priorities_s"], 4),
        "solve_s_2000x1000": round(small["solve_s"], 4),
        "greedy_s_5000x2500": round(large["greedy_s"], 4),
        "greedy_s_2000x1000": round(small["greedy_s"], 4),
        "dense_s_5000x2500": round(large["dense"]["lsa_s"], 4),
        "dense_s_2000x1000": round(small["dense"]["lsa_s"], 4),
        "dense_build_s_5000x2500": round(large["dense"]["build_s"], 4),
        "total_5000x2500": round(large["exact_total"], 4),
        "lexicographic_s_5000x2500": round(large["lexicographic_s"], 4),
        "lexicographic_optimal": large["lexicographic_optimal"],
        "lexicographic_pairs_5000x2500": large["lexicographic_pairs"],
        "score_only_pairs_5000x2500": large["score_only_pairs"],
        "lexicographic_rounds_5000x2500": large["lexicographic_rounds"],
        "dense_total_5000x2500": round(large["dense"]["total"], 4),
        "greedy_total_5000x2500": round(large["greedy_total"], 4),
        "total_2000x1000": round(small["exact_total"], 4),
        "dense_total_2000x1000": round(small["dense"]["total"], 4),
        "greedy_total_2000x1000": round(small["greedy_total"], 4),
        "optimal": small["optimal"] and large["optimal"],
        "feasible": small["feasible"] and large["feasible"],
        "total_vs_greedy": round(large["total_vs_greedy"], 6),
        "total_vs_greedy_2000x1000": round(small["total_vs_greedy"], 6),
        "end_to_end_s_2000x1000": round(e2e["seconds"], 4),
        "end_to_end_queries_2000x1000": e2e["queries"],
        "end_to_end_total_matches_memory": e2e["matches_memory"],
        "end_to_end_rerun_total": round(e2e["rerun_total"], 4),
        "suggest_one_ms": round(one["median_ms"], 3),
        "suggest_one_queries": one["queries"],
        "applications_list_ms": round(lists["applications"]["median_ms"], 1),
        "applications_list_rows": lists["applications"]["rows"],
        "applications_list_queries": lists["applications"]["queries"],
        "matches_list_ms": round(lists["matches"]["median_ms"], 1),
        "matches_list_rows": lists["matches"]["rows"],
        "matches_list_queries": lists["matches"]["queries"],
        "goal_solver_s": GOAL_SOLVER_S,
        "goal_suggest_ms": GOAL_SUGGEST_MS,
        "goal_solver_met": goal_solver,
        "goal_suggest_met": goal_suggest,
        "seed": SEED,
        "runtime_s": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--cold":
        cold_child(sys.argv[2])
    else:
        main()
