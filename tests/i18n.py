"""The package's catalogs read without any library: entries, placeholders, phrases."""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGE_CATALOG = REPO / "wagtail_mentoring" / "locale" / "es" / "LC_MESSAGES" / "django.po"
EXAMPLE_CATALOG = (
    REPO / "example_site" / "association" / "locale" / "es" / "LC_MESSAGES" / "django.po"
)
ENGLISH_CATALOG = REPO / "wagtail_mentoring" / "locale" / "en" / "LC_MESSAGES" / "django.po"
SPANISH_CATALOGS = [PACKAGE_CATALOG, EXAMPLE_CATALOG]

#: %(name)s, %(total).0f, %d, %s, {{ name }}, {name}; "%%" is a literal percent sign
PLACEHOLDER = re.compile(
    r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]|%[ds]|%%|\{\{\s*\w+\s*\}\}|\{\w+\}"
)
TAG = re.compile(r"<[^>]+>")


def entries(path: Path) -> list[dict]:
    """The catalog's entries (header left out): ``msgid``, ``msgid_plural``, ``msgstr``
    (a list: one item, or one per plural form) and ``flags``."""
    found, entry, field = [], None, None

    def close():
        if entry is not None and entry.get("msgid"):
            found.append(entry)

    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#,"):
            close()
            entry, field = {"flags": line[2:].split(","), "msgstr": []}, None
            continue
        if not line.strip() or line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            value = ast.literal_eval(line)
            if field[0] == "msgstr":
                entry["msgstr"][field[1]] += value
            else:
                entry[field[0]] += value
            continue
        if keyword == "msgid" and (entry is None or "msgid" in entry):
            close()
            entry = {"flags": [], "msgstr": []}
        if entry is None:
            entry = {"flags": [], "msgstr": []}
        value = ast.literal_eval(rest)
        if keyword.startswith("msgstr"):
            entry["msgstr"].append(value)
            field = ("msgstr", len(entry["msgstr"]) - 1)
        else:
            entry[keyword] = value
            field = (keyword, None)
    close()
    return [e for e in found if "msgid" in e]


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text) + TAG.findall(text))


def english_phrases(min_words: int = 3) -> set[str]:
    """The literal runs of the package's English messages with ``min_words`` words or
    more (between placeholders and tags): none should show on a Spanish page."""
    phrases = set()
    for entry in entries(ENGLISH_CATALOG):
        for text in (entry["msgid"], entry.get("msgid_plural", "")):
            for run in re.split(PLACEHOLDER.pattern + "|" + TAG.pattern, text):
                run = " ".join(run.split()).strip(" .,:;()")
                if len(re.findall(r"[A-Za-z]{2,}", run)) >= min_words:
                    phrases.add(run)
    return phrases


def english_left(text: str) -> list[str]:
    """The English phrases of the package found in ``text`` (whitespace normalised)."""
    text = " ".join(text.split())
    return sorted(phrase for phrase in english_phrases() if phrase in text)
