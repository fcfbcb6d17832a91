import csv
import io

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from wagtail_mentoring.matching.lifecycle import approve, propose
from wagtail_mentoring.models import Application

APPLICATIONS = "wagtail_mentoring_application_modeladmin_index"
MATCHES = "wagtail_mentoring_match_modeladmin_index"


@pytest.fixture
def make_many(django_user_model, open_cycle, topics):
    def make(count, start=0):
        users = django_user_model.objects.bulk_create(
            django_user_model(username=f"bulk{start + i}", email=f"bulk{start + i}@example.org")
            for i in range(count)
        )
        applications = Application.objects.bulk_create(
            Application(
                user=user,
                cycle=open_cycle,
                role="mentor" if i % 2 else "mentee",
                contact_email=user.email,
                name=f"Person {start + i}",
                career_stage="senior",
                sector="public",
                region="North",
                meeting_preference="either",
                conference_attendance="yes",
                goals="Grow.",
                capacity=2 if i % 2 else None,
            )
            for i, user in enumerate(users)
        )
        through = Application.topics.through
        through.objects.bulk_create(
            through(application_id=a.pk, topic_id=topics[0].pk) for a in applications
        )
        return applications

    return make


def _queries(client, url):
    client.get(url)  # warm the per-process caches (site root paths, permissions)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries), response


def test_application_list_runs_a_constant_number_of_queries(committee_client, make_many, settings):
    url = reverse(APPLICATIONS) + "?p=1"
    make_many(10)
    small, _ = _queries(committee_client, url)
    make_many(490, start=10)
    large, response = _queries(committee_client, url)
    assert small == large
    assert "Person 0" in response.content.decode()


def test_match_list_runs_a_constant_number_of_queries(committee_client, make_many):
    def add_matches(applications):
        mentees = [a for a in applications if a.role == "mentee"]
        mentors = [a for a in applications if a.role == "mentor"]
        for mentee, mentor in zip(mentees, mentors, strict=False):
            propose(mentee, mentor)

    add_matches(make_many(10))
    small, _ = _queries(committee_client, reverse(MATCHES))
    add_matches(make_many(490, start=10))
    large, _ = _queries(committee_client, reverse(MATCHES))
    assert small == large


def test_waiting_time_is_highlighted_after_the_threshold(committee_client, make_many, settings):
    import datetime

    from django.utils import timezone

    application = make_many(2)[0]
    Application.objects.filter(pk=application.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=75)
    )
    html = committee_client.get(reverse(APPLICATIONS)).content.decode()
    assert 'title="Waited longer than 60 days">75</span>' in html
    settings.WAGTAIL_MENTORING_WAITING_DAYS_WARNING = 90
    assert "Waited longer" not in committee_client.get(reverse(APPLICATIONS)).content.decode()


def test_filters_by_topic_role_and_conference(committee_client, make_many, topics):
    make_many(4)
    Application.objects.filter(name="Person 1").first().topics.set([topics[2]])
    url = reverse(APPLICATIONS)
    html = committee_client.get(url, {"topics__id__exact": topics[2].pk}).content.decode()
    assert "Person 1" in html and "Person 3" not in html
    html = committee_client.get(url, {"role__exact": "mentee"}).content.decode()
    assert "Person 0" in html and "Person 1" not in html
    assert committee_client.get(url, {"conference_attendance__exact": "no"}).status_code == 200


@pytest.fixture
def hostile(make_many):
    applications = make_many(2)
    mentee, mentor = applications
    Application.objects.filter(pk=mentee.pk).update(
        name='=HYPERLINK("http://evil.example","click")', goals="+1+2", organisation="@SUM(A1)"
    )
    approve(propose(mentee, mentor))
    return mentee


def test_csv_export_escapes_formulas(committee_client, hostile):
    response = committee_client.get(reverse(APPLICATIONS), {"export": "csv"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    row = next(r for r in rows if "HYPERLINK" in r["Name"])
    assert row["Name"] == '\'=HYPERLINK("http://evil.example","click")'
    assert row["Goals"] == "'+1+2" and row["Employer or organisation"] == "'@SUM(A1)"
    matches = committee_client.get(reverse(MATCHES), {"export": "csv"})
    text = b"".join(matches.streaming_content).decode()
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text


def test_xlsx_export_writes_formulas_as_text(committee_client, hostile):
    response = committee_client.get(reverse(APPLICATIONS), {"export": "xlsx"})
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cells = [
        c
        for row in workbook.active.iter_rows()
        for c in row
        if c.value and "HYPERLINK" in str(c.value)
    ]
    assert cells and all(c.data_type == "s" for c in cells)


def test_exports_are_for_the_committee_only(client, make_user, hostile):
    editor = make_user(username="editor")
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    response = client.get(reverse(APPLICATIONS), {"export": "csv"})
    assert response.status_code == 403 and b"HYPERLINK" not in response.content


def test_places_left_count_only_approved_and_active_matches(committee_client, make_many):
    from wagtail_mentoring.matching.lifecycle import reject
    from wagtail_mentoring.models import Match, MatchStatus

    people = make_many(8)
    busy, free = people[1], people[3]  # mentors with two places each
    approve(propose(people[0], busy))
    reject(propose(people[2], busy))
    propose(people[4], busy)  # a proposal holds no place
    active = approve(propose(people[6], free))
    Match.objects.filter(pk=active.pk).update(status=MatchStatus.COMPLETED)
    admin = Application.objects.filter(pk__in=[busy.pk, free.pk])
    assert dict(admin.with_places_taken().values_list("pk", "taken")) == {busy.pk: 1, free.pk: 0}
    html = committee_client.get(reverse(APPLICATIONS), {"role__exact": "mentor"}).content.decode()
    row = html[html.index("Person 1") :]
    assert 'field-places_left title">1</td>' in row[: row.index("</tr>")]


def test_rows_are_made_distinct_only_when_a_filter_in_use_needs_it(committee_client, make_many):
    make_many(4)
    url = reverse(APPLICATIONS)

    def page_query(params):
        with CaptureQueriesContext(connection) as context:
            assert committee_client.get(url, params).status_code == 200
        return next(
            q["sql"]
            for q in context.captured_queries
            if "ORDER BY" in q["sql"] and '"wagtail_mentoring_application"."goals"' in q["sql"]
        )

    assert "DISTINCT" not in page_query({})
    assert "DISTINCT" not in page_query({"role__exact": "mentor"})
    topic = Application.objects.first().topics.first()
    assert "DISTINCT" in page_query({"topics__id__exact": topic.pk})
