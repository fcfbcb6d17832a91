import datetime
import json
import re

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from wagtail.blocks import StreamBlockValidationError
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Page
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from wagtail_mentoring.models import MentoringProgramPage

LD_JSON = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def _list(items):
    """ListBlock form data for the given item values."""
    data = {"count": str(len(items))}
    for index, value in enumerate(items):
        data[str(index)] = {"value": value, "deleted": "", "order": str(index), "id": ""}
    return data


def test_editor_creates_and_publishes_a_programme_page_in_the_admin(admin_client, home_page):
    url = reverse(
        "wagtailadmin_pages:add", args=("wagtail_mentoring", "mentoringprogrampage", home_page.pk)
    )
    assert admin_client.get(url).status_code == 200
    data = nested_form_data(
        {
            "title": "Mentoring programme",
            "slug": "mentoring-programme",
            "intro": rich_text("Pairs members for ten months."),
            "body": streamfield(
                [
                    ("rich_text", rich_text("How it works")),
                    (
                        "faq",
                        {
                            "heading": "Questions",
                            "items": _list(
                                [{"question": "Who can apply?", "answer": rich_text("Members.")}]
                            ),
                        },
                    ),
                    (
                        "call_to_action",
                        {
                            "heading": "Join",
                            "text": "",
                            "link_text": "Join now",
                            "page": "",
                            "url": "https://example.org/join",
                        },
                    ),
                ]
            ),
        }
    )
    data["action-publish"] = "action-publish"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]

    page = MentoringProgramPage.objects.get(slug="mentoring-programme")
    assert page.live and page.get_parent().pk == home_page.pk
    assert [block.block_type for block in page.body] == ["rich_text", "faq", "call_to_action"]

    html = admin_client.get(page.url).content.decode()
    assert "Who can apply?" in html and "Join now" in html and "Pairs members" in html


def test_programme_page_can_only_hold_a_published_body_that_validates(home_page):
    block = MentoringProgramPage.body.field.stream_block
    with pytest.raises(StreamBlockValidationError):
        block.clean(
            block.to_python(
                [
                    {
                        "type": "call_to_action",
                        "value": {"heading": "x", "link_text": "y", "page": None, "url": ""},
                    }
                ]
            )
        )


@pytest.fixture
def full_page(home_page, make_cycle, program_page):
    """A programme page holding every block type, with an open cycle."""
    image = Image.objects.create(title="Portrait", file=get_test_image_file())
    mentor_page = Page(title="Become a mentor", slug="mentor")
    home_page.add_child(instance=mentor_page)
    draft = Page(title="Draft mentee page", slug="mentee", live=False)
    home_page.add_child(instance=draft)
    program_page.intro = "<p>Our programme.</p>"
    program_page.body = [
        ("rich_text", "<p>Plain <b>text</b></p>"),
        (
            "faq",
            {
                "heading": "FAQ",
                "items": [
                    {"question": "Who can apply?", "answer": "<p>Any <i>member</i>.</p>"},
                    {"question": "Is it </script> safe?", "answer": "<p>Yes & more.</p>"},
                ],
            },
        ),
        (
            "testimonial",
            {"quote": "Life-changing.", "name": "Ana", "role": "Librarian", "image": image},
        ),
        ("testimonial", {"quote": "Helpful.", "name": "Bo", "role": "", "image": None}),
        (
            "call_to_action",
            {
                "heading": "Join",
                "text": "Members only.",
                "link_text": "Join us",
                "page": None,
                "url": "https://example.org/join",
            },
        ),
        (
            "call_to_action",
            {
                "heading": "Read",
                "text": "",
                "link_text": "Read more",
                "page": mentor_page,
                "url": "",
            },
        ),
        (
            "key_facts",
            {"heading": "At a glance", "facts": [{"label": "Commitment", "value": "10 months"}]},
        ),
        (
            "apply",
            {
                "heading": "Apply now",
                "text": "",
                "mentor_page": mentor_page,
                "mentor_link_text": "Be a mentor",
                "mentee_page": draft,
                "mentee_link_text": "Be a mentee",
            },
        ),
    ]
    program_page.save_revision().publish()
    make_cycle(opens=-1, closes=10, name="2027 cycle")
    return program_page


