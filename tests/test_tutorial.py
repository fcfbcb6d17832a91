"""The tutorial, followed to the letter in a fresh project made by ``wagtail start``.

The test reads ``docs/tutorial/install.md``: its numbered steps (at most five) and the
code blocks in each. It runs each shell command as written (``pip`` with no package
index, so it only finds the installed package), applies each settings block to the
project's settings, and then does what the last step says through HTTP: a member
opens the programme page, follows "Apply to be a mentee", logs in through the page's
"Log in" link, fills in the form and submits it.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import wagtail_mentoring

BIN = Path(sys.executable).parent
TUTORIAL = Path(__file__).resolve().parent.parent / "docs" / "tutorial" / "install.md"
#: The checkout under test, ahead of any installed copy of the package.
SOURCE = Path(wagtail_mentoring.__file__).resolve().parent.parent

STEP = re.compile(r"^(\d+)\. \*\*(.+?)\*\*", re.MULTILINE)
BLOCK = re.compile(r"^( *)```(\w+)\n(.*?)^\1```", re.MULTILINE | re.DOTALL)


def tutorial_steps() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(number, title, [(language, code), ...]) for each numbered step of "## Steps"."""
    text = TUTORIAL.read_text()
    section = text.split("\n## Steps\n", 1)[1].split("\n## ", 1)[0]
    starts = list(STEP.finditer(section))
    steps = []
    for index, start in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(section)
        body = section[start.start() : end]
        blocks = [(m.group(2), textwrap.dedent(m.group(3))) for m in BLOCK.finditer(body)]
        steps.append((start.group(1), start.group(2), blocks))
    return steps


def _env(project: Path) -> dict:
    unset = ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")
    env = {key: value for key, value in os.environ.items() if key not in unset}
    env["PYTHONPATH"] = os.pathsep.join([str(project), str(SOURCE)])
    env["PIP_NO_INDEX"] = "1"  # the package is installed already; never download
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _run(project: Path, argv: list[str]) -> subprocess.CompletedProcess:
    if argv[0] == "python":
        argv = [sys.executable, *argv[1:]]
    elif argv[0] == "pip":
        argv = [sys.executable, "-m", "pip", *argv[1:]]
    return subprocess.run(
        argv, cwd=project, env=_env(project), capture_output=True, text=True, timeout=300
    )


def _manage(project: Path, *args: str) -> subprocess.CompletedProcess:
    return _run(project, ["python", "manage.py", *args])


def apply_settings_block(settings: Path, code: str) -> None:
    """Do what a settings block says: add the apps it lists, or add its assignments."""
    text = settings.read_text()
    if "INSTALLED_APPS" in code:
        listed = re.findall(r'^\s*"([\w.]+)",', code, re.MULTILINE)
        anchor = '    "search",\n'
        assert anchor in text, "a wagtail start project lists the search app"
        new = [name for name in listed if f'"{name}"' not in text]
        text = text.replace(anchor, anchor + "".join(f'    "{name}",\n' for name in new), 1)
    elif code.strip() not in text:
        text += "\n" + code
    settings.write_text(text)


def configure_as_the_tutorial_says(project: Path) -> Path:
    """Apply the tutorial's settings blocks (once) and return the settings file.

    The tests of one module may run on different xdist workers, each with its own
    project, so a test that needs the tutorial's settings applies them itself.
    """
    settings = project / "assocsite" / "settings" / "base.py"
    for _number, _title, blocks in tutorial_steps():
        for language, code in blocks:
            if language == "python":
                apply_settings_block(settings, code)
    return settings


