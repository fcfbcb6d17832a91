"""Every setting of wagtail_mentoring, with its default, read at call time.

Use ``from wagtail_mentoring.conf import app_settings`` and read attributes such as
``app_settings.BASE_TEMPLATE``. Nothing is read at import time, so
``override_settings`` works everywhere. The reference documentation
(``docs/reference/settings.md``) describes the same settings; a test keeps the two
in step.
"""

from __future__ import annotations

import logging
import math
import numbers
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

PREFIX = "WAGTAIL_MENTORING_"

logger = logging.getLogger("wagtail_mentoring")
_logged_weight_problems: set[str] = set()

#: The components of a match score, in the order explanations list them, with the
#: points each is worth by default. This is the one place the defaults live: the
#: scoring module takes its component names from here, and
#: ``WAGTAIL_MENTORING_MATCH_WEIGHTS`` changes any of them.
DEFAULT_MATCH_WEIGHTS: dict[str, float] = {
    "topics": 40.0,
    "stage": 20.0,
    "sector": 10.0,
    "region": 10.0,
    "meeting": 10.0,
    "conference": 10.0,
}


def _weight_ok(value) -> bool:
    return (
        isinstance(value, numbers.Real)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value >= 0
    )


def weight_problems(setting: Any) -> list[str]:
    """What is wrong with a weights setting, one sentence per bad entry (empty: nothing).

    A setting is a mapping from component code to a number of 0 or more (``0`` turns
    the component off). Booleans, strings, ``NaN``, infinities and negative numbers are
    refused: a weight says how much a component counts, and a negative one would make
    the best fit on it cost points.
    """
    if not isinstance(setting, Mapping):
        return [f"must be a dict from component name to points, got {setting!r}"]
    problems = []
    known = ", ".join(DEFAULT_MATCH_WEIGHTS)
    for name, value in setting.items():
        if name not in DEFAULT_MATCH_WEIGHTS:
            problems.append(f"{name!r} is not a score component (the components are {known})")
        elif not _weight_ok(value):
            problems.append(f"{name!r} must be a number of 0 or more, got {value!r}")
    return problems


def usable_weights(setting: Any) -> dict[str, float]:
    """Every component's weight: the default, replaced by each valid entry of ``setting``.

    Entries that :func:`weight_problems` refuses are left out, so their component keeps
    its default weight.
    """
    weights = dict(DEFAULT_MATCH_WEIGHTS)
    if isinstance(setting, Mapping):
        for name, value in setting.items():
            if name in weights and _weight_ok(value):
                weights[name] = float(value)
    return weights


#: The blocks of the site's base template that the pages fill, by default: those of a
#: site made by ``wagtail start``. ``WAGTAIL_MENTORING_BASE_TEMPLATE_BLOCKS`` changes them.
DEFAULT_BASE_TEMPLATE_BLOCKS: dict[str, str | None] = {
    "CSS": "extra_css",
    "CONTENT": "content",
    "JS": "extra_js",
}

#: Sectors any association's members work in. A library association's set is in the
#: settings reference (and the example site); its codes ``public``, ``education`` and
#: ``other`` are codes here too.
DEFAULT_SECTORS = [
    ("public", _("Public sector")),
    ("private", _("Private sector")),
    ("nonprofit", _("Non-profit and charities")),
    ("education", _("Education and research")),
    ("self_employed", _("Self-employed")),
    ("other", _("Other")),
]

#: Activities at a conference that mentors may help at. The codes of the earlier,
#: library-shaped defaults (``speed_mentoring``, ``resume_review``, ``other``) keep
#: their meaning, so applications that store them read the same.
DEFAULT_CONFERENCE_ACTIVITIES = [
    ("speed_mentoring", _("Speed mentoring")),
    ("career_conversation", _("Career conversations")),
    ("resume_review", _("CV and résumé review")),
    ("portfolio_review", _("Portfolio review")),
    ("other", _("Other conference activities")),
]


def is_waiting_bonus(value) -> bool:
    """A valid ``MATCH_WAITING_BONUS_PER_WEEK``: a finite number of 0 or more."""
    return not isinstance(value, bool) and isinstance(value, (int, float)) and 0 <= value < 1e6


