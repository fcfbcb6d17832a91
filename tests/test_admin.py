import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from wagtail_mentoring.models import Cycle

INDEX = "wagtail_mentoring_cycle_modeladmin_index"
CREATE = "wagtail_mentoring_cycle_modeladmin_create"
EDIT = "wagtail_mentoring_cycle_modeladmin_edit"


@pytest.fixture
def cycle_manager(django_user_model):
    user = django_user_model.objects.create_user("cm", password="pw")
    group = Group.objects.create(name="Cycle managers")
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        *Permission.objects.filter(
            content_type__app_label="wagtail_mentoring", codename__endswith="_cycle"
        ),
    )
    user.groups.add(group)
    return user


@pytest.fixture
def plain_editor(django_user_model):
    user = django_user_model.objects.create_user("ed", password="pw")
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def _form(program_page, **overrides):
    data = {
        "program_page": str(program_page.pk),
        "name": "2027 cycle",
        "applications_open": "2027-02-01 09:00",
        "applications_close": "2027-03-01 17:00",
        "matching_deadline": "2027-04-15",
        "pairing_start": "2027-05-01",
        "pairing_end": "",
        "commitment_months": "10",
        "checkin_every_months": "1",
        "conference_date": "2027-09-20",
        "consent": "mentor",
        "consent_days": "7",
        "consent_reminder_days": "3",
    }
    data.update(overrides)
    return data


def test_cycle_is_created_in_the_mentoring_menu(client, cycle_manager, program_page):
    client.force_login(cycle_manager)
    menu = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Mentoring" in menu and "Cycles" in menu

    response = client.post(reverse(CREATE), _form(program_page))
    assert response.status_code == 302
    cycle = Cycle.objects.get()
    assert cycle.program_page_id == program_page.pk
    assert cycle.pairing_end.isoformat() == "2028-03-01"
    # Entered in the site's time zone (Australia/Sydney, AEDT = UTC+11).
    assert cycle.applications_open.isoformat() == "2027-01-31T22:00:00+00:00"

    listing = client.get(reverse(INDEX)).content.decode()
    assert "2027 cycle" in listing and "Applications open on" in listing


def test_invalid_cycle_is_refused_with_a_message_and_nothing_saved(
    client, cycle_manager, program_page
):
    client.force_login(cycle_manager)
    response = client.post(
        reverse(CREATE), _form(program_page, applications_close="2027-01-01 09:00")
    )
    assert response.status_code == 200
    assert "Applications must close after they open." in response.content.decode()
    assert not Cycle.objects.exists()


def test_cycle_must_belong_to_a_programme_page(client, cycle_manager, program_page, home_page):
    client.force_login(cycle_manager)
    response = client.post(reverse(CREATE), _form(home_page))
    assert response.status_code == 200
    assert not Cycle.objects.exists()


def test_cycle_edit_keeps_the_window_change(client, cycle_manager, program_page, make_cycle):
    cycle = make_cycle()
    client.force_login(cycle_manager)
    response = client.post(reverse(EDIT, args=[cycle.pk]), _form(program_page, name="Renamed"))
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert cycle.name == "Renamed"


def test_users_without_cycle_permissions_neither_see_nor_open_cycles(
    client, plain_editor, program_page
):
    client.force_login(plain_editor)
    menu = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse(INDEX) not in menu
    assert client.get(reverse(INDEX)).status_code in (302, 403)
    assert client.post(reverse(CREATE), _form(program_page)).status_code in (302, 403)
    assert not Cycle.objects.exists()


def test_programme_page_with_cycles_cannot_be_deleted_silently(
    admin_client, program_page, make_cycle
):
    make_cycle()
    admin_client.post(reverse("wagtailadmin_pages:delete", args=[program_page.pk]))
    assert Cycle.objects.count() == 1
    assert type(program_page).objects.filter(pk=program_page.pk).exists()


def test_topics_are_managed_as_snippets(admin_client):
    from wagtail_mentoring.models import Topic

    url = reverse("wagtailsnippets_wagtail_mentoring_topic:add")
    response = admin_client.post(url, {"name": "Leadership", "description": "Leading teams."})
    assert response.status_code == 302
    assert Topic.objects.get().name == "Leadership"
    listing = admin_client.get(reverse("wagtailsnippets_wagtail_mentoring_topic:list"))
    assert "Leadership" in listing.content.decode()


