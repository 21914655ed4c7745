"""Parse what a person types into terms and filters; anything unusual becomes a literal word."""

import re
from dataclasses import dataclass, field

from coe.errors import Problem, ValidationFailed

FILTERS = {"service": "payments", "team": "storage", "severity": "sev1", "ai": "confirmed"}  # name: an example value
# A quoted phrase (closed or not), or a run of anything but spaces and quotes.
_TOKEN = re.compile(r'"([^"]*)"?|([^\s"]+)')
_WORD = re.compile(r"\w+")
# PostgreSQL's English stop words (Snowball's list): neither engine searches them, so the same query
# finds the same incidents on SQLite (whose FTS5 would otherwise match "the" everywhere) and PostgreSQL.
_STOP_LIST = """
i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers herself it
its itself they them their theirs themselves what which who whom this that these those am is are was were be been
being have has had having do does did doing a an the and but if or because as until while of at by for with about
against between into through during before after above below to from up down in out on off over under again further
then once here there when where why how all any both each few more most other some such no nor not only own same so
than too very s t can will just don should now
"""
STOP_WORDS = frozenset(_STOP_LIST.split())


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
    out, common = Query(), []
    for phrase, bare in _TOKEN.findall(text):
        if bare and ":" in bare:
            name, _, value = bare.partition(":")
            if name.lower() in FILTERS:
                if not value:
                    example = f"{name.lower()}:{FILTERS[name.lower()]}"
                    raise ValidationFailed([Problem("query", f"the filter {name}: needs a value, e.g. {example}")])
                out.filters.setdefault(name.lower(), []).append(value)
                continue
        words = tuple(w.lower() for w in _WORD.findall(phrase or bare))
        if phrase and not STOP_WORDS.issuperset(words):
            out.terms.append(Term(words))
        elif not phrase:
            # A word written foo* is a prefix; punctuation inside a bare token splits it into plain words.
            prefix = bare.endswith("*") and len(words) == 1
            out.terms.extend(Term((w,), prefix) for w in words if w not in STOP_WORDS)
        common += [w for w in words if w in STOP_WORDS]
    if not out.terms and not out.filters:
        if common:
            listed = ", ".join(dict.fromkeys(common))
            raise ValidationFailed([Problem("query", f"the search {text!r} has only common words ({listed}), which "
                                                     "are not searched; add a word that names what happened")])
        raise ValidationFailed([Problem("query", f"the search {text!r} has no words to look for")])
    return out
