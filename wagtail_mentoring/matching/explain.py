"""Explanations in words: stored codes and parameters rendered in the reader's language.

A score explanation is stored (in ``Match.explanation``, and in each
``Suggestion.explanation``) as one dict per component: ``{"code": "topics",
"points": 26.67, "weight": 40.0, "params": {...}}`` (see
:class:`~wagtail_mentoring.matching.scoring.ComponentExplanation` for the parameters
of each component). Nothing in it depends on a language. :func:`render_explanation`
turns it into sentences through gettext when it is shown, so each reader sees their
own language; the ``render_explanation`` template filter calls it.

Rows stored before explanations were codes, ``{"name": ..., "points": ...,
"weight": ..., "reason": "an English sentence"}``, still render: their stored
sentence is shown as it is.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.formats import number_format
from django.utils.translation import gettext, gettext_lazy, ngettext

from ..models.applications import CareerStage
from ..priorities import LEVEL_WORDS, PRIORITY_WORDS

#: The label of each component, as shown before its reason.
LABELS = {
    "topics": gettext_lazy("topics"),
    "stage": gettext_lazy("career stage"),
    "sector": gettext_lazy("sector"),
    "region": gettext_lazy("region"),
    "meeting": gettext_lazy("meeting"),
    "conference": gettext_lazy("conference"),
    "mentee_priority": gettext_lazy("mentee's priority"),
    "mentor_preference": gettext_lazy("mentor's preference"),
}

_STAGES = [value for value, _label in CareerStage.choices]


def component_label(code) -> str:
    """The component's label in the active language (an unknown code as it is)."""
    label = LABELS.get(code) if isinstance(code, str) else None
    return str(label) if label is not None else str(code or "")


def _stage_label(value) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(_STAGES):
        value = _STAGES[value]
    if value in _STAGES:
        return str(CareerStage(value).label)
    return str(value)


def _topics(params) -> str:
    wanted = int(params.get("wanted") or 0)
    shared = [topic for topic in params.get("shared") or [] if isinstance(topic, Mapping)]
    if not wanted:
        return gettext("the mentee named no wanted topics")
    if not shared:
        return ngettext(
            "offers none of the %(wanted)d wanted topic",
            "offers none of the %(wanted)d wanted topics",
            wanted,
        ) % {"wanted": wanted}
    names = ", ".join(
        str(topic["name"])
        if topic.get("name")
        else gettext("topic %(id)s") % {"id": topic.get("id")}
        for topic in shared
    )
    return ngettext(
        "offers %(shared)d of %(wanted)d wanted topic (%(names)s)",
        "offers %(shared)d of %(wanted)d wanted topics (%(names)s)",
        wanted,
    ) % {"shared": len(shared), "wanted": wanted, "names": names}


def _stage(params) -> str:
    relation = params.get("relation")
    if relation == "more_senior":
        return gettext("the mentor is more senior (mentor: %(mentor)s; mentee: %(mentee)s)") % {
            "mentor": _stage_label(params.get("mentor")),
            "mentee": _stage_label(params.get("mentee")),
        }
    if relation == "same_stage":
        return gettext("both are at the same career stage (%(stage)s)") % {
            "stage": _stage_label(params.get("mentor"))
        }
    if relation == "reverse":
        return gettext(
            "reverse mentoring: a less senior mentor who offers a topic the mentee wants"
        )
    if relation == "less_senior":
        return gettext("the mentor is less senior and offers none of the wanted topics")
    return ""


def _sector(params) -> str:
    return gettext("same sector") if params.get("same") else gettext("different sectors")


def _region(params) -> str:
    return gettext("same region") if params.get("same") else gettext("different regions")


def _meeting(params) -> str:
    if params.get("compatible"):
        return gettext("meeting preferences are compatible")
    return gettext("one wants to meet in person, the other virtually")


def _conference(params) -> str:
    if params.get("both"):
        return gettext("both will attend the annual conference")
    return gettext("not both will attend the annual conference")


def _mentee_priority(params) -> str:
    priority = PRIORITY_WORDS.get(params.get("priority"))
    level = LEVEL_WORDS.get(params.get("level"))
    factor = params.get("factor")
    if priority is None or level is None or isinstance(factor, bool):
        return ""
    return gettext(
        "the mentee rated %(priority)s as %(level)s: %(component)s points ×%(factor)s"  # noqa: RUF001
    ) % {
        "priority": priority,
        "level": level,
        "component": component_label(params.get("component")),
        "factor": number_format(round(float(factor), 2)),
    }


def _mentor_preference(params) -> str:
    stages = ", ".join(_stage_label(stage) for stage in params.get("stages") or [])
    if params.get("wanted"):
        return gettext("the mentor would most like a mentee at this career stage (%(stage)s)") % {
            "stage": _stage_label(params.get("mentee"))
        }
    return gettext("the mentor would most like mentees at other career stages (%(stages)s)") % {
        "stages": stages
    }


_REASONS = {
    "topics": _topics,
    "stage": _stage,
    "sector": _sector,
    "region": _region,
    "meeting": _meeting,
    "conference": _conference,
    "mentee_priority": _mentee_priority,
    "mentor_preference": _mentor_preference,
}


def render_reason(code, params) -> str:
    """The sentence saying why one component earned its points, in the active language.

    An unknown code, or parameters that do not fit it, give an empty sentence rather
    than an error, so a stored row never breaks the page that shows it.
    """
    reason = _REASONS.get(code) if isinstance(code, str) else None
    if reason is None or not isinstance(params, Mapping):
        return ""
    try:
        return reason(params)
    except (TypeError, ValueError, KeyError):
        return ""


def render_explanation(parts) -> list[dict]:
    """A stored explanation as rows of ``code``, ``label``, ``points``, ``weight``, ``reason``.

    The label and the reason are in the active language. ``parts`` is a stored
    explanation (a list of dicts); anything else renders as no rows.
    """
    if not isinstance(parts, list | tuple):
        return []
    rows = []
    for part in parts:
        if not isinstance(part, Mapping):
            continue
        if "code" in part:
            code = part["code"]
            reason = render_reason(code, part.get("params") or {})
        else:  # stored as a sentence: show the sentence
            code = part.get("name")
            reason = str(part.get("reason") or "")
        rows.append(
            {
                "code": code,
                "label": component_label(code),
                "points": part.get("points"),
                "weight": part.get("weight"),
                "reason": reason,
            }
        )
    return rows


__all__ = ["LABELS", "component_label", "render_explanation", "render_reason"]