def test_every_block_renders(client, full_page):
    response = client.get(full_page.url)
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    body = soup.select_one(".mentoring-program__body")
    types = [section["class"][1] for section in body.select("section.mentoring-block")]
    assert types == [
        "mentoring-block--rich_text",
        "mentoring-block--faq",
        "mentoring-block--testimonial",
        "mentoring-block--testimonial",
        "mentoring-block--call_to_action",
        "mentoring-block--call_to_action",
        "mentoring-block--key_facts",
        "mentoring-block--apply",
    ]
    # rich text
    assert body.select_one(".mentoring-block--rich_text b").text == "text"
    # testimonial with and without photo
    photos = body.select(".mentoring-testimonial__photo")
    assert len(photos) == 1 and photos[0]["src"]
    names = [n.text for n in body.select(".mentoring-testimonial__name")]
    assert names == ["Ana", "Bo"]
    assert [r.text for r in body.select(".mentoring-testimonial__role")] == ["Librarian"]
    # calls to action: URL and page targets
    hrefs = [a["href"] for a in body.select(".mentoring-cta a")]
    assert hrefs == ["https://example.org/join", "/mentor/"]
    # key facts
    assert body.select_one(".mentoring-facts dt").text == "Commitment"
    assert body.select_one(".mentoring-facts dd").text == "10 months"
    # apply: open cycle, live page linked, draft page left out
    apply = body.select_one(".mentoring-apply")
    assert "mentoring-apply--open" in apply["class"]
    assert [a.text for a in apply.select("a")] == ["Be a mentor"]
    assert "Applications are open until" in apply.text
    # header: intro and cycle status
    status = soup.select_one("[data-mentoring-cycle-status]")
    assert "2027 cycle" in status.text and "open until" in status.text
    # rendered inside the site's base template, with the package's assets
    assert soup.select_one("main#test-base .mentoring")
    assert soup.select_one('link[href="/static/wagtail_mentoring/css/mentoring.css"]')
    assert soup.select_one('script[src="/static/wagtail_mentoring/js/mentoring.js"]')


def test_faq_is_a_native_disclosure_that_needs_no_script(client, full_page):
    soup = BeautifulSoup(client.get(full_page.url).content, "html.parser")
    faq = soup.select_one("[data-mentoring-accordion]")
    items = faq.select("details.mentoring-faq__item")
    assert [d.summary.text for d in items] == ["Who can apply?", "Is it </script> safe?"]
    for details in items:
        # Closed until opened; the browser opens and closes it, with or without script.
        assert not details.has_attr("open")
        assert details.select_one("summary + .mentoring-faq__answer").text.strip()
    assert faq.select("button, [aria-expanded], [hidden]") == []
    assert len({d["id"] for d in items}) == len(items)


def test_faq_json_ld_is_valid_and_cannot_break_out_of_its_script(client, full_page):
    html = client.get(full_page.url).content.decode()
    scripts = LD_JSON.findall(html)
    assert len(scripts) == 1
    assert "</script>" not in scripts[0]
    data = json.loads(scripts[0])
    assert data["@type"] == "FAQPage" and data["@context"] == "https://schema.org"
    assert data["mainEntity"] == [
        {
            "@type": "Question",
            "name": "Who can apply?",
            "acceptedAnswer": {"@type": "Answer", "text": "Any member."},
        },
        {
            "@type": "Question",
            "name": "Is it </script> safe?",
            "acceptedAnswer": {"@type": "Answer", "text": "Yes & more."},
        },
    ]


def test_page_without_faq_has_no_json_ld(client, program_page):
    assert not LD_JSON.search(client.get(program_page.url).content.decode())


def test_apply_block_hides_links_while_applications_are_closed(client, full_page, make_cycle):
    full_page.get_cycles().delete()
    make_cycle(opens=5, closes=20, name="Next cycle")
    soup = BeautifulSoup(client.get(full_page.url).content, "html.parser")
    apply = soup.select_one(".mentoring-apply")
    assert "mentoring-apply--open" not in apply["class"]
    assert apply.select("a") == []
    assert "Applications open on" in apply.text


