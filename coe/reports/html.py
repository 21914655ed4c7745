"""Jinja2 rendering of the report templates, with autoescaping and safe Markdown."""

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined
from markdown_it import MarkdownIt
from markupsafe import Markup

from coe.config import PROJECT_ROOT

TEMPLATES = PROJECT_ROOT / "templates"


def template_dirs(override: Path | None) -> list[Path]:
    """The folders searched for a template: the organisation's first, then ours."""
    return ([override] if override else []) + [TEMPLATES]


_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False}).disable("image")


def markdown(text: str | None) -> Markup:
    """Narrative Markdown as HTML; raw HTML and images stay literal text, links are never fetched."""
    return Markup(_MARKDOWN.render(text or ""))


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
    return env


def render(name: str, context: dict[str, Any], *, override: Path | None = None) -> str:
    """The final HTML of one template."""
    return environment(override).get_template(name).render(**context)
