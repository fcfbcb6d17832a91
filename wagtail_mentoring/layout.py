"""Fit the mentoring pages into whatever base template the site has.

The page templates extend ``wagtail_mentoring/base.html``, which fills three slots of
its own: ``wagtail_mentoring_css`` (the stylesheet), ``wagtail_mentoring_page`` (the
page) and ``wagtail_mentoring_js`` (the script). This module builds, for the site's
base template (``WAGTAIL_MENTORING_BASE_TEMPLATE``), a small *layout* template that
extends it and puts each slot into one of its blocks, as
``WAGTAIL_MENTORING_BASE_TEMPLATE_BLOCKS`` names them. Block names in a
``{% block %}`` tag cannot come from a variable, so the layout is compiled from
source here rather than shipped as a file.

When the base template (or a template it extends) has no block of the configured
name for the stylesheet or the script, the layout puts it inside the content block
instead: a ``<link rel="stylesheet">`` and a ``<script>`` work in ``<body>`` too, so
the pages are styled and scripted whatever blocks the site has. Check
``wagtail_mentoring.W004`` says when that happens, and which setting stops it.
"""

from __future__ import annotations

import dataclasses
import functools
import re

from django.template import Context, TemplateDoesNotExist
from django.template.base import Template, Variable
from django.template.loader import get_template
from django.template.loader_tags import BlockNode, ExtendsNode

from .conf import DEFAULT_BASE_TEMPLATE_BLOCKS, PREFIX, app_settings

SETTING = PREFIX + "BASE_TEMPLATE_BLOCKS"
#: The context variable that ``wagtail_mentoring/base.html`` extends.
CONTEXT_NAME = "wagtail_mentoring_layout"
_BLOCK_NAME = re.compile(r"^[^\s{}%\"']+$")
#: What each key of the setting places, for the check's messages.
PURPOSES = {"CSS": "the stylesheet", "CONTENT": "the page content", "JS": "the script"}
#: Block names that sites often use for head and script additions, for suggestions.
LIKELY = {
    "CSS": ("extra_css", "css", "extra_head", "extrahead", "head", "styles", "extra_style"),
    "JS": ("extra_js", "js", "scripts", "extra_scripts", "javascript", "extra_javascript"),
}


def block_setting_problems(setting=None) -> list[str]:
    """What is wrong with ``WAGTAIL_MENTORING_BASE_TEMPLATE_BLOCKS``, one sentence each."""
    if setting is None:
        setting = app_settings._setting("BASE_TEMPLATE_BLOCKS", {})
    if not isinstance(setting, dict):
        return [f"must be a dict with the keys CSS, CONTENT and JS, got {setting!r}"]
    problems = []
    for key, value in setting.items():
        if key not in DEFAULT_BASE_TEMPLATE_BLOCKS:
            problems.append(f"{key!r} is not a key it takes (the keys are CSS, CONTENT and JS)")
        elif value is None and key == "CONTENT":
            problems.append("CONTENT must name a block: the pages have nowhere else to go")
        elif value is not None and not (isinstance(value, str) and _BLOCK_NAME.match(value)):
            problems.append(f"{key} must be a block name or None, got {value!r}")
    return problems


@dataclasses.dataclass(frozen=True)
class Placement:
    """Where the layout puts the stylesheet, the page and the script."""

    base: str
    #: The block that holds the stylesheet, or ``None``: the top of the content block.
    css: str | None
    content: str
    #: The block that holds the script, or ``None``: the end of the content block.
    js: str | None
    #: Every block of the base template and the templates it extends.
    blocks: frozenset[str]
    #: ``(key, block)`` for each configured block the base template does not have.
    missing: tuple[tuple[str, str], ...]
    #: A template of the chain whose ``{% extends %}`` could not be followed, or "".
    unfollowed: str = ""
    #: The template engine the base template belongs to.
    engine: object = dataclasses.field(default=None, compare=False, repr=False)

    def suggestion(self, key: str) -> str | None:
        """A block of the base template that looks meant for ``key`` (CSS or JS)."""
        return next((name for name in LIKELY.get(key, ()) if name in self.blocks), None)


def _chain_blocks(name: str):
    """(engine, every block name in ``name`` and its parents, unfollowed template name).

    ``(None, None, "")`` when the template is not a Django template.
    """
    found = get_template(name)
    template = getattr(found, "template", found)
    if not isinstance(template, Template):
        return None, None, ""
    engine = template.engine
    blocks: set[str] = set()
    history = [template.origin]
    while True:
        blocks.update(node.name for node in template.nodelist.get_nodes_by_type(BlockNode))
        extends = template.nodelist.get_nodes_by_type(ExtendsNode)
        if not extends:
            return engine, frozenset(blocks), ""
        parent_name = extends[0].parent_name
        if isinstance(parent_name.var, Variable):
            return engine, frozenset(blocks), template.origin.template_name or name
        parent = parent_name.resolve(Context())
        if isinstance(getattr(parent, "template", None), Template):
            parent = parent.template
        if not isinstance(parent, Template):
            try:
                parent, origin = engine.find_template(parent, skip=history)
            except TemplateDoesNotExist:
                return engine, frozenset(blocks), template.origin.template_name or name
            history.append(origin)
        template = parent