def test_page_without_cycle_says_so(client, program_page):
    html = client.get(program_page.url).content.decode()
    assert "No mentoring cycle has been scheduled yet." in html


def test_closed_cycle_status_is_shown(client, program_page, make_cycle):
    make_cycle(opens=-40, closes=-10, name="Last year")
    soup = BeautifulSoup(client.get(program_page.url).content, "html.parser")
    status = soup.select_one("[data-mentoring-cycle-status]")
    assert "mentoring-cycle-status--closed" in status["class"]
    assert "Applications closed on" in status.text


def test_current_cycle_is_read_once_per_render(client, full_page, django_assert_max_num_queries):
    # Header and apply block share one cycle lookup; the page renders in few queries.
    with django_assert_max_num_queries(20):
        assert client.get(full_page.url).status_code == 200


def test_unpublished_page_is_not_served(client, program_page):
    program_page.unpublish()
    assert client.get("/mentoring/").status_code == 404


def test_date_of_cycle_relative_fixture_is_sane(make_cycle):
    cycle = make_cycle(opens=-1, closes=1)
    assert cycle.applications_close - cycle.applications_open == datetime.timedelta(days=2)


# -- My mentoring ------------------------------------------------------------------


def _my_mentoring(client, program_page, user):
    client.force_login(user)
    url = program_page.url + program_page.reverse_subpage("my_mentoring")
    return url, BeautifulSoup(client.get(url).content, "html.parser")


def test_my_mentoring_shows_the_pairing_dates_and_what_happens_next(
    client, make_application, program_page, open_cycle
):
    from wagtail_mentoring.matching import lifecycle

    open_cycle.checkin_every_months = 2
    open_cycle.save()
    mentor = make_application("mentor", capacity=1)
    mentee = make_application("mentee")
    start = datetime.date.today() + datetime.timedelta(days=20)
    match = lifecycle.approve(lifecycle.propose(mentee, mentor), start_date=start)

    _, page = _my_mentoring(client, program_page, mentee.user)
    pairing = page.select_one(".mentoring-my__pairing")
    assert pairing is not None
    dates = pairing.select_one(".mentoring-my__dates")
    assert dates.select_one("time.mentoring-my__start")["datetime"] == start.isoformat()
    assert dates.select_one("time.mentoring-my__end")["datetime"] == match.end_date.isoformat()
    next_step = pairing.select_one(".mentoring-my__next").text
    assert "Please write to your mentor by" in next_step
    assert "every 2 months" in next_step

    _, page = _my_mentoring(client, program_page, mentor.user)
    next_step = page.select_one(".mentoring-my__pairing .mentoring-my__next").text
    assert "Your mentee will write to you by" in next_step


def test_my_mentoring_says_an_applicant_waits_in_the_pool(
    client, make_application, program_page, open_cycle
):
    mentee = make_application("mentee")
    _, page = _my_mentoring(client, program_page, mentee.user)
    assert "waiting for a match" in page.select_one(".mentoring-my__next").text


def test_saving_the_alumni_choice_confirms_it(client, make_application, program_page):
    from wagtail_mentoring.matching import lifecycle

    mentor = make_application("mentor", capacity=1)
    lifecycle.complete(lifecycle.approve(lifecycle.propose(make_application("mentee"), mentor)))
    url, _ = _my_mentoring(client, program_page, mentor.user)
    response = client.post(
        url, {"alumni_application": mentor.pk, "alumni_listing_consent": "1"}, follow=True
    )
    page = BeautifulSoup(response.content, "html.parser")
    message = page.select_one(".mentoring-my__messages [role=status]")
    assert message is not None and "listed among the alumni" in message.text
    response = client.post(url, {"alumni_application": mentor.pk}, follow=True)
    page = BeautifulSoup(response.content, "html.parser")
    assert "no longer listed" in page.select_one(".mentoring-my__messages").text
    # Shown once: reloading the page does not repeat it.
    _, page = _my_mentoring(client, program_page, mentor.user)
    assert page.select_one(".mentoring-my__messages") is None
