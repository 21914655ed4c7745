"""Jinja2 rendering of the report templates, with autoescaping and safe Markdown."""

from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from coe.config import PROJECT_ROOT

TEMPLATES = PROJECT_ROOT / "templates"
STYLESHEET = "report.css"


def template_dirs(override: Path | None) -> list[Path]:
    """The folders searched for a template: the organisation's first, then ours."""
    return ([override] if override else []) + [TEMPLATES]


def stylesheet(override: Path | None) -> Path:
    """The print stylesheet of both documents: the organisation's report.css if it has one, else ours."""
    return next(folder / STYLESHEET for folder in template_dirs(override) if (folder / STYLESHEET).is_file())


def _image_as_text(_renderer: Any, tokens: Any, index: int, _options: Any, _env: Any) -> str:
    """An image written in Markdown, shown as its description: a report never fetches what a field points at."""
    return f"[image: {escape(tokens[index].content or tokens[index].attrGet('src'))}]"


def _numbered_list(renderer: Any, tokens: Any, index: int, options: Any, env: Any) -> str:
    """A numbered list that starts at its own number (WeasyPrint ignores `start`, but follows the counter)."""
    start = tokens[index].attrGet("start")
    if start is not None:
        tokens[index].attrSet("style", f"counter-reset: list-item {int(start) - 1}")
    return renderer.renderToken(tokens, index, options, env)


# Tables and strikethrough as GitHub writes them: imported post-mortems use both.
_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(["table", "strikethrough"])
_MARKDOWN.add_render_rule("image", _image_as_text)
_MARKDOWN.add_render_rule("ordered_list_open", _numbered_list)


def markdown(text: str | None) -> Markup:
    """Narrative Markdown as HTML; raw HTML stays literal text, images become their description, nothing is fetched."""
    return Markup(_MARKDOWN.render(text or ""))


def inline(text: str | None) -> Markup:
    """A one-line field (a timeline step, a lesson, a heading) with its inline Markdown rendered, safely."""
    return Markup(_MARKDOWN.renderInline(text or ""))


def when(value: datetime | date | None) -> str:
    """A timestamp as 'YYYY-MM-DD HH:MM UTC', a date as 'YYYY-MM-DD', nothing as an em dash."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        utc = value.astimezone(UTC) if value.tzinfo else value  # stored times are UTC
        return f"{utc:%Y-%m-%d %H:%M} UTC"
    return value.isoformat()


def label(value: Any) -> str:
    """An enum or snake_case name as words."""
    text = getattr(value, "value", value)
    return "—" if text is None or text == "" else str(text).replace("_", " ")


@cache
def environment(override: Path | None) -> Environment:
    """A Jinja2 environment that escapes every template, whatever its file name."""
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(folder)) for folder in template_dirs(override)]),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["markdown"] = markdown
    env.filters["label"] = label
    env.filters["inline"] = inline
    env.filters["when"] = when
    return env


def render(name: str, context: dict[str, Any], *, override: Path | None = None) -> str:
    """The final HTML of one template."""
    return environment(override).get_template(name).render(**context)
