"""Spanish: complete catalogs, and a Spanish member who applies, is written to and reads
their status in Spanish, with no English left (the committee keeps the site's language)."""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.core import mail
from django.utils import translation

from tests.conftest import application_data
from tests.i18n import SPANISH_CATALOGS, english_left, entries, placeholders
from tests.matching.conftest import apply, committee_client  # noqa: F401 (fixtures)
from wagtail_mentoring.models import Application, MentoringSettings

pytestmark = pytest.mark.usefixtures("no_spam_timer")

MSGFMT = shutil.which("msgfmt")
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_MIDDLEWARE = "django.middleware.locale.LocaleMiddleware"


def with_locale_middleware() -> list[str]:
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(
        middleware.index("django.contrib.sessions.middleware.SessionMiddleware") + 1,
        LOCALE_MIDDLEWARE,
    )
    return middleware


def visible(html: bytes | str) -> str:
    """What a reader sees or hears: the text and the labelling attributes."""
    page = BeautifulSoup(html, "html.parser")
    for hidden in page(["script", "style", "title"]):
        hidden.decompose()
    labels = [
        tag[name]
        for name in ("aria-label", "title", "placeholder", "alt")
        for tag in page.find_all(attrs={name: True})
    ]
    return " ".join([page.get_text(" "), *labels])


# -- the catalogs ---------------------------------------------------------------------