MEMBER_APPLIES = textwrap.dedent(
    """
    import re
    import time
    from html.parser import HTMLParser

    from django.conf import settings
    from django.test import Client

    from wagtail_mentoring.models import Application


    class Form(HTMLParser):
        '''The values a person fills in: the first choice of each list, every box ticked
        once (one topic), text in every text field, the hidden fields as given.'''

        def __init__(self):
            super().__init__()
            self.data, self.select, self.textarea = {}, None, None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            name = a.get("name")
            if tag == "input" and name and name != "website":
                kind = a.get("type", "text")
                if kind == "hidden":
                    self.data[name] = a.get("value", "")
                elif kind in ("radio", "checkbox"):
                    self.data.setdefault(name, a.get("value", "on"))
                elif kind == "number":
                    self.data[name] = a.get("min") or "1"
                elif kind == "email":
                    self.data[name] = "alex@example.org"
                elif kind not in ("submit", "button"):
                    self.data.setdefault(name, a.get("value") or "Northern region")
            elif tag == "select" and name:
                self.select = name
            elif tag == "option" and self.select and a.get("value"):
                self.data.setdefault(self.select, a["value"])
            elif tag == "textarea" and name:
                self.data[name] = "To learn how to lead a small team."

        def handle_endtag(self, tag):
            if tag == "select":
                self.select = None


    client = Client()
    programme = client.get("/mentoring/")
    html = programme.content.decode()
    assert programme.status_code == 200, programme.status_code
    assert "Applications are open until" in html, html
    href = re.search(r'href="([^"]+)"[^>]*>\\s*Apply to be a mentee', html).group(1)
    gate = client.get(href).content.decode()
    login = re.search(r'href="([^"]+)"[^>]*>\\s*Log in', gate).group(1).replace("&amp;", "&")
    login_page = client.get(login)
    assert login_page.status_code == 200, ("the Log in link", login, login_page.status_code)
    signed_in = client.post(login, {"username": USERNAME, "password": PASSWORD}, follow=True)
    form_html = signed_in.content.decode()
    assert 'name="goals"' in form_html, form_html
    form = Form()
    form.feed(form_html)
    time.sleep(getattr(settings, "WAGTAIL_MENTORING_MIN_SUBMIT_SECONDS", 3) + 0.5)
    submitted = client.post(signed_in.request["PATH_INFO"], form.data)
    text = submitted.content.decode()
    assert submitted.status_code == 200, submitted.status_code
    assert "errorlist" not in text, text
    application = Application.objects.get(user__username=USERNAME)
    assert application.role == "mentee" and application.cycle.program_page.slug == "mentoring"
    print("APPLIED", application.pk)
    """
)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("tutorial")
    subprocess.run(
        [str(BIN / "wagtail"), "start", "assocsite", str(root)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return root


def test_the_tutorial_has_at_most_five_numbered_steps():
    steps = tutorial_steps()
    assert [number for number, _title, _blocks in steps] == [
        str(n) for n in range(1, len(steps) + 1)
    ]
    assert 3 <= len(steps) <= 5, [title for _n, title, _b in steps]


def test_following_the_tutorial_a_member_submits_an_application(project):
    settings = project / "assocsite" / "settings" / "base.py"
    member = {}
    steps = tutorial_steps()
    for number, title, blocks in steps:
        for language, code in blocks:
            if language == "python":
                apply_settings_block(settings, code)
                continue
            assert language == "shell", (number, language)
            for line in code.splitlines():
                if not line.strip():
                    continue
                argv = shlex.split(line)
                result = _run(project, argv)
                assert result.returncode == 0, (number, title, line, result.stderr)
                if "--member" in argv:
                    member = {
                        "USERNAME": argv[argv.index("--member") + 1],
                        "PASSWORD": argv[argv.index("--password") + 1],
                    }
    assert member, "a step makes a member"
    check = _manage(project, "check")
    assert check.returncode == 0, check.stderr
    assert "wagtail_mentoring." not in check.stdout + check.stderr  # no warning left
    script = "".join(f"{key} = {value!r}\n" for key, value in member.items()) + MEMBER_APPLIES
    applied = _manage(project, "shell", "-c", script)
    assert applied.returncode == 0, applied.stderr
    assert "APPLIED" in applied.stdout


def test_without_login_url_the_check_warns(project):
    settings = configure_as_the_tutorial_says(project)
    text = settings.read_text()
    assert 'LOGIN_URL = "wagtailcore_login"' in text
    settings.write_text(text.replace('LOGIN_URL = "wagtailcore_login"', ""))
    try:
        result = _manage(project, "check")
    finally:
        settings.write_text(text)
    assert "wagtail_mentoring.W005" in result.stderr + result.stdout


def test_without_modeladmin_the_check_says_what_to_add(project):
    settings = configure_as_the_tutorial_says(project)
    text = settings.read_text()
    assert '    "wagtail_modeladmin",\n' in text
    settings.write_text(text.replace('    "wagtail_modeladmin",\n', ""))
    try:
        result = _manage(project, "check")
    finally:
        settings.write_text(text)
    assert result.returncode != 0
    assert "wagtail_mentoring.E003" in result.stderr
