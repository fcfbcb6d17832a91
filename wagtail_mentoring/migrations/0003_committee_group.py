"""Create the "Mentoring committee" group with the permissions the committee needs."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Mentoring committee"
PERMISSIONS = [
    ("wagtail_mentoring", "manage_mentoring"),
    ("wagtail_mentoring", "view_application"),
    ("wagtail_mentoring", "add_cycle"),
    ("wagtail_mentoring", "change_cycle"),
    ("wagtail_mentoring", "view_cycle"),
    ("wagtailadmin", "access_admin"),
]


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure ours exist now.
    app_config = apps.get_app_config("wagtail_mentoring")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    for app_label, codename in PERMISSIONS:
        permission = Permission.objects.filter(
            content_type__app_label=app_label, codename=codename
        ).first()
        if permission is not None:
            group.permissions.add(permission)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("wagtail_mentoring", "0002_applications"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
