import pytest
from association.models import MemberProfile
from bs4 import BeautifulSoup
from django.core import mail
from django.urls import reverse

from tests.conftest import application_data
from wagtail_mentoring.models import (
    Application,
    ApplicationFormField,
    ApplicationStatus,
    MentoringSettings,
)

pytestmark = pytest.mark.usefixtures("no_spam_timer")


@pytest.fixture
def site_settings(home_page):
    from wagtail.models import Site

    settings = MentoringSettings.for_site(Site.objects.get(is_default_site=True))
    settings.coordinator_email = "coordinator@example.org"
    settings.join_url = "https://example.org/join"
    settings.join_message = "Join the association to take part."
    settings.renew_url = "https://example.org/renew"
    settings.renew_message = "Please renew to take part."
    settings.save()
    return settings


@pytest.fixture
def lapsed(make_user, settings):
    import datetime

    settings.WAGTAIL_MENTORING_MEMBERSHIP_BACKEND = {
        "BACKEND": "wagtail_mentoring.membership.AttributeMembershipBackend",
        "OPTIONS": {"ATTRIBUTE": "member_profile.membership_expires"},
    }
    user = make_user(member=True)
    MemberProfile.objects.create(
        user=user, member_number="L-1", membership_expires=datetime.date(2020, 1, 1)
    )
    return user


def post(client, page, data, capture):
    with capture(execute=True):
        return client.post(page.url, data)


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


# -- gating ------------------------------------------------------------------------


def test_anonymous_visitor_is_asked_to_log_in(client, mentee_page, open_cycle):
    response = client.get(mentee_page.url)
    assert response.status_code == 200
    gate = soup(response).select_one(".mentoring-gate--anonymous")
    assert "Please log in to apply" in gate.text
    assert gate.a["href"] == "/login/?next=%2Fmentoring%2Fapply-mentee%2F"
    assert not soup(response).select("form.mentoring-form")


def test_non_member_is_invited_to_join(client, make_user, mentee_page, open_cycle, site_settings):
    client.force_login(make_user(member=False))
    gate = soup(client.get(mentee_page.url)).select_one(".mentoring-gate--none")
    assert "Join the association to take part." in gate.text
    assert gate.a["href"] == "https://example.org/join"


def test_lapsed_member_is_invited_to_renew(client, lapsed, mentee_page, open_cycle, site_settings):
    client.force_login(lapsed)
    gate = soup(client.get(mentee_page.url)).select_one(".mentoring-gate--lapsed")
    assert "Please renew to take part." in gate.text
    assert gate.a["href"] == "https://example.org/renew"


def test_default_wording_when_editors_set_none(client, make_user, mentee_page, open_cycle):
    client.force_login(make_user(member=False))
    gate = soup(client.get(mentee_page.url)).select_one(".mentoring-gate--none")
    assert "open to members of the association" in gate.text
    assert gate.a is None  # no link configured


@pytest.mark.parametrize("who", ["anonymous", "non_member", "lapsed"])
def test_forged_posts_from_outsiders_create_nothing(
    who,
    client,
    make_user,
    lapsed,
    mentee_page,
    open_cycle,
    topics,
    site_settings,
    django_capture_on_commit_callbacks,
):
    if who == "non_member":
        client.force_login(make_user(member=False))
    elif who == "lapsed":
        client.force_login(lapsed)
    response = post(
        client, mentee_page, application_data("mentee", topics), django_capture_on_commit_callbacks
    )
    assert response.status_code == 403
    assert soup(response).select_one(".mentoring-gate")
    assert not Application.objects.exists()
    assert mail.outbox == []


def test_member_sees_the_form_prefilled(client, member, mentee_page, open_cycle, topics):
    client.force_login(member)
    page = soup(client.get(mentee_page.url))
    form = page.select_one("form.mentoring-form")
    assert form.select_one("input[name=contact_email]")["value"] == "member@example.org"
    assert form.select_one("input[name=name]")["value"] == "Mia Member"
    assert "up to 10 months" in form.select_one("[data-field=commitment_consent]").text
    assert [t.text.strip() for t in form.select("[data-field=topics] fieldset label")] == [
        "Leadership",
        "Digital services",
        "Data literacy",
    ]


# -- the window ----------------------------------------------------------------------


