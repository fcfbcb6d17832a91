from django.conf import settings
from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


class HomePage(Page):
    """The association's home page."""

    intro = RichTextField(blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["sections"] = self.get_children().live().in_menu()
        return context


class MemberProfile(models.Model):
    """Where this association keeps membership: a number and an expiry date.

    Real associations keep it elsewhere (a CRM, a membership platform); the
    mentoring package reads it through its pluggable membership backend.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="member_profile"
    )
    member_number = models.CharField(max_length=20, unique=True)
    membership_expires = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.member_number} ({self.user})"
