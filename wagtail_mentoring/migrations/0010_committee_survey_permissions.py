"""Let the "Mentoring committee" group manage survey rounds and read responses."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Mentoring committee"
PERMISSIONS = [
    "add_surveyround",
    "change_surveyround",
    "delete_surveyround",
    "view_surveyround",
    "view_surveyresponse",
]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("wagtail_mentoring")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=GROUP).first()
    if group is not None:
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="wagtail_mentoring", codename__in=PERMISSIONS
            )
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=GROUP).first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="wagtail_mentoring", codename__in=PERMISSIONS
            )
        )


class Migration(migrations.Migration):
    dependencies = [("wagtail_mentoring", "0009_surveys")]

    operations = [migrations.RunPython(grant, revoke)]
