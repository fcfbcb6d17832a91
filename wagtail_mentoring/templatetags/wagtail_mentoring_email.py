"""``{% rendered_message email as message %}``: an outbox row's message, for its page."""

from django import template

register = template.Library()


@register.simple_tag
def rendered_message(email):
    from ..admin.email_views import rendered_message as render

    return render(email)
