"""Named errors raised by the library; each carries the field and the reason."""

from dataclasses import dataclass


class CoeError(Exception):
    """Base of every error the library raises for a user to read."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a record: where (record number, field path) and why."""

    field: str
    message: str
    record: int | None = None

    def line(self, path: str = "") -> str:
        """`PATH:RECORD: field: message`, leaving out the parts not known."""
        prefix = ":".join(str(p) for p in (path, self.record) if p not in ("", None))
        where = f"{_visible(self.field)}: " if self.field else ""
        message = _visible(self.message)
        return f"{prefix}: {where}{message}" if prefix else f"{where}{message}"


def _visible(text: str) -> str:
    """Line breaks and other control characters as escapes, so that a problem stays on one line."""
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in text)


class ValidationFailed(CoeError):
    """A record breaks the data model's rules."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(p.line() for p in problems))

    @property
    def field(self) -> str:
        """The field of the first problem."""
        return self.problems[0].field if self.problems else ""


class NotFound(CoeError):
    """The named incident, user or record does not exist."""


class Conflict(CoeError):
    """The record changed since it was read, or a unique key is taken."""


class PermissionDenied(CoeError):
    """The acting user's role or the workflow forbids the action."""


class WorkflowError(CoeError):
    """The move is not allowed from the record's current status."""


class TamperDetected(CoeError):
    """The audit trail or a record was changed outside the services."""