@pytest.mark.parametrize("catalog", SPANISH_CATALOGS, ids=lambda path: path.parts[-5])
def test_spanish_catalog_is_complete(catalog):
    assert MSGFMT, "msgfmt (GNU gettext) is needed to check the catalogs"
    result = subprocess.run(
        [MSGFMT, "--check", "--statistics", "-o", "/dev/null", str(catalog)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr
    assert re.search(r"^\d+ translated messages?\.$", result.stderr.strip())
    text = catalog.read_text(encoding="utf-8")
    assert '"Language: es\\n"' in text
    assert '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"' in text


@pytest.mark.parametrize("catalog", SPANISH_CATALOGS, ids=lambda path: path.parts[-5])
def test_every_translation_keeps_the_placeholders_of_its_message(catalog):
    wrong = []
    for entry in entries(catalog):
        sources = [entry["msgid"]] + [entry.get("msgid_plural", entry["msgid"])] * (
            len(entry["msgstr"]) - 1
        )
        for source, translated in zip(sources, entry["msgstr"], strict=True):
            if translated and placeholders(source) != placeholders(translated):
                wrong.append((source, translated))
    assert entries(catalog) and wrong == []


@pytest.mark.parametrize("catalog", SPANISH_CATALOGS, ids=lambda path: path.parts[-5])
def test_the_committed_mo_file_is_compiled_from_the_po_file(catalog, tmp_path):
    assert MSGFMT, "msgfmt (GNU gettext) is needed to check the catalogs"
    fresh = tmp_path / "django.mo"
    subprocess.run([MSGFMT, "-o", str(fresh), str(catalog)], check=True)
    committed = catalog.with_suffix(".mo")
    with fresh.open("rb") as new, committed.open("rb") as old:
        assert gettext.GNUTranslations(old)._catalog == gettext.GNUTranslations(new)._catalog


# -- a Spanish member ------------------------------------------------------------------


@pytest.fixture
def spanish_site(settings, home_page):
    settings.LANGUAGES = LANGUAGES
    settings.MIDDLEWARE = with_locale_middleware()
    settings.ROOT_URLCONF = "tests.urls_i18n"
    from wagtail.models import Site

    site_settings = MentoringSettings.for_site(Site.objects.get(is_default_site=True))
    site_settings.coordinator_email = "coordinator@example.org"
    site_settings.save()
    yield
    translation.activate(settings.LANGUAGE_CODE)


def spanish_url(page, subpage: str = "") -> str:
    with translation.override("es"):
        return page.url + subpage


def test_a_spanish_member_applies_and_reads_everything_in_spanish(
    client,
    spanish_site,
    member,
    program_page,
    mentee_page,
    open_cycle,
    topics,
    django_capture_on_commit_callbacks,
):
    client.force_login(member)
    apply_url = spanish_url(mentee_page)
    assert apply_url.startswith("/es/")
    form = client.get(apply_url)
    assert "Enviar la solicitud" in visible(form.content)
    assert english_left(visible(form.content)) == []

    with django_capture_on_commit_callbacks(execute=True):
        thanks = client.post(apply_url, application_data("mentee", topics))
    assert thanks.status_code == 200
    thanks_text = visible(thanks.content)
    assert "Hemos enviado una confirmación a mia@example.org." in thanks_text
    assert english_left(thanks_text) == []
    assert Application.objects.get().language == "es"

    confirmation, notice = mail.outbox
    assert confirmation.to == ["mia@example.org"]
    assert confirmation.subject == "Hemos recibido su solicitud como aprendiz (2027 cycle)"
    assert "Estimado/a Mia Member:" in confirmation.body
    html = confirmation.alternatives[0][0]
    assert '<html lang="es">' in html
    for part in (confirmation.subject, confirmation.body, visible(html)):
        assert english_left(part) == []
    # Links lead to the pages in Spanish.
    my_mentoring = spanish_url(program_page, program_page.reverse_subpage("my_mentoring"))
    assert f"http://testserver{my_mentoring}" in confirmation.body
    assert f"http://testserver{apply_url}" in confirmation.body
    # The coordinator reads the site's language.
    assert notice.to == ["coordinator@example.org"]
    assert notice.subject == "New mentee application (2027 cycle)"

    status = client.get(apply_url)
    status_text = visible(status.content)
    assert "Su solicitud como aprendiz para 2027 cycle" in status_text
    assert "Retirar su solicitud" in status_text
    assert english_left(status_text) == []

    mine = client.get(my_mentoring)
    mine_text = visible(mine.content)
    assert "Mi mentoría" in mine_text and "Ciclo Rol Estado Enviada" in " ".join(mine_text.split())
    assert english_left(mine_text) == []
    # The same page in English, for comparison: the check would have caught it.
    with translation.override("en"):
        english_url = program_page.url + program_page.reverse_subpage("my_mentoring")
    english = visible(client.get(english_url).content)
    assert english_left(english)


def test_the_browsers_language_is_stored_as_one_the_site_offers(
    client, settings, member, mentee_page, open_cycle, topics, django_capture_on_commit_callbacks
):
    settings.LANGUAGES = LANGUAGES
    settings.MIDDLEWARE = with_locale_middleware()
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            mentee_page.url,
            application_data("mentee", topics),
            HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.8",
        )
    translation.activate(settings.LANGUAGE_CODE)
    assert Application.objects.get().language == "es"
    (confirmation,) = mail.outbox
    assert confirmation.subject.startswith("Hemos recibido su solicitud como aprendiz")


def test_match_emails_go_out_in_each_persons_language(
    settings,
    apply,  # noqa: F811 (the fixture imported above)
    open_cycle,
    django_capture_on_commit_callbacks,
):
    from wagtail_mentoring.matching.lifecycle import approve, propose

    settings.LANGUAGES = LANGUAGES
    mentor = apply("mentor", [0], capacity=1, name="Ana Mentora", language="es")
    mentee = apply("mentee", [0], name="Ben Mentee", language="en")
    with django_capture_on_commit_callbacks(execute=True):
        approve(propose(mentee, mentor))
    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert subjects[mentor.contact_email] == "Le presentamos a su aprendiz: Ben Mentee"
    assert subjects[mentee.contact_email] == "Meet your mentor: Ana Mentora"
    spanish = next(m for m in mail.outbox if m.to == [mentor.contact_email])
    assert english_left(spanish.body) == []


def test_editors_wording_is_kept_for_the_sites_language_only(
    client,
    spanish_site,
    member,
    mentee_page,
    open_cycle,
    topics,
    django_capture_on_commit_callbacks,
):
    from wagtail_mentoring.models import EmailWording

    EmailWording.objects.create(
        kind="application_received", subject="Thanks, {{ name }}", body="We have it."
    )
    client.force_login(member)
    for url in (mentee_page.url.replace("/en/", "/es/", 1), None):
        if url is None:
            Application.objects.all().delete()
            mail.outbox.clear()
            with translation.override("en"):
                url = mentee_page.url
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url, application_data("mentee", topics))
        confirmation = mail.outbox[0]
        if url.startswith("/es/"):
            assert confirmation.subject.startswith("Hemos recibido su solicitud")
        else:
            assert confirmation.subject == "Thanks, Mia Member"


# -- plurals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "n", "expected"),
    [
        ("en", 1, "1 match proposed"),
        ("en", 2, "2 matches proposed"),
        ("es", 1, "1 emparejamiento propuesto"),
        ("es", 2, "2 emparejamientos propuestos"),
    ],
)
def test_suggestion_message_uses_the_plural_of_the_committees_language(
    committee_client,  # noqa: F811 (the fixture imported above)
    apply,  # noqa: F811 (the fixture imported above)
    open_cycle,
    language,
    n,
    expected,
):
    from django.urls import reverse
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(committee_client.get("/admin/").wsgi_request.user)
    profile.preferred_language = language
    profile.save()
    for i in range(n):
        apply("mentee", [0], name=f"Mentee {i}")
        apply("mentor", [0], capacity=1, name=f"Mentor {i}")
    url = reverse("wagtail_mentoring_matching_cycle", args=[open_cycle.pk])
    page = visible(committee_client.post(url, {"action": "suggest"}, follow=True).content)
    assert expected in page
    wrong = {
        "en": ["1 matches", "2 match proposed"],
        "es": ["1 emparejamientos", "2 emparejamiento propuesto"],
    }
    assert not any(text in page for text in wrong[language])
