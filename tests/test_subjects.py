"""Subjects and text parts are plain text; only the HTML part is escaped.

Every kind in the registry is checked, with names holding ``'``, ``&``, ``<`` and
non-Latin scripts: from its template set, from editors' wording, and sent for real
through the outbox.
"""

from __future__ import annotations

import datetime
import html as html_lib
from unittest import mock

import pytest
from django.core import mail, signing
from django.test import RequestFactory
from django.utils import timezone
from django.utils.html import escape

from wagtail_mentoring.dates import add_months
from wagtail_mentoring.emails.kinds import registry
from wagtail_mentoring.emails.outbox import queue_email
from wagtail_mentoring.emails.rendering import render_email
from wagtail_mentoring.matching.lifecycle import approve, propose
from wagtail_mentoring.models import EmailWording, SurveyPage, SurveyRound

NAMES = ["Siobhán O'Brien", "Tom & Jerry's Café", "<b>Zoë</b>", "王小明", "Đặng Thị"]
KINDS = [kind.name for kind in registry.all()]


def marker(index: int) -> str:
    """A stand-in value that no template changes and no escaping touches."""
    return f"QQ{index:03d}QQ"


def expected(kind, values: dict) -> tuple[str, str, str]:
    """What the kind's template set gives for ``values``: rendered once with markers in
    place of the placeholders, each marker then replaced by the raw value in the subject
    and the text part, and by the escaped value in the HTML part."""
    markers = {  # an empty value stays empty: templates may test it
        name: marker(index) for index, name in enumerate(kind.placeholders) if values[name]
    }
    subject, text, html = render_email(kind, {**values, **markers}, wording={})
    for name, stand_in in markers.items():
        raw = str(values[name])
        subject = subject.replace(stand_in, " ".join(raw.split()))
        text = text.replace(stand_in, raw)
        html = html.replace(stand_in, escape(raw))
    return subject, text, html


def tricky(kind) -> dict:
    """The kind's sample values with every placeholder holding one of ``NAMES``."""
    values = kind.sample()
    for index, name in enumerate(kind.placeholders):
        values[name] = NAMES[index % len(NAMES)]
    return values


@pytest.mark.parametrize("name", KINDS)
def test_template_subjects_and_text_are_plain_and_the_html_is_escaped(db, name):
    kind = registry[name]
    values = tricky(kind)
    subject, text, html = render_email(kind, values, wording={})
    assert (subject, text, html) == expected(kind, values)
    assert "&#x27;" not in subject + text and "&amp;" not in subject + text
    assert "&lt;" not in subject + text
    assert "\n" not in subject and subject == subject.strip()
    in_text = {value for value in NAMES if value in text}
    assert in_text, "the text part shows at least one of the names as written"
    assert all(escape(value) in html for value in in_text)
    assert "<b>Zoë</b>" not in html


def test_the_introduction_subject_reads_as_written(db):
    kind = registry["match_introduction"]
    for partner in NAMES:
        values = {**kind.sample(), "partner_name": partner, "partner_role": "mentor"}
        subject, text, html = render_email(kind, values, wording={})
        assert subject == f"Meet your mentor: {partner}"
        assert f"{partner} <" in text
        assert escape(partner) in html and (partner in html) == (partner == escape(partner))


@pytest.mark.parametrize("name", KINDS)
def test_a_newline_in_a_value_keeps_the_subject_on_one_line(db, name):
    kind = registry[name]
    values = dict.fromkeys(kind.placeholders, "Tom &\nJerry's\r\nCafé")
    subject, _, _ = render_email(kind, {**kind.sample(), **values}, wording={})
    assert "\n" not in subject and "\r" not in subject
    wording = EmailWording(kind=name, subject="Hi {{ name }}!", body="{{ name }}")
    subject, text, _ = render_email(kind, {**kind.sample(), **values}, {name: wording})
    assert subject == "Hi Tom & Jerry's Café!"
    assert "Tom &\nJerry's" in text


@pytest.mark.parametrize("name", KINDS)
def test_editors_wording_is_plain_text_in_the_subject_and_body(db, name):
    kind = registry[name]
    values = tricky(kind)
    placeholders = list(kind.placeholders)
    in_subject = placeholders[:4]  # the subject holds 200 characters
    wording = EmailWording(
        kind=name,
        subject="Re: " + " / ".join(f"{{{{ {p} }}}}" for p in in_subject),
        body="\n\n".join(f"{p}: {{{{ {p} }}}}" for p in placeholders),
    )
    wording.full_clean()
    wording.save()
    subject, text, html = render_email(kind, values)
    assert subject == "Re: " + " / ".join(values[p] for p in in_subject)
    assert text == "\n\n".join(f"{p}: {values[p]}" for p in placeholders) + "\n"
    for p in placeholders:
        assert f"<p>{p}: {escape(values[p])}</p>" in html
    assert "<b>Zoë</b>" not in html


