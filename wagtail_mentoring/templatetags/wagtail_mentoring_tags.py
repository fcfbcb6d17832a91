from django import template

from ..matching.explain import render_explanation as _render_explanation

register = template.Library()


@register.simple_tag
def email_kinds():
    """Every registered email kind, for the placeholder help in the wording editor."""
    from ..emails.kinds import registry

    return registry.all()


@register.filter
def render_explanation(parts):
    """A stored score explanation as rows of label, points, weight and reason, in the
    reader's language: ``{% for part in match.explanation|render_explanation %}``."""
    return _render_explanation(parts)
