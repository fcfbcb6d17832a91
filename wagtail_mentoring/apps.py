from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WagtailMentoringConfig(AppConfig):
    name = "wagtail_mentoring"
    label = "wagtail_mentoring"
    verbose_name = _("Mentoring")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks
        from .emails import receivers

        checks.register()
        receivers.connect()