def test_the_wording_preview_escapes_once(db, committee_user):
    wording = EmailWording(
        kind="match_introduction",
        subject="Tom & Jerry's Café: {{ partner_name }}",
        body="Dear <b>Zoë</b>,\n\n王小明 and Đặng Thị",
    )
    request = RequestFactory().get("/")
    request.user = committee_user
    response = wording.serve_preview(request, wording.default_preview_mode)
    response.render()
    page = response.content.decode()
    assert "<dd>Tom &amp; Jerry&#x27;s Café: Ben Hughes</dd>" in page
    assert "<pre>Dear &lt;b&gt;Zoë&lt;/b&gt;,\n\n王小明 and Đặng Thị\n</pre>" in page


@pytest.fixture
def committee_user(make_user):
    return make_user(member=False, is_superuser=True, is_staff=True)


@pytest.fixture
def tricky_match(make_application, make_user, program_page, django_capture_on_commit_callbacks):
    """A match of two people whose names need care, in a cycle and a survey that do too."""
    mentor = make_application(
        "mentor", capacity=1, user=make_user(), name="Siobhán O'Brien", goals="<b>Zoë</b>"
    )
    mentee = make_application("mentee", user=make_user(), name="Tom & Jerry's Café")
    cycle = mentor.cycle
    type(cycle).objects.filter(pk=cycle.pk).update(
        name="王小明 & Đặng Thị's cycle", conference_date=timezone.localdate()
    )
    page = SurveyPage(title="Survey", slug="survey")
    program_page.add_child(instance=page)
    survey_round = SurveyRound.objects.create(cycle=cycle, name="<b>Zoë</b>'s round", page=page)
    with django_capture_on_commit_callbacks(execute=True):
        match = propose(mentee, mentor)
        approve(match, start_date=add_months(timezone.localdate(), -2))
    match.refresh_from_db()
    return match, survey_round


@pytest.mark.parametrize("name", KINDS)
def test_every_kind_is_sent_with_a_plain_subject_and_text(
    name, tricky_match, django_capture_on_commit_callbacks
):
    match, survey_round = tricky_match
    kind = registry[name]
    if name.startswith("consent_"):  # only sent while the match awaits consent
        type(match).objects.filter(pk=match.pk).update(
            status="awaiting",
            consent_from="both",
            consent_due=timezone.now() + datetime.timedelta(days=7),
        )
        match.refresh_from_db()
    mail.outbox = []
    # Survey links are signed with the time in seconds: hold it still, or a second that
    # ticks between sending and rebuilding below changes the link.
    frozen = mock.patch.object(signing.TimestampSigner, "timestamp", lambda self: "1fixed")
    with frozen, django_capture_on_commit_callbacks(execute=True):
        row, created = queue_email(
            name,
            ["someone@example.org"],
            key=f"subjects-{name}",
            application=match.mentee,
            match=match,
            context={"role": "mentee", "round": survey_round.pk, "month": 2},
        )
    assert created
    (message,) = mail.outbox
    row.refresh_from_db()
    with frozen:
        values = kind.build(row)
    subject, text, html = expected(kind, values)
    ((sent_html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    assert message.subject == subject and html_lib.unescape(subject) == subject
    assert message.body == text
    assert sent_html == html


def test_the_introduction_is_sent_as_written(tricky_match):
    match, _ = tricky_match
    sent = {message.to[0]: message for message in mail.outbox}
    to_mentee = sent[match.mentee.contact_email]
    assert to_mentee.subject == "Meet your mentor: Siobhán O'Brien"
    assert sent[match.mentor.contact_email].subject == "Meet your mentee: Tom & Jerry's Café"
    assert "In their own words: <b>Zoë</b>" in to_mentee.body
    assert "王小明 & Đặng Thị's cycle" in to_mentee.body
    html = to_mentee.alternatives[0][0]
    assert "&lt;b&gt;Zoë&lt;/b&gt;" in html and "Siobhán O&#x27;Brien" in html