class AppSettings:
    """Lazy accessors for the ``WAGTAIL_MENTORING_*`` settings."""

    def _setting(self, name: str, default):
        return getattr(settings, PREFIX + name, default)

    @property
    def BASE_TEMPLATE(self) -> str:
        """Template that every public mentoring page extends.

        ``WAGTAIL_MENTORING_BASE_TEMPLATE``, default ``"base.html"``. The pages fill
        the blocks that ``WAGTAIL_MENTORING_BASE_TEMPLATE_BLOCKS`` names and leave
        ``title`` to the site. Check ``wagtail_mentoring.E001`` reports a template that
        cannot be found.
        """
        return self._setting("BASE_TEMPLATE", "base.html")

    @property
    def BASE_TEMPLATE_BLOCKS(self) -> dict[str, str | None]:
        """Which blocks of the base template hold the stylesheet, the page and the script.

        ``WAGTAIL_MENTORING_BASE_TEMPLATE_BLOCKS``, default
        ``{"CSS": "extra_css", "CONTENT": "content", "JS": "extra_js"}``. Keys left out
        keep their default. ``None`` for ``CSS`` or ``JS`` puts the stylesheet or the
        script inside the content block; so does a block the base template does not
        have, with check ``wagtail_mentoring.W004`` saying so. Check
        ``wagtail_mentoring.E013`` refuses other keys and values that are no block
        name; those entries keep their default.
        """
        setting = self._setting("BASE_TEMPLATE_BLOCKS", {})
        return {**DEFAULT_BASE_TEMPLATE_BLOCKS, **(setting if isinstance(setting, dict) else {})}

    @property
    def DEFAULT_COMMITMENT_MONTHS(self) -> int:
        """Commitment length, in months, given to a new cycle.

        ``WAGTAIL_MENTORING_DEFAULT_COMMITMENT_MONTHS``, default ``10``. Each cycle
        can change its own length; this is only the value a new cycle starts with.
        """
        return self._setting("DEFAULT_COMMITMENT_MONTHS", 10)

    @property
    def MAX_COMMITMENT_MONTHS(self) -> int:
        """Longest commitment, in months, that a cycle may ask for.

        ``WAGTAIL_MENTORING_MAX_COMMITMENT_MONTHS``, default ``24``.
        """
        return self._setting("MAX_COMMITMENT_MONTHS", 24)

    @property
    def MEMBERSHIP_BACKEND(self) -> dict:
        """Which membership backend says whether a user is a member in good standing.

        ``WAGTAIL_MENTORING_MEMBERSHIP_BACKEND``, default
        ``{"BACKEND": "wagtail_mentoring.membership.GroupMembershipBackend", "OPTIONS": {}}``.
        ``BACKEND`` is the dotted path of a ``BaseMembershipBackend`` subclass;
        ``OPTIONS`` are passed to it as keyword arguments. A bad path or an unknown
        option is reported at start-up by check ``wagtail_mentoring.E004``.
        """
        return self._setting(
            "MEMBERSHIP_BACKEND",
            {"BACKEND": "wagtail_mentoring.membership.GroupMembershipBackend", "OPTIONS": {}},
        )

    @property
    def SECTORS(self) -> list[tuple[str, str]]:
        """The sector choices applicants pick from, as ``(value, label)`` pairs.

        ``WAGTAIL_MENTORING_SECTORS``, default :data:`DEFAULT_SECTORS` (public,
        private, non-profit, education, self-employed, other). Stored values are the
        first item of each pair, so keep a value once applications use it; a stored
        value the setting no longer lists is shown as the value itself.
        """
        return self._setting("SECTORS", DEFAULT_SECTORS)

    @property
    def REGIONS(self) -> list[tuple[str, str]]:
        """Region choices, as ``(value, label)`` pairs; empty for a free-text region.

        ``WAGTAIL_MENTORING_REGIONS``, default ``[]`` (applicants type their region).
        """
        return self._setting("REGIONS", [])

    @property
    def MAX_MENTOR_CAPACITY(self) -> int:
        """The most mentees one mentor may offer to take in a cycle.

        ``WAGTAIL_MENTORING_MAX_MENTOR_CAPACITY``, default ``3``.
        """
        return self._setting("MAX_MENTOR_CAPACITY", 3)

    @property
    def CONFERENCE_ACTIVITIES(self) -> list[tuple[str, str]]:
        """Conference activities mentors may volunteer for, as ``(value, label)`` pairs.

        ``WAGTAIL_MENTORING_CONFERENCE_ACTIVITIES``, default
        :data:`DEFAULT_CONFERENCE_ACTIVITIES` (speed mentoring, career conversations,
        CV and résumé review, portfolio review, other). Mentors are asked only in a
        cycle with a conference date.
        """
        return self._setting("CONFERENCE_ACTIVITIES", DEFAULT_CONFERENCE_ACTIVITIES)

    @property
    def CONFERENCE_REMINDER_DAYS(self) -> int:
        """Days before a cycle's conference date that pairs both attending are reminded.

        ``WAGTAIL_MENTORING_CONFERENCE_REMINDER_DAYS``, default ``14``.
        """
        return self._setting("CONFERENCE_REMINDER_DAYS", 14)

    @property
    def ROTATION_MAX_ROUNDS(self) -> int:
        """The most rounds the committee may plan for the conference's speed mentoring.

        ``WAGTAIL_MENTORING_ROTATION_MAX_ROUNDS``, default ``12``. The rotations form
        refuses more. A value that is not a whole number of 1 or more reads as the
        default.
        """
        value = self._setting("ROTATION_MAX_ROUNDS", 12)
        return value if type(value) is int and value >= 1 else 12

    @property
    def ROTATION_RANDOM_ROTATIONS(self) -> int:
        """How many random rotations the speed-mentoring plan is compared with.

        ``WAGTAIL_MENTORING_ROTATION_RANDOM_ROTATIONS``, default ``100``: the page shows
        the best topic fit of that many seeded random rotations of the same people
        (``benchmarks/rotation.py`` computes it the same way). ``0`` shows no
        comparison; a value that is not a whole number from 0 to 1000 reads as the
        default.
        """
        value = self._setting("ROTATION_RANDOM_ROTATIONS", 100)
        return value if type(value) is int and 0 <= value <= 1000 else 100

    @property
    def MET_CHECK_DAYS(self) -> int | None:
        """Days after a match's start date that both people are asked "Have you met yet?".

        ``WAGTAIL_MENTORING_MET_CHECK_DAYS``, default ``21``. ``0`` or ``None`` turns
        the check off. Matches that started longer ago than this plus
        ``schedule.MET_CHECK_GRACE_DAYS`` are not asked. Check ``wagtail_mentoring.E018``
        applies.
        """
        return self._setting("MET_CHECK_DAYS", 21)

    @property
    def MET_RECHECK_DAYS(self) -> int | None:
        """Days after the first "Have you met yet?" that a pair who answered "Not yet"
        (and no one "Yes") is asked once more.

        ``WAGTAIL_MENTORING_MET_RECHECK_DAYS``, default ``14``; ``0`` or ``None`` asks
        only once. Check ``wagtail_mentoring.E018`` applies.
        """
        return self._setting("MET_RECHECK_DAYS", 14)

    @property
    def MIN_SUBMIT_SECONDS(self) -> int:
        """The fewest seconds between showing an application form and accepting it.

        ``WAGTAIL_MENTORING_MIN_SUBMIT_SECONDS``, default ``3``. Faster posts are
        treated as automated and asked to submit again. ``0`` turns the check off.
        """
        return self._setting("MIN_SUBMIT_SECONDS", 3)

    @property
    def MAX_ANSWER_LENGTH(self) -> int:
        """Most characters a free-text answer to an editor's question may have.

        ``WAGTAIL_MENTORING_MAX_ANSWER_LENGTH``, default ``5000``. Applies to the
        multi-line and hidden questions that editors add to application pages and
        survey pages; the form says the limit next to the field and refuses longer
        answers with a message that gives it.
        """
        return self._setting("MAX_ANSWER_LENGTH", 5000)

    @property
    def RATE_LIMIT(self) -> dict:
        """How many accepted application posts one user and one IP address may make.

        ``WAGTAIL_MENTORING_RATE_LIMIT``, default
        ``{"USER": 10, "IP": 200, "WINDOW_SECONDS": 3600, "CACHE": "default"}``.
        Submitting, saving changes, withdrawing and applying again each count once;
        refused or invalid posts count nothing. The counts are kept in the cache
        ``CACHE`` names. Keys left out keep their default; ``None`` turns a limit off.
        """
        limits = {"USER": 10, "IP": 200, "WINDOW_SECONDS": 3600, "CACHE": "default"}
        limits.update(self._setting("RATE_LIMIT", {}))
        return limits

    @property
    def FROM_EMAIL(self) -> str | None:
        """The sender of the programme's email; ``None`` uses ``DEFAULT_FROM_EMAIL``.

        ``WAGTAIL_MENTORING_FROM_EMAIL``, default ``None``.
        """
        return self._setting("FROM_EMAIL", None)

    @property
    def MATCH_WEIGHTS(self) -> dict[str, float]:
        """Points for each score component (a full match on it earns its weight).

        ``WAGTAIL_MENTORING_MATCH_WEIGHTS``, default :data:`DEFAULT_MATCH_WEIGHTS`
        (``{"topics": 40, "stage": 20, "sector": 10, "region": 10, "meeting": 10,
        "conference": 10}``). Components left out keep their default. Returns every
        component's weight. An entry that check ``wagtail_mentoring.E012`` refuses (an
        unknown component; a value that is not a number of 0 or more) is logged and
        left out here, so that component keeps its default and no request fails on it.
        """
        setting = self._setting("MATCH_WEIGHTS", {})
        problems = "; ".join(weight_problems(setting))
        if problems and problems not in _logged_weight_problems:  # once per process
            _logged_weight_problems.add(problems)
            logger.warning(
                "%sMATCH_WEIGHTS: %s. Scoring with the known components, and their default "
                "weights for the entries left out (system check wagtail_mentoring.E012).",
                PREFIX,
                problems,
            )
        return usable_weights(setting)

    @property
    def MATCH_MIN_SCORE(self) -> float:
        """The lowest score a suggested pair may have; below it the mentee waits.

        ``WAGTAIL_MENTORING_MATCH_MIN_SCORE``, default ``20``.
        """
        return self._setting("MATCH_MIN_SCORE", 20)

    @property
    def usable_waiting_bonus(self) -> float:
        """``MATCH_WAITING_BONUS_PER_WEEK`` as a number, or 0 while it is invalid (E016)."""
        value = self.MATCH_WAITING_BONUS_PER_WEEK
        if is_waiting_bonus(value):
            return float(value)
        return 0.0

    @property
    def MATCH_MOST_MATCHED_FIRST(self) -> bool:
        """Whether the cycle's auto-match pairs as many mentees as it can before it
        looks at scores.

        ``WAGTAIL_MENTORING_MATCH_MOST_MATCHED_FIRST``, default ``True``.
        """
        return self._setting("MATCH_MOST_MATCHED_FIRST", True)

    @property
    def MATCH_WAITING_BONUS_PER_WEEK(self) -> float:
        """Points the cycle's auto-match adds to a mentee's pairs for each whole week
        the mentee has waited.

        ``WAGTAIL_MENTORING_MATCH_WAITING_BONUS_PER_WEEK``, default ``1``.
        """
        return self._setting("MATCH_WAITING_BONUS_PER_WEEK", 1)

    @property
    def MATCH_SAME_EMPLOYER_ALLOWED(self) -> bool:
        """Whether a mentor and mentee from the same employer may be paired.

        ``WAGTAIL_MENTORING_MATCH_SAME_EMPLOYER_ALLOWED``, default ``False``.
        Employers are compared case-insensitively; an empty employer matches nobody.
        """
        return self._setting("MATCH_SAME_EMPLOYER_ALLOWED", False)

    @property
    def PRIORITY_FACTORS(self) -> dict[str, float]:
        """What a mentee's rating of a priority multiplies its components' points by.

        ``WAGTAIL_MENTORING_PRIORITY_FACTORS``, default ``{"very": 1.5, "somewhat": 1.0,
        "not": 0.5}`` (:data:`wagtail_mentoring.priorities.DEFAULT_PRIORITY_FACTORS`).
        Levels left out keep their default; a priority the mentee did not rate (every
        application made before the question) counts as "somewhat". Returns every
        level's factor. An entry that check ``wagtail_mentoring.E019`` refuses (an
        unknown level; a value that is not a number from 0 to 10) is left out here, so
        that level keeps its default and no request fails on it.
        """
        from .priorities import usable_factors

        return usable_factors(self._setting("PRIORITY_FACTORS", {}))

    @property
    def PRIORITY_STAGE_BONUS(self) -> float:
        """Points a pair earns when the mentee is at a career stage the mentor asked for.

        ``WAGTAIL_MENTORING_PRIORITY_STAGE_BONUS``, default ``5`` (in the weights'
        points). A mentor who names no stage earns it with nobody. ``0`` turns it off.
        While check ``wagtail_mentoring.E019`` refuses the value (not a number from 0 to
        1000), the default is used.
        """
        from .priorities import DEFAULT_STAGE_BONUS, stage_bonus_ok

        value = self._setting("PRIORITY_STAGE_BONUS", DEFAULT_STAGE_BONUS)
        return float(value) if stage_bonus_ok(value) else DEFAULT_STAGE_BONUS

    @property
    def SUGGESTIONS_SHOWN(self) -> int:
        """How many ranked mentors the matching view shows for one mentee.

        ``WAGTAIL_MENTORING_SUGGESTIONS_SHOWN``, default ``10``.
        """
        return self._setting("SUGGESTIONS_SHOWN", 10)

    @property
    def WAITING_DAYS_WARNING(self) -> int:
        """Waiting time, in days, after which the admin highlights an application.

        ``WAGTAIL_MENTORING_WAITING_DAYS_WARNING``, default ``60``.
        """
        return self._setting("WAITING_DAYS_WARNING", 60)

    @property
    def EMAIL_BATCH_SIZE(self) -> int:
        """How many outbox rows one task sends at most.

        ``WAGTAIL_MENTORING_EMAIL_BATCH_SIZE``, default ``100``.
        """
        return self._setting("EMAIL_BATCH_SIZE", 100)

    @property
    def EMAIL_MAX_ATTEMPTS(self) -> int:
        """How many times the outbox tries to send one email before marking it failed.

        ``WAGTAIL_MENTORING_EMAIL_MAX_ATTEMPTS``, default ``5``. Only transient errors
        (the provider unreachable or answering 5xx) are tried again.
        """
        return self._setting("EMAIL_MAX_ATTEMPTS", 5)

    @property
    def EMAIL_RETRY_DELAY(self) -> int:
        """Seconds before the first retry of an email; each later retry waits twice as long.

        ``WAGTAIL_MENTORING_EMAIL_RETRY_DELAY``, default ``60``.
        """
        return self._setting("EMAIL_RETRY_DELAY", 60)

    @property
    def EMAIL_STALLED_MINUTES(self) -> int:
        """Minutes after which an email still "sending" is taken to be lost and queued again.

        ``WAGTAIL_MENTORING_EMAIL_STALLED_MINUTES``, default ``15``.
        """
        return self._setting("EMAIL_STALLED_MINUTES", 15)

    @property
    def EMAIL_TASK_BACKEND(self) -> str:
        """The django-tasks backend alias (a key of ``TASKS``) that sends email.

        ``WAGTAIL_MENTORING_EMAIL_TASK_BACKEND``, default ``"default"``.
        """
        return self._setting("EMAIL_TASK_BACKEND", "default")

    @property
    def EMAIL_TRACKING(self) -> bool:
        """Whether the site receives the provider's tracking webhooks (checked by W001).

        ``WAGTAIL_MENTORING_EMAIL_TRACKING``, default ``False``.
        """
        return self._setting("EMAIL_TRACKING", False)

    @property
    def PROGRAM_CHILD_PAGE_TYPES(self) -> list[str]:
        """Page models of the site that editors may add under a programme page.

        ``WAGTAIL_MENTORING_PROGRAM_CHILD_PAGE_TYPES``, default ``[]``: a list of
        ``"app_label.ModelName"`` strings, such as ``["home.StandardPage"]``, allowed
        in addition to the package's application and survey pages (which are always
        allowed there, and only there). A name that is no page model is reported by
        check ``wagtail_mentoring.E015``.
        """
        return self._setting("PROGRAM_CHILD_PAGE_TYPES", [])

    @classmethod
    def names(cls) -> list[str]:
        """The full names (with prefix) of every setting, in definition order."""
        return [
            PREFIX + name
            for name, value in vars(cls).items()
            if isinstance(value, property) and name.isupper()
        ]


app_settings = AppSettings()


def default_commitment_months() -> int:
    """Model default for ``Cycle.commitment_months`` (reads the setting at call time)."""
    return app_settings.DEFAULT_COMMITMENT_MONTHS