def test_before_the_window_opens(
    client, member, mentee_page, make_cycle, topics, django_capture_on_commit_callbacks
):
    make_cycle(opens=3, closes=30)
    client.force_login(member)
    response = client.get(mentee_page.url)
    assert "Applications open on" in soup(response).select_one(".mentoring-closed").text
    response = post(
        client, mentee_page, application_data("mentee", topics), django_capture_on_commit_callbacks
    )
    assert response.status_code == 403
    assert not Application.objects.exists()


def test_after_the_window_closes(
    client, member, mentee_page, make_cycle, topics, django_capture_on_commit_callbacks
):
    make_cycle(opens=-30, closes=-1)
    client.force_login(member)
    assert "Applications closed on" in soup(client.get(mentee_page.url)).text
    response = post(
        client, mentee_page, application_data("mentee", topics), django_capture_on_commit_callbacks
    )
    assert response.status_code == 403
    assert not Application.objects.exists()


# -- applying ------------------------------------------------------------------------------


def test_member_applies_as_mentee(
    client,
    member,
    mentee_page,
    open_cycle,
    topics,
    site_settings,
    django_capture_on_commit_callbacks,
):
    client.force_login(member)
    response = post(
        client, mentee_page, application_data("mentee", topics), django_capture_on_commit_callbacks
    )
    assert response.status_code == 200
    page = soup(response)
    assert page.select_one("[data-mentoring-mode=thanks]")
    assert "We have sent a confirmation to mia@example.org." in page.text
    assert "The committee aims to match everyone by" in page.text

    application = Application.objects.get()
    assert (application.user, application.cycle, application.page_id) == (
        member,
        open_cycle,
        mentee_page.pk,
    )
    assert application.role == "mentee" and application.status == ApplicationStatus.SUBMITTED
    assert application.career_stage == "new_professional"
    assert application.preferred_mentor_stage == "senior"
    assert set(application.topics.all()) == {topics[0], topics[1]}
    assert application.capacity is None

    assert [m.to for m in mail.outbox] == [["mia@example.org"], ["coordinator@example.org"]]
    confirmation, notice = mail.outbox
    assert "mentee application" in confirmation.subject and "2027 cycle" in confirmation.subject
    assert confirmation.alternatives[0][1] == "text/html"
    assert "Dear Mia Member" in confirmation.body
    assert notice.reply_to == ["mia@example.org"]
    assert "Leadership" in notice.body


def test_member_applies_as_mentor(
    client, member, mentor_page, open_cycle, topics, django_capture_on_commit_callbacks
):
    client.force_login(member)
    response = post(
        client, mentor_page, application_data("mentor", topics), django_capture_on_commit_callbacks
    )
    assert response.status_code == 200
    application = Application.objects.get()
    assert (application.role, application.capacity, application.years_experience) == (
        "mentor",
        2,
        15,
    )
    assert application.conference_activities == ["speed_mentoring"]
    assert len(mail.outbox) == 1  # no coordinator address set: only the confirmation


def test_one_member_can_hold_both_roles(
    client, member, application_pages, open_cycle, topics, django_capture_on_commit_callbacks
):
    client.force_login(member)
    for role, page in application_pages.items():
        post(client, page, application_data(role, topics), django_capture_on_commit_callbacks)
    assert sorted(Application.objects.values_list("role", flat=True)) == ["mentee", "mentor"]