def configured_blocks() -> dict[str, str | None]:
    """The setting's blocks, with the default for each key left out or refused."""
    setting = app_settings.BASE_TEMPLATE_BLOCKS
    chosen = dict(DEFAULT_BASE_TEMPLATE_BLOCKS)
    if isinstance(setting, dict):
        for key, value in setting.items():
            if key in chosen and not block_setting_problems({key: value}):
                chosen[key] = value
    return chosen


def placement(base: str | None = None) -> Placement | None:
    """Where the pages go in ``base`` (default: the configured base template).

    ``None`` when ``base`` is not a Django template. Raises ``TemplateDoesNotExist``
    when it cannot be found.
    """
    base = base or app_settings.BASE_TEMPLATE
    engine, blocks, unfollowed = _chain_blocks(base)
    if engine is None:
        return None
    chosen = configured_blocks()
    missing = tuple(
        (key, block) for key, block in chosen.items() if block is not None and block not in blocks
    )
    absent = {key for key, _block in missing}

    def where(key):
        block = chosen[key]
        if block is None or key in absent or block == chosen["CONTENT"]:
            return None
        return block

    return Placement(
        base=base,
        css=where("CSS"),
        content=chosen["CONTENT"],
        js=where("JS"),
        blocks=blocks,
        missing=missing,
        unfollowed=unfollowed,
        engine=engine,
    )


@functools.lru_cache(maxsize=32)
def _compile(engine, base: str, css: str | None, content: str, js: str | None) -> Template:
    slots: dict[str, list[str]] = {}
    if css is not None:
        slots.setdefault(css, ["{{ block.super }}"]).append("wagtail_mentoring_css")
    if js is not None:
        slots.setdefault(js, ["{{ block.super }}"]).append("wagtail_mentoring_js")
    slots[content] = [
        *([] if css else ["wagtail_mentoring_css"]),
        "wagtail_mentoring_page",
        *([] if js else ["wagtail_mentoring_js"]),
    ]
    literal = base.replace("\\", "\\\\").replace('"', '\\"')
    source = [f'{{% extends "{literal}" %}}']
    for block, parts in slots.items():
        inner = "".join(
            part if part.startswith("{{") else f"{{% block {part} %}}{{% endblock %}}"
            for part in parts
        )
        source.append(f"{{% block {block} %}}{inner}{{% endblock %}}")
    return engine.from_string("".join(source))


def layout_template(base: str | None = None) -> Template | str:
    """The layout that ``wagtail_mentoring/base.html`` extends, for the base template.

    Returns the template name itself when it cannot be analysed (not found, or not a
    Django template), so that rendering reports the problem as Django always does.
    """
    base = base or app_settings.BASE_TEMPLATE
    if not isinstance(base, str) or "%}" in base:
        return base
    try:
        found = placement(base)
    except TemplateDoesNotExist:
        return base
    if found is None:
        return base
    return _compile(found.engine, base, found.css, found.content, found.js)


def package_bridge_in_use() -> bool:
    """Whether ``wagtail_mentoring/base.html`` extends the layout (not a site override).

    A site that overrides the bridge with a template of its own that extends its base
    template directly has placed the blocks itself, so check W004 has nothing to say.
    """
    try:
        bridge = get_template("wagtail_mentoring/base.html")
    except TemplateDoesNotExist:
        return False
    extends = getattr(bridge, "template", bridge).nodelist.get_nodes_by_type(ExtendsNode)
    return bool(extends) and extends[0].parent_name.token.startswith(CONTEXT_NAME)


def missing_block_messages() -> list[tuple[str, str]]:
    """``(message, hint)`` for check W004: blocks the pages need that the base lacks."""
    base = app_settings.BASE_TEMPLATE
    if not isinstance(base, str) or not base or not package_bridge_in_use():
        return []
    try:
        found = placement(base)
    except TemplateDoesNotExist:
        return []  # E001 reports it
    if found is None or not found.missing:
        return []
    listed = ", ".join(sorted(found.blocks)) or "none"
    chain = f" (and the templates it extends; its blocks: {listed})"
    if found.unfollowed:
        chain += (
            f"; the {{% extends %}} of {found.unfollowed!r} names its parent with a "
            "variable, so the blocks of that parent are not known"
        )
    messages = []
    missing = dict(found.missing)
    if "CONTENT" in missing:
        messages.append(
            (
                f"The base template {base!r} has no block {missing['CONTENT']!r}{chain}, so "
                "the mentoring pages would show none of their content.",
                f"Set {SETTING} = {{'CONTENT': '<the block of your page content>'}}, or "
                "override the template wagtail_mentoring/base.html "
                "(see docs/howto/templates.md).",
            )
        )
    assets = [key for key in ("CSS", "JS") if key in missing]
    if assets:
        what = " and ".join(f"{missing[key]!r} (for {PURPOSES[key]})" for key in assets)
        things = " and ".join(PURPOSES[key] for key in assets)
        example = ", ".join(
            f"'{key}': " + (f"'{found.suggestion(key)}'" if found.suggestion(key) else "None")
            for key in assets
        )
        messages.append(
            (
                f"The base template {base!r} has no block {what}{chain}. The mentoring "
                f"pages put {things} inside the {found.content!r} block instead.",
                f"Name the blocks your base template has in {SETTING}, for example "
                f"{{{example}}} (None keeps it inside the content block and silences "
                "this warning), or override the template wagtail_mentoring/base.html "
                "(see docs/howto/templates.md).",
            )
        )
    return messages
