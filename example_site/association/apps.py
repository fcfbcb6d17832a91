from django.apps import AppConfig


class AssociationConfig(AppConfig):
    """The fictional Meridian Library Association's own site code."""

    name = "association"
    default_auto_field = "django.db.models.BigAutoField"