# -- modeladmin's generic failures answer 400 or 404, never 500 --------------------

LISTS = ["application", "match", "sentemail", "surveyresponse", "cycle"]
BAD_QUERIES = {
    "q=Night%00jar": "NUL character",
    "q=" + "x" * 201: "at most 200 characters",
    "no_such_field=1": "cannot be filtered by no_such_field",
    "status%00=1": "NUL character",
}


@pytest.fixture
def world(db, settings):
    from tests.world import build_world

    return build_world(settings)


@pytest.fixture
def committee_client(world):
    from tests.world import client_for

    return client_for(world, "committee")


@pytest.mark.parametrize("model", LISTS)
def test_bad_listing_queries_answer_400_with_the_reason(world, committee_client, model):
    url = reverse(f"wagtail_mentoring_{model}_modeladmin_index")
    for query, reason in BAD_QUERIES.items():
        response = committee_client.get(f"{url}?{query}")
        assert response.status_code == 400, (query, response.status_code)
        assert reason in response.content.decode(), query
    # The view's own parameters still work, whatever their value.
    for query in ("q=Nightjar", "p=abc", "p=99999999999999999999", "o=abc.-7", "o=0", "e=1"):
        assert committee_client.get(f"{url}?{query}").status_code == 200, query


def test_lookups_no_list_filter_offers_are_refused(world, committee_client):
    """modeladmin would run them as database lookups: a password-hash oracle."""
    url = reverse("wagtail_mentoring_application_modeladmin_index")
    for query in ("user__password__startswith=md5", "contact_email__contains=mentee"):
        response = committee_client.get(f"{url}?{query}")
        assert response.status_code == 400
        assert "Bartholomew" not in response.content.decode()
    assert committee_client.get(f"{url}?status=%00").status_code == 400
    # A filter's own parameter with a value it cannot take: an empty list or 400.
    for query in ("cycle__id__exact=abc", "topics__id__exact=²", "submitted_at__gte=x"):
        assert committee_client.get(f"{url}?{query}").status_code in (200, 400), query
    good = committee_client.get(f"{url}?role__exact=mentee&status__exact=matched")
    assert good.status_code == 200 and "Bartholomew" in good.content.decode()


@pytest.mark.parametrize("model", LISTS)
@pytest.mark.parametrize("pk", ["abc", "99999999999999999999", "-1", "²", "0x1"])
def test_ids_that_cannot_be_a_row_answer_404(world, model, pk):
    from tests.world import client_for

    client = client_for(world, "superuser")
    for action in ("inspect", "history", "edit", "delete"):
        url = f"/admin/wagtail_mentoring/{model}/{action}/{pk}/"
        assert client.get(url).status_code == 404, url


def test_snippet_ids_that_cannot_be_a_row_answer_404(world):
    from tests.world import client_for

    client = client_for(world, "superuser")
    for url in (
        "/admin/snippets/wagtail_mentoring/topic/edit/abc/",
        "/admin/snippets/wagtail_mentoring/surveyround/history/99999999999999999999/",
        "/admin/snippets/choose/wagtail_mentoring/topic/chosen/abc/",
    ):
        assert client.get(url).status_code == 404, url


def test_a_survey_round_whose_page_is_not_an_id_answers_the_form_again(world):
    """Wagtail's page chooser looks the value up as it is: text or a huge number would
    fail in the database while drawing the form again."""
    from tests.world import client_for

    client = client_for(world, "superuser")
    url = "/admin/snippets/wagtail_mentoring/surveyround/add/"
    for value in ("abc", "99999999999999999999", "-1"):
        data = {
            "cycle": str(world.objects["cycle"].pk),
            "name": "Pairing fit",
            "page": value,
            "months_after_start": "1",
            "remind_after_days": "7",
            "max_reminders": "2",
            "link_valid_days": "60",
        }
        response = client.post(url, data)
        assert response.status_code == 200, value  # the form again, with the error
        assert b"error" in response.content
