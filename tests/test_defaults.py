"""Defaults for any association: neutral choices, and the conference only when there is one."""

from __future__ import annotations

from wagtail_mentoring.conf import app_settings
from wagtail_mentoring.models import Application, Cycle

from .conftest import application_data


def test_default_sectors_and_activities_name_no_profession(settings):
    for name in ("WAGTAIL_MENTORING_SECTORS", "WAGTAIL_MENTORING_CONFERENCE_ACTIVITIES"):
        if hasattr(settings, name):
            delattr(settings, name)
    labels = [str(label) for _value, label in app_settings.SECTORS]
    labels += [str(label) for _value, label in app_settings.CONFERENCE_ACTIVITIES]
    assert "Public sector" in labels and "Portfolio review" in labels
    assert not [label for label in labels if "librar" in label.lower()]
    # Codes the earlier defaults stored keep a meaning.
    assert {"public", "education", "other"} <= {v for v, _l in app_settings.SECTORS}
    assert {"speed_mentoring", "resume_review", "other"} <= {
        v for v, _l in app_settings.CONFERENCE_ACTIVITIES
    }


def test_the_form_asks_about_the_conference_only_when_the_cycle_has_one(
    client, member, mentor_page, open_cycle, topics, no_spam_timer
):
    client.force_login(member)
    html = client.get(mentor_page.url).content.decode()
    assert 'name="conference_attendance"' in html and 'name="conference_activities"' in html

    Cycle.objects.filter(pk=open_cycle.pk).update(conference_date=None)
    html = client.get(mentor_page.url).content.decode()
    assert "conference" not in html.lower()
    data = application_data("mentor", topics)
    del data["conference_attendance"], data["conference_activities"]
    response = client.post(mentor_page.url, data)
    assert response.status_code == 200 and "errorlist" not in response.content.decode()
    application = Application.objects.get(user=member)
    assert application.conference_attendance == "" and application.conference_activities == []


def test_a_sector_the_setting_no_longer_lists_stays_when_the_member_edits(
    client, member, mentee_page, open_cycle, topics, no_spam_timer, settings
):
    settings.WAGTAIL_MENTORING_SECTORS = [("academic", "Academic libraries"), ("other", "Other")]
    client.force_login(member)
    client.post(mentee_page.url, application_data("mentee", topics, sector="academic"))
    assert Application.objects.get(user=member).sector == "academic"
    settings.WAGTAIL_MENTORING_SECTORS = [("public", "Public sector"), ("other", "Other")]
    edit = application_data(
        "mentee", topics, sector="academic", mentoring_action="edit", goals="Lead a team."
    )
    response = client.post(mentee_page.url, edit)
    assert response.status_code == 200 and "errorlist" not in response.content.decode()
    application = Application.objects.get(user=member)
    assert (application.sector, application.goals) == ("academic", "Lead a team.")