def test_double_submit_creates_one_row_and_shows_it(
    client, member, mentee_page, open_cycle, topics, django_capture_on_commit_callbacks
):
    client.force_login(member)
    data = application_data("mentee", topics)
    post(client, mentee_page, data, django_capture_on_commit_callbacks)
    second = post(client, mentee_page, data, django_capture_on_commit_callbacks)
    assert second.status_code == 200
    assert "You have already applied" in second.content.decode()
    assert soup(second).select_one("[data-application-status=submitted]")
    assert Application.objects.count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"contact_email": "not-an-email"}, "contact_email", "valid email"),
        ({"topics": []}, "topics", "This field is required"),
        ({"topics": ["999999"]}, "topics", "Select a valid choice"),
        ({"topics": ["abc"]}, "topics", "is not a valid value"),
        ({"goals": "x" * 2001}, "goals", "at most 2000 characters"),
        ({"name": ""}, "name", "This field is required"),
        ({"career_stage": "wizard"}, "career_stage", "Select a valid choice"),
        ({"sector": "space"}, "sector", "Select a valid choice"),
        ({"privacy_consent": None}, "privacy_consent", "This field is required"),
        ({"region": "\x00"}, "region", "Null characters are not allowed"),
    ],
)
def test_every_input_is_validated_with_a_message(
    client,
    member,
    mentee_page,
    open_cycle,
    topics,
    overrides,
    field,
    message,
    django_capture_on_commit_callbacks,
):
    client.force_login(member)
    response = post(
        client,
        mentee_page,
        application_data("mentee", topics, **overrides),
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 200
    error = soup(response).select_one(f"[data-field={field}] .mentoring-form__error")
    assert error is not None and message in error.text
    assert not Application.objects.exists() and mail.outbox == []


def test_mentor_capacity_is_limited_by_the_setting(
    client, member, mentor_page, open_cycle, topics, settings, django_capture_on_commit_callbacks
):
    settings.WAGTAIL_MENTORING_MAX_MENTOR_CAPACITY = 2
    client.force_login(member)
    response = post(
        client,
        mentor_page,
        application_data("mentor", topics, capacity="3"),
        django_capture_on_commit_callbacks,
    )
    assert "Select a valid choice" in soup(response).select_one("[data-field=capacity]").text
    assert not Application.objects.exists()


def test_configured_sectors_and_regions_are_the_choices(
    client, member, mentee_page, open_cycle, topics, settings, django_capture_on_commit_callbacks
):
    settings.WAGTAIL_MENTORING_SECTORS = [("museum", "Museums")]
    settings.WAGTAIL_MENTORING_REGIONS = [("east", "East"), ("west", "West")]
    client.force_login(member)
    form = soup(client.get(mentee_page.url))
    assert [o["value"] for o in form.select("select[name=sector] option")] == ["", "museum"]
    assert [o["value"] for o in form.select("select[name=region] option")] == ["", "east", "west"]
    response = post(
        client,
        mentee_page,
        application_data("mentee", topics, sector="museum", region="North"),
        django_capture_on_commit_callbacks,
    )
    assert "Select a valid choice" in soup(response).select_one("[data-field=region]").text
    post(
        client,
        mentee_page,
        application_data("mentee", topics, sector="museum", region="east"),
        django_capture_on_commit_callbacks,
    )
    assert Application.objects.get().region == "east"


# -- spam ---------------------------------------------------------------------------------


def test_honeypot_rejects_without_storing(
    client, member, mentee_page, open_cycle, topics, django_capture_on_commit_callbacks
):
    client.force_login(member)
    response = post(
        client,
        mentee_page,
        application_data("mentee", topics, website="http://spam.example"),
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 400
    assert not Application.objects.exists() and mail.outbox == []


def test_posting_faster_than_a_person_can_is_refused(
    client, member, mentee_page, open_cycle, topics, settings, django_capture_on_commit_callbacks
):
    settings.WAGTAIL_MENTORING_MIN_SUBMIT_SECONDS = 60
    client.force_login(member)
    token = soup(client.get(mentee_page.url)).select_one("input[name=form_started]")["value"]
    response = post(
        client,
        mentee_page,
        application_data("mentee", topics, form_started=token),
        django_capture_on_commit_callbacks,
    )
    assert "very quick" in response.content.decode()
    response = post(
        client,
        mentee_page,
        application_data("mentee", topics, form_started=token + "x"),
        django_capture_on_commit_callbacks,
    )
    assert "This form has expired" in response.content.decode()
    assert not Application.objects.exists()


def test_a_person_who_takes_their_time_is_accepted(
    client, member, mentee_page, open_cycle, topics, settings, django_capture_on_commit_callbacks
):
    import time

    from django.core import signing

    settings.WAGTAIL_MENTORING_MIN_SUBMIT_SECONDS = 60
    client.force_login(member)
    token = signing.dumps(time.time() - 120, salt="wagtail_mentoring.application-form-started")
    post(
        client,
        mentee_page,
        application_data("mentee", topics, form_started=token),
        django_capture_on_commit_callbacks,
    )
    assert Application.objects.count() == 1


# -- after applying ---------------------------------------------------------------------


@pytest.fixture
def applied(client, member, mentee_page, open_cycle, topics, django_capture_on_commit_callbacks):
    client.force_login(member)
    post(
        client, mentee_page, application_data("mentee", topics), django_capture_on_commit_callbacks
    )
    mail.outbox.clear()
    return Application.objects.get()


def test_member_sees_status_and_edits(
    client, applied, mentee_page, topics, django_capture_on_commit_callbacks
):
    page = soup(client.get(mentee_page.url))
    assert page.select_one("[data-application-status=submitted]")
    assert "The committee aims to match everyone by" in page.text
    form = soup(client.get(mentee_page.url + "?edit=1")).select_one("form.mentoring-form")
    assert form.select_one("input[name=mentoring_action]")["value"] == "edit"
    assert form.select_one("textarea[name=goals]").text.strip() == "Grow into a team leader."

    data = application_data(
        "mentee",
        topics,
        mentoring_action="edit",
        goals="Lead a branch.",
        topics=[str(topics[2].pk)],
    )
    response = post(client, mentee_page, data, django_capture_on_commit_callbacks)
    assert "Your changes are saved." in response.content.decode()
    applied.refresh_from_db()
    assert applied.goals == "Lead a branch."
    assert list(applied.topics.all()) == [topics[2]]
    assert Application.objects.count() == 1


def test_the_edit_form_shows_the_saved_name_and_email_not_the_accounts(
    client, applied, mentee_page
):
    # The member applied under another name and address than their account's.
    Application.objects.filter(pk=applied.pk).update(
        name="Alex Member", contact_email="alex.member@example.org"
    )
    form = soup(client.get(mentee_page.url + "?edit=1")).select_one("form.mentoring-form")
    assert form.select_one("input[name=name]")["value"] == "Alex Member"
    assert form.select_one("input[name=contact_email]")["value"] == "alex.member@example.org"


def test_matched_application_cannot_be_edited_or_withdrawn(
    client, applied, mentee_page, topics, django_capture_on_commit_callbacks
):
    Application.objects.filter(pk=applied.pk).update(status=ApplicationStatus.MATCHED)
    page = soup(client.get(mentee_page.url + "?edit=1"))
    assert not page.select("form.mentoring-form") and "Edit your application" not in page.text
    data = application_data("mentee", topics, mentoring_action="edit", goals="Changed")
    assert post(client, mentee_page, data, django_capture_on_commit_callbacks).status_code == 409
    withdraw = post(
        client, mentee_page, {"mentoring_action": "withdraw"}, django_capture_on_commit_callbacks
    )
    assert withdraw.status_code == 409
    applied.refresh_from_db()
    assert (
        applied.goals == "Grow into a team leader." and applied.status == ApplicationStatus.MATCHED
    )


def test_member_withdraws_with_a_reason(
    client, applied, mentee_page, django_capture_on_commit_callbacks
):
    response = post(
        client,
        mentee_page,
        {"mentoring_action": "withdraw", "reason": "New job abroad"},
        django_capture_on_commit_callbacks,
    )
    assert "Your application is withdrawn." in response.content.decode()
    applied.refresh_from_db()
    assert applied.status == ApplicationStatus.WITHDRAWN
    assert applied.withdrawal_reason == "New job abroad" and applied.withdrawn_at is not None
    assert "Edit your application" not in client.get(mentee_page.url).content.decode()


def test_withdraw_reason_is_length_checked(
    client, applied, mentee_page, django_capture_on_commit_callbacks
):
    response = post(
        client,
        mentee_page,
        {"mentoring_action": "withdraw", "reason": "x" * 1001},
        django_capture_on_commit_callbacks,
    )
    assert "at most 1000 characters" in response.content.decode()
    applied.refresh_from_db()
    assert applied.status == ApplicationStatus.SUBMITTED


def test_my_mentoring_lists_applications(
    client, applied, program_page, mentor_page, topics, django_capture_on_commit_callbacks
):
    post(
        client, mentor_page, application_data("mentor", topics), django_capture_on_commit_callbacks
    )
    url = program_page.url + program_page.reverse_subpage("my_mentoring")
    rows = soup(client.get(url)).select(".mentoring-my__applications tbody tr")
    assert [(r.select("td")[1].text, r["data-application-status"]) for r in rows] == [
        ("Mentee", "submitted"),
        ("Mentor", "submitted"),
    ]
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith("/login/?next=")


def test_apply_block_links_to_the_application_pages(
    client, program_page, application_pages, open_cycle
):
    program_page.body = [
        (
            "apply",
            {
                "heading": "Apply",
                "text": "",
                "mentor_page": None,
                "mentor_link_text": "Be a mentor",
                "mentee_page": None,
                "mentee_link_text": "Be a mentee",
            },
        )
    ]
    program_page.save_revision().publish()
    links = soup(client.get(program_page.url)).select(".mentoring-apply a")
    assert [(a.text, a["href"]) for a in links] == [
        ("Be a mentor", "/mentoring/apply-mentor/"),
        ("Be a mentee", "/mentoring/apply-mentee/"),
    ]


# -- editor-added questions ---------------------------------------------------------


def test_renamed_question_keeps_its_answers(
    client, member, mentee_page, open_cycle, topics, django_capture_on_commit_callbacks
):
    field = ApplicationFormField.objects.create(
        page=mentee_page, label="Favourite book", field_type="singleline", required=True
    )
    client.force_login(member)
    response = post(
        client, mentee_page, application_data("mentee", topics), django_capture_on_commit_callbacks
    )
    assert (
        "This field is required"
        in soup(response).select_one("[data-field=extra__favourite_book]").text
    )
    post(
        client,
        mentee_page,
        application_data("mentee", topics, extra__favourite_book="Middlemarch"),
        django_capture_on_commit_callbacks,
    )
    assert Application.objects.get().extra_answers == {"favourite_book": "Middlemarch"}

    field.label = "A book you love"
    field.save()
    form = soup(client.get(mentee_page.url + "?edit=1"))
    renamed = form.select_one("[data-field=extra__favourite_book]")
    assert "A book you love" in renamed.text
    assert renamed.select_one("input")["value"] == "Middlemarch"
    assert Application.objects.get().extra_answers == {"favourite_book": "Middlemarch"}


# -- confidentiality --------------------------------------------------------------


@pytest.fixture
def committee_member(make_user):
    from django.contrib.auth.models import Group

    user = make_user(member=True)
    user.groups.add(Group.objects.get(name="Mentoring committee"))
    return user


@pytest.fixture
def page_editor(make_user):
    from django.contrib.auth.models import Group

    user = make_user(member=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def test_committee_sees_applications_and_editors_do_not(
    client, applied, committee_member, page_editor, mentee_page
):
    index = reverse("wagtail_mentoring_application_modeladmin_index")
    inspect = reverse("wagtail_mentoring_application_modeladmin_inspect", args=[applied.pk])
    submissions = reverse("wagtailforms:list_submissions", args=[mentee_page.pk])

    client.force_login(page_editor)
    for url in (index, inspect, submissions):
        response = client.get(url)
        assert response.status_code == 403
        assert "Only members of the mentoring committee can see them." in response.content.decode()
        assert "Grow into a team leader." not in response.content.decode()
    assert index not in client.get(reverse("wagtailadmin_home")).content.decode()
    forms_listing = client.get(reverse("wagtailforms:index")).content.decode()
    assert mentee_page.title not in forms_listing

    client.force_login(committee_member)
    assert client.get(submissions).url == index
    assert client.get(index).status_code == 200
    detail = client.get(inspect)
    assert detail.status_code == 200 and "Grow into a team leader." in detail.content.decode()


def test_applications_are_never_stored_as_form_submissions(applied, mentee_page):
    from wagtail.contrib.forms.models import FormSubmission

    assert not FormSubmission.objects.exists()
    assert not mentee_page.get_submissions().exists()


def test_withdrawn_member_can_apply_again_while_the_window_is_open(
    client, applied, mentee_page, topics, site_settings, django_capture_on_commit_callbacks
):
    post(
        client,
        mentee_page,
        {"mentoring_action": "withdraw", "reason": "Busy"},
        django_capture_on_commit_callbacks,
    )
    status = soup(client.get(mentee_page.url))
    assert status.find("a", string="Apply again")["href"] == f"{mentee_page.url}?edit=1"
    form = soup(client.get(mentee_page.url + "?edit=1"))
    assert form.select_one("button[type=submit]").text == "Submit application"

    data = application_data("mentee", topics, mentoring_action="edit", goals="Back again.")
    response = post(client, mentee_page, data, django_capture_on_commit_callbacks)
    assert soup(response).select_one("[data-mentoring-mode=thanks]")
    applied.refresh_from_db()
    assert applied.status == ApplicationStatus.SUBMITTED and applied.goals == "Back again."
    assert applied.withdrawn_at is None and applied.withdrawal_reason == ""
    assert Application.objects.count() == 1
    # The withdrawal is confirmed and the coordinator told; applying again is confirmed
    # again, and the coordinator hears of it again.
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["mia@example.org"], "Your mentee application is withdrawn (2027 cycle)"),
        (["coordinator@example.org"], "Withdrawn: mentee application (2027 cycle)"),
        (["mia@example.org"], "We received your mentee application (2027 cycle)"),
        (["coordinator@example.org"], "New mentee application (2027 cycle)"),
    ]


def test_withdrawn_application_stays_withdrawn_once_the_window_closes(
    client, applied, mentee_page, topics, open_cycle, django_capture_on_commit_callbacks
):
    import datetime

    from django.utils import timezone

    post(client, mentee_page, {"mentoring_action": "withdraw"}, django_capture_on_commit_callbacks)
    open_cycle.applications_close = timezone.now() - datetime.timedelta(minutes=1)
    open_cycle.applications_open = timezone.now() - datetime.timedelta(days=5)
    open_cycle.save()
    assert "Apply again" not in client.get(mentee_page.url).content.decode()
    data = application_data("mentee", topics, mentoring_action="edit")
    assert post(client, mentee_page, data, django_capture_on_commit_callbacks).status_code == 409
    applied.refresh_from_db()
    assert applied.status == ApplicationStatus.WITHDRAWN


def test_a_failing_mail_server_does_not_lose_the_application(
    client,
    member,
    mentee_page,
    open_cycle,
    topics,
    settings,
    django_capture_on_commit_callbacks,
):
    from unittest import mock

    client.force_login(member)
    with mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages",
        side_effect=ConnectionRefusedError("mail server down"),
    ):
        response = post(
            client,
            mentee_page,
            application_data("mentee", topics),
            django_capture_on_commit_callbacks,
        )
    assert response.status_code == 200
    assert soup(response).select_one("[data-mentoring-mode=thanks]")
    assert Application.objects.count() == 1
    # The confirmation waits in the outbox for its next attempt, with the reason.
    from wagtail_mentoring.models import EmailStatus, SentEmail

    email = SentEmail.objects.get()
    assert (email.kind, email.status, email.attempts) == (
        "application_received",
        EmailStatus.QUEUED,
        1,
    )
    assert "mail server down" in email.last_error and email.next_attempt_at


