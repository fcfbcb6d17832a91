"""Speed-mentoring rotations: the solved plan against the best of 100 random rotations.

60 volunteers, 180 participants, 12 tables, 6 rounds; 15 topics, each volunteer offers
2 to 4 and each participant wants 1 to 3; 40 employers (colleagues may not meet) and
60 pairs already matched in the cycle (they may not meet either). Seeded. The random
rotations deal the participants to randomly chosen hosts each round; their best topic
fit is the baseline. Goals: 0 repeats, 0 forbidden pairs, and a topic fit above the best
random one.

Run: ``.venv/bin/python benchmarks/rotation.py``; the last line is one JSON object.
"""

from __future__ import annotations

import json
import platform
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]
sys.path.insert(0, str(REPO))

from wagtail_mentoring.matching.rotations import (  # noqa: E402
    plan_rotations,
    random_plan,
    score_plan,
    topic_fit,
)

SEED = 20261202
VOLUNTEERS, PARTICIPANTS, TABLES, ROUNDS, TOPICS = 60, 180, 12, 6, 15
RANDOM_ROTATIONS = 100


def people(rng, n, low, high):
    topics = np.zeros((n, TOPICS), dtype=bool)
    for row in topics:
        row[rng.choice(TOPICS, rng.integers(low, high + 1), replace=False)] = True
    return topics


def main() -> None:
    rng = np.random.default_rng(SEED)
    volunteers = people(rng, VOLUNTEERS, 2, 4)
    participants = people(rng, PARTICIPANTS, 1, 3)
    employer_v = rng.integers(0, 40, VOLUNTEERS)
    employer_p = rng.integers(0, 40, PARTICIPANTS)
    forbidden = employer_p[:, None] == employer_v[None, :]
    matched = rng.choice(PARTICIPANTS * VOLUNTEERS, 60, replace=False)
    forbidden.ravel()[matched] = True
    fits = topic_fit(volunteers, participants)

    start = time.perf_counter()
    plan = plan_rotations(
        volunteers, participants, tables=TABLES, rounds=ROUNDS, forbidden=forbidden
    )
    plan_s = time.perf_counter() - start
    solved = score_plan(plan, fits, forbidden)

    start = time.perf_counter()
    randoms = [
        score_plan(
            random_plan(rng, VOLUNTEERS, PARTICIPANTS, tables=TABLES, rounds=ROUNDS),
            fits,
            forbidden,
        )
        for _ in range(RANDOM_ROTATIONS)
    ]
    random_s = time.perf_counter() - start
    best = max(randoms, key=lambda r: r["topic_fit"])
    possible = float(fits.mean())

    print(
        f"Speed-mentoring rotations: {VOLUNTEERS} volunteers, {PARTICIPANTS} participants, "
        f"{TABLES} tables, {ROUNDS} rounds, {TOPICS} topics (Python "
        f"{platform.python_version()}, numpy {np.__version__})"
    )
    print(
        f"  solved plan: {plan_s:.3f} s, {solved['conversations']} conversations, topic fit "
        f"{solved['topic_fit']:.3f}, {solved['repeats']} repeats, {solved['forbidden']} "
        f"forbidden pairs, {solved['sat_out']} round(s) sat out"
    )
    print(
        f"  best of {RANDOM_ROTATIONS} random rotations ({random_s:.3f} s for all): topic fit "
        f"{best['topic_fit']:.3f}, {best['repeats']} repeats, {best['forbidden']} forbidden "
        f"pairs; random rotations repeat a pair in {sum(r['repeats'] > 0 for r in randoms)} "
        f"of {RANDOM_ROTATIONS}; a random pair fits with probability {possible:.3f}"
    )
    goal_met = (
        solved["repeats"] == 0
        and solved["forbidden"] == 0
        and solved["topic_fit"] > best["topic_fit"]
    )
    print(
        json.dumps(
            {
                "plan_s": round(plan_s, 4),
                "topic_fit": round(solved["topic_fit"], 4),
                "random_best_topic_fit": round(best["topic_fit"], 4),
                "repeats": solved["repeats"],
                "forbidden_pairs": solved["forbidden"],
                "conversations": solved["conversations"],
                "sat_out": solved["sat_out"],
                "random_best_repeats": best["repeats"],
                "random_rotations": RANDOM_ROTATIONS,
                "goal": "0 repeats, 0 forbidden pairs, topic fit above the best random rotation",
                "goal_met": goal_met,
            }
        )
    )


if __name__ == "__main__":
    main()
