"""A match's flag is stored as a cause code with its details, rendered when shown."""

from django.db import migrations, models


def flags_to_codes(apps, schema_editor):
    Match = apps.get_model("wagtail_mentoring", "Match")
    MatchEvent = apps.get_model("wagtail_mentoring", "MatchEvent")
    for match in Match.objects.exclude(flag_reason="").iterator():
        event = (
            MatchEvent.objects.filter(match_id=match.pk, action="flagged")
            .order_by("-at", "-pk")
            .first()
        )
        params = dict(event.params or {}) if event is not None else {}
        cause = params.pop("cause", "")
        if not cause or not params.get("role"):
            # No structured flag to go by: keep the stored sentence as the detail.
            cause = cause or ("membership" if "membership" in match.flag_reason else "survey")
            params = {"reason": match.flag_reason}
        match.flag_cause, match.flag_params = cause, params
        match.save(update_fields=["flag_cause", "flag_params"])


def codes_to_flags(apps, schema_editor):
    Match = apps.get_model("wagtail_mentoring", "Match")
    for match in Match.objects.exclude(flag_cause="").iterator():
        params = match.flag_params or {}
        words = params.get("reason") or " ".join(
            str(value)
            for value in (
                match.flag_cause,
                params.get("role"),
                params.get("state"),
                params.get("answers"),
            )
            if value
        )
        match.flag_reason = words[:300]
        match.save(update_fields=["flag_reason"])


class Migration(migrations.Migration):
    dependencies = [
        ("wagtail_mentoring", "0013_lifecycle"),
    ]

    operations = [
        migrations.AddField(
            model_name="match",
            name="flag_cause",
            field=models.CharField(
                blank=True,
                choices=[
                    ("membership", "A membership is no longer active"),
                    ("survey", "A survey answer asks for the committee's attention"),
                ],
                max_length=20,
                verbose_name="flagged because",
            ),
        ),
        migrations.AddField(
            model_name="match",
            name="flag_params",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="Who and what raised the flag (``role``, ``state`` or ``answers``).",
                verbose_name="flag details",
            ),
        ),
        migrations.RunPython(flags_to_codes, codes_to_flags),
        migrations.RemoveField(
            model_name="match",
            name="flag_reason",
        ),
    ]