def test_number_and_date_questions_are_stored_as_json(
    client, member, mentee_page, open_cycle, topics, django_capture_on_commit_callbacks
):
    ApplicationFormField.objects.create(
        page=mentee_page, label="Hours per month", field_type="number"
    )
    ApplicationFormField.objects.create(page=mentee_page, label="Available from", field_type="date")
    client.force_login(member)
    data = application_data(
        "mentee", topics, extra__hours_per_month="2.5", extra__available_from="2027-03-01"
    )
    post(client, mentee_page, data, django_capture_on_commit_callbacks)
    assert Application.objects.get().extra_answers == {
        "hours_per_month": "2.5",
        "available_from": "2027-03-01",
    }


def test_status_page_links_to_my_mentoring(client, applied, mentee_page, program_page):
    link = soup(client.get(mentee_page.url)).find("a", string="All your mentoring applications")
    assert link["href"] == "/mentoring/my/"


def test_committee_sees_the_application_history(
    client, applied, mentee_page, committee_member, django_capture_on_commit_callbacks
):
    post(
        client,
        mentee_page,
        {"mentoring_action": "withdraw", "reason": "Too busy"},
        django_capture_on_commit_callbacks,
    )
    assert [e.action for e in applied.events.all()] == ["submitted", "withdrawn"]
    client.force_login(committee_member)
    html = client.get(
        reverse("wagtail_mentoring_application_modeladmin_inspect", args=[applied.pk])
    ).content.decode()
    assert ": Submitted" in html and ": Withdrawn: Too busy" in html


