"""Parse what a person types into terms and filters; anything unusual becomes a literal word."""

import re
from dataclasses import dataclass, field

from coe.errors import Problem, ValidationFailed

FILTERS = ("service", "team", "severity", "ai")
# A quoted phrase (closed or not), or a run of anything but spaces and quotes.
_TOKEN = re.compile(r'"([^"]*)"?|([^\s"]+)')
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Term:
    """Words that must appear together (a phrase), or one word, possibly as a prefix."""

    words: tuple[str, ...]
    prefix: bool = False


@dataclass
class Query:
    """A parsed search: text terms, all required, and field filters."""

    terms: list[Term] = field(default_factory=list)
    filters: dict[str, list[str]] = field(default_factory=dict)


def parse(text: str) -> Query:
    """Terms and filters of a query; operators and punctuation of the engines are taken as plain words."""
    out = Query()
    for phrase, bare in _TOKEN.findall(text):
        if bare and ":" in bare:
            name, _, value = bare.partition(":")
            if name.lower() in FILTERS:
                if not value:
                    raise ValidationFailed([Problem("query", f"the filter {name}: needs a value, e.g. {name.lower()}:payments")])
                out.filters.setdefault(name.lower(), []).append(value)
                continue
        words = tuple(w.lower() for w in _WORD.findall(phrase or bare))
        if not words:
            continue
        if phrase:
            out.terms.append(Term(words))
        else:
            # A word written foo* is a prefix; punctuation inside a bare token splits it into plain words.
            prefix = bare.endswith("*") and len(words) == 1
            out.terms.extend(Term((w,), prefix) for w in words[:-1])
            out.terms.append(Term((words[-1],), prefix))
    if not out.terms and not out.filters:
        raise ValidationFailed([Problem("query", f"the search {text!r} has no words to look for")])
    return out
