"""What matters most to a mentee, and which mentees a mentor would most like: the codes.

A mentee rates each of :data:`PRIORITIES` as one of :data:`LEVELS` ("not important",
"somewhat important", "very important"); ``Application.priorities`` stores the answers
as codes, ``{"topics": "very", "seniority": "somewhat", ...}``. A missing answer (and so
an application made before the question existed, whose ``priorities`` is ``{}``) is
:data:`DEFAULT_LEVEL`. Scoring multiplies each component's points for the mentee by the
factor of the level given to the priority that covers it (:data:`PRIORITY_COMPONENTS`;
factors from ``WAGTAIL_MENTORING_PRIORITY_FACTORS``, defaults
:data:`DEFAULT_PRIORITY_FACTORS`, where "somewhat" is 1: the programme's weights as
they are).

A mentor may name the career stages of mentee they would most like
(``Application.preferred_mentee_stages``, career stage codes; empty: any stage); a pair
whose mentee is at one of them earns ``WAGTAIL_MENTORING_PRIORITY_STAGE_BONUS`` points
(default :data:`DEFAULT_STAGE_BONUS`).

This module imports nothing of the package, so the settings, the models, the forms,
scoring and the admin can all use it. Words are rendered here, through gettext, when
they are shown; only codes are stored.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any

from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

#: What a mentee rates, in the order the form asks.
PRIORITIES: tuple[str, ...] = ("topics", "seniority", "region", "conference")

#: The levels, from least to most important; a level's index is its code in a pool.
LEVELS: tuple[str, ...] = ("not", "somewhat", "very")

#: The level of a priority the mentee did not rate.
DEFAULT_LEVEL = "somewhat"

#: The score components (``wagtail_mentoring.matching.scoring.COMPONENTS``) whose points
#: each priority scales. ``sector`` is no mentee's priority: its points stay as weighted.
PRIORITY_COMPONENTS: dict[str, tuple[str, ...]] = {
    "topics": ("topics",),
    "seniority": ("stage",),
    "region": ("region", "meeting"),
    "conference": ("conference",),
}

#: The factor of each level, by default: ``WAGTAIL_MENTORING_PRIORITY_FACTORS`` changes them.
DEFAULT_PRIORITY_FACTORS: dict[str, float] = {"very": 1.5, "somewhat": 1.0, "not": 0.5}

#: The largest factor a level may have.
MAX_FACTOR = 10.0

#: Points a pair earns when its mentee is at a career stage the mentor asked for.
DEFAULT_STAGE_BONUS = 5.0

#: The largest stage bonus (the weights' points add up to 100 by default).
MAX_STAGE_BONUS = 1000.0

#: Each priority in words, in a sentence ("the mentee rated <priority> as ...").
PRIORITY_WORDS = {
    "topics": _("topics"),
    "seniority": _("a more senior mentor"),
    "region": _("the same region or meeting in person"),
    "conference": _("meeting at the conference"),
}

#: The question the application form asks for each priority (the legend of its group).
PRIORITY_QUESTIONS = {
    "topics": _("How important is it that your mentor offers the topics you want help with?"),
    "seniority": _("How important is it that your mentor is more senior than you?"),
    "region": _(
        "How important is it that your mentor is in your region, or can meet you in person?"
    ),
    "conference": _("How important is it that you can meet your mentor at the annual conference?"),
}

#: Each level in words, in a sentence ("... as very important").
LEVEL_WORDS = {
    "very": _("very important"),
    "somewhat": _("somewhat important"),
    "not": _("not important"),
}


def level_choices() -> list[tuple[str, str]]:
    """The levels as form choices, most important first: ("very", "Very important"), …"""
    return [(level, capfirst(LEVEL_WORDS[level])) for level in reversed(LEVELS)]


def stored_priorities(value: Any) -> dict[str, str]:
    """Every priority's level, from a stored ``Application.priorities``.

    Unknown priorities and levels are ignored (their priority takes the default), so a
    hand-edited row never breaks scoring or a page.
    """
    value = value if isinstance(value, Mapping) else {}
    return {
        name: value[name] if value.get(name) in LEVELS else DEFAULT_LEVEL for name in PRIORITIES
    }


def describe_priorities(value: Any) -> list[dict]:
    """The mentee's priorities in words: ``priority`` ("Topics"), ``level`` ("very
    important"), ``code`` and ``level_code``, one dict per priority, in form order."""
    return [
        {
            "code": name,
            "level_code": level,
            "priority": capfirst(PRIORITY_WORDS[name]),
            "level": str(LEVEL_WORDS[level]),
        }
        for name, level in stored_priorities(value).items()
    ]


def _factor_ok(value) -> bool:
    return (
        isinstance(value, numbers.Real)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and 0 <= value <= MAX_FACTOR
    )


def factor_problems(setting: Any) -> list[str]:
    """What is wrong with a ``PRIORITY_FACTORS`` setting, one sentence each (empty: nothing).

    A dict from level (``very``, ``somewhat``, ``not``) to a number from 0 to 10; levels
    left out keep their default. The factors, defaults filled in, must not fall as the
    level rises: "very important" may never count less than "not important".
    """
    if not isinstance(setting, Mapping):
        return [f"must be a dict from level to factor, got {setting!r}"]
    problems = []
    for name, value in setting.items():
        if name not in LEVELS:
            problems.append(f"{name!r} is not a level (the levels are {', '.join(LEVELS)})")
        elif not _factor_ok(value):
            problems.append(f"{name!r} must be a number from 0 to {MAX_FACTOR:g}, got {value!r}")
    if not problems:
        factors = usable_factors(setting)
        ordered = [factors[level] for level in LEVELS]
        if ordered != sorted(ordered):
            problems.append(
                "the factors must not fall as the level rises (not <= somewhat <= very), got "
                + ", ".join(f"{level} {factors[level]:g}" for level in LEVELS)
            )
    return problems


def usable_factors(setting: Any) -> dict[str, float]:
    """Every level's factor: the default, replaced by each valid entry of ``setting``."""
    factors = dict(DEFAULT_PRIORITY_FACTORS)
    if isinstance(setting, Mapping):
        for name, value in setting.items():
            if name in factors and _factor_ok(value):
                factors[name] = float(value)
    return factors


def stage_bonus_ok(value) -> bool:
    """A valid ``PRIORITY_STAGE_BONUS``: a finite number from 0 to 1000."""
    return (
        isinstance(value, numbers.Real)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and 0 <= value <= MAX_STAGE_BONUS
    )


__all__ = [
    "DEFAULT_LEVEL",
    "DEFAULT_PRIORITY_FACTORS",
    "DEFAULT_STAGE_BONUS",
    "LEVELS",
    "LEVEL_WORDS",
    "PRIORITIES",
    "PRIORITY_COMPONENTS",
    "PRIORITY_QUESTIONS",
    "PRIORITY_WORDS",
    "describe_priorities",
    "factor_problems",
    "level_choices",
    "stage_bonus_ok",
    "stored_priorities",
    "usable_factors",
]