# -- how the form reads ------------------------------------------------------------


def _form_fields(response):
    return soup(response).select(".mentoring-form [data-field]")


def test_required_fields_carry_one_marker_and_are_explained_once(
    client, member, mentor_page, open_cycle, topics
):
    client.force_login(member)
    page = soup(client.get(mentor_page.url))
    assert len(page.select(".mentoring-form__required-note")) == 1
    for wrapper in page.select(".mentoring-form [data-field]"):
        name = wrapper["data-field"]
        markers = wrapper.select(".mentoring-form__required")
        controls = wrapper.select("input:not([type=hidden]), select, textarea")
        optional = name in ("conference_activities", "organisation", "preferred_mentee_stages")
        if optional:
            assert markers == [] and not any(c.has_attr("required") for c in controls), name
            continue
        assert len(markers) == 1, name
        assert markers[0]["aria-hidden"] == "true"
        if wrapper.select_one("input[type=radio]"):
            group = wrapper.select_one("fieldset[role=radiogroup][aria-required=true]")
            assert group is not None, name
        elif wrapper.select_one("fieldset"):
            # A required group of tick-boxes: the legend's marker says so; no single box is.
            assert not any(c.has_attr("required") for c in controls), name
        else:
            # (Django leaves ``required`` off a drop-down that has no empty first option.)
            assert all(c.get("aria-required") == "true" for c in controls), name
            assert all(c.has_attr("required") for c in controls if c.name != "select"), name


