from django import template

register = template.Library()


@register.simple_tag
def email_kinds():
    """Every registered email kind, for the placeholder help in the wording editor."""
    from ..emails.kinds import registry

    return registry.all()
