"""Let the "Mentoring committee" group see the outbox and edit the emails' wording."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Mentoring committee"
PERMISSIONS = [
    "view_sentemail",
    "add_emailwording",
    "change_emailwording",
    "delete_emailwording",
    "view_emailwording",
]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("wagtail_mentoring")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=GROUP).first()
    if group is None:
        return
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
    dependencies = [("wagtail_mentoring", "0006_emails")]

    operations = [migrations.RunPython(grant, revoke)]