def test_choice_fields_prompt_rather_than_dashes(
    client, member, mentee_page, open_cycle, topics, settings
):
    settings.WAGTAIL_MENTORING_REGIONS = [("east", "East"), ("west", "West")]
    client.force_login(member)
    response = client.get(mentee_page.url)
    assert "---------" not in response.content.decode()
    page = soup(response)
    for name in ("career_stage", "sector", "region"):
        first = page.select_one(f"select[name={name}] option")
        assert first["value"] == "" and first.text == "Choose…", name


def test_a_refused_form_lists_its_errors_at_the_top_with_links(
    client, member, mentee_page, open_cycle, topics, django_capture_on_commit_callbacks
):
    client.force_login(member)
    response = post(
        client,
        mentee_page,
        application_data("mentee", topics, name="", topics=None, sector=""),
        django_capture_on_commit_callbacks,
    )
    page = soup(response)
    summary = page.select_one(".mentoring-form__summary")
    assert summary is not None
    assert summary["tabindex"] == "-1" and summary.has_attr("data-mentoring-error-summary")
    heading = summary.select_one("h2")
    assert heading is not None and "There is a problem" in heading.text
    form = page.select_one("form.mentoring-form")
    # The summary comes before the first field.
    assert summary in form.find_all(class_="mentoring-form__summary")
    links = {a["href"]: a.text for a in summary.select("a")}
    assert set(links) == {"#id_name", "#id_sector", "#id_topics_0"}
    for href in links:
        assert page.select_one(href) is not None, href
    assert "Your name" in links["#id_name"]


def test_a_clean_form_has_no_error_summary(client, member, mentee_page, open_cycle, topics):
    client.force_login(member)
    assert soup(client.get(mentee_page.url)).select(".mentoring-form__summary") == []


def test_the_coordinator_field_says_when_the_coordinator_is_emailed(
    client, site_settings, make_user
):
    # The emails above go to the coordinator on a submission, on applying again and on
    # a withdrawal; the settings form says so, and does not promise a note for edits.
    editor = make_user(member=False, is_superuser=True, is_staff=True)
    client.force_login(editor)
    page = client.get(
        f"/admin/settings/wagtail_mentoring/mentoringsettings/{site_settings.site_id}/"
    )
    assert page.status_code == 200
    field = soup(page).select_one("[data-field-wrapper]:has(#id_coordinator_email)")
    help_text = " ".join(field.select_one("[id$=helptext], .help").get_text().split())
    assert "every new application" not in help_text
    assert "submitted again" in help_text and "withdraws" in help_text
