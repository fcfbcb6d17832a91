"""The reference docs list what the code has: every block, setting, check and email kind."""

import re
from pathlib import Path

import pytest

import wagtail_mentoring
from wagtail_mentoring.conf import AppSettings
from wagtail_mentoring.emails.kinds import registry
from wagtail_mentoring.models import ProgramBodyBlock

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
PACKAGE = Path(wagtail_mentoring.__file__).resolve().parent

NUMBER_WORDS = {
    word: number
    for number, word in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
}


def _section(page: str, start: str, end: str) -> str:
    text = (DOCS / page).read_text()
    return text[text.index(start) : text.index(end, text.index(start))]


def _first_column(table: str) -> list[str]:
    """The backticked names in the first cell of each table row."""
    return [
        name
        for cell in re.findall(r"^\| ([^|]+) \|", table, re.M)
        for name in re.findall(r"`([^`]+)`", cell)
    ]


def _body_blocks() -> list[tuple[str, str]]:
    return [(name, type(block).__name__) for name, block in ProgramBodyBlock().child_blocks.items()]


def _check_ids() -> list[str]:
    # Read from the source, so that a check added to checks/ is listed here at once.
    source = "".join(path.read_text() for path in sorted((PACKAGE / "checks").glob("*.py")))
    return sorted(set(re.findall(r"wagtail_mentoring\.[EW]\d{3}", source)))


def _email_kinds() -> list[str]:
    return sorted(kind.name for kind in registry.all())


def test_every_body_block_is_in_the_blocks_table():
    table = _section(
        "reference/pages-and-blocks.md", "## StreamField blocks", "On the programme page"
    )
    rows = re.findall(r"^\| `(\w+)` \| (?:Wagtail's )?`(\w+)` \|", table, re.M)
    assert rows == _body_blocks()


def test_every_body_block_has_its_own_section():
    text = (DOCS / "reference" / "pages-and-blocks.md").read_text()
    headings = re.findall(r"^### .* \(`(\w+)`\)$", text, re.M)
    for name, class_name in _body_blocks():
        assert name in headings or class_name in headings, name


def test_every_system_check_is_in_the_checks_table_and_has_a_section():
    text = (DOCS / "reference" / "checks.md").read_text()
    table = re.findall(r"^\| `(wagtail_mentoring\.[EW]\d{3})` \|", text, re.M)
    sections = re.findall(r"^## `(wagtail_mentoring\.[EW]\d{3})`$", text, re.M)
    assert _check_ids()  # the pattern still finds the ids in checks/
    assert sorted(table) == _check_ids()
    assert sorted(sections) == _check_ids()


def test_every_email_kind_is_in_the_kinds_table():
    table = _section("reference/email.md", "## Kinds", "Each kind has a template set")
    assert sorted(_first_column(table)) == _email_kinds()


def _counts():
    return {
        "settings": len(AppSettings.names()),
        "system checks": len(_check_ids()),
        "block types": len(_body_blocks()),
        "email kinds": len(_email_kinds()),
        "kinds of email": len(_email_kinds()),
    }


@pytest.mark.parametrize(
    "page",
    sorted(p.relative_to(REPO).as_posix() for p in [REPO / "README.md", *DOCS.rglob("*.md")]),
)
def test_counts_written_in_the_docs_match_the_code(page):
    # "Sixteen settings" goes stale with the seventeenth; a count the docs give must be
    # the code's, or the docs should name the list instead.
    counts = _counts()
    numbers = "|".join([*NUMBER_WORDS, r"\d+"])
    nouns = "|".join(counts)
    pattern = rf"\b({numbers})\s+({nouns})\b"
    text = (REPO / page).read_text().lower()
    wrong = [
        match.group(0)
        for match in re.finditer(pattern, text)
        if int(NUMBER_WORDS.get(match.group(1), match.group(1))) != counts[match.group(2)]
    ]
    assert wrong == []
