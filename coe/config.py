"""Settings, read once from the environment."""

import getpass
import os
from dataclasses import dataclass
from pathlib import Path

from coe.errors import CoeError

DEFAULT_DATABASE_URL = "sqlite:///coe.db"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
# How the app learns who is acting: the OS user or COE_USER, a header set by an authenticating proxy,
# or local accounts with passwords.
AUTH_MODES = ("single", "header", "local")
DEFAULT_AUTH_HEADER = "X-Forwarded-User"


def _os_user() -> str:
    """The operating-system user, or 'admin' where there is none (a bare container)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "admin"


@dataclass(frozen=True)
class Settings:
    """Where the database is, who is acting, where templates and dashboards live."""

    database_url: str
    user: str
    templates_dir: Path | None
    dashboards_dir: Path
    auth: str = "single"
    auth_header: str = DEFAULT_AUTH_HEADER

    @classmethod
    def from_env(cls, database_url: str | None = None, user: str | None = None) -> "Settings":
        """Settings from explicit values first, then COE_* variables, then defaults."""
        templates = os.environ.get("COE_TEMPLATES_DIR")
        auth = (os.environ.get("COE_AUTH") or "single").strip().lower()
        if auth not in AUTH_MODES:
            raise CoeError(f"COE_AUTH={auth!r} is not a sign-in mode; use one of {', '.join(AUTH_MODES)}")
        header = (os.environ.get("COE_AUTH_HEADER") or DEFAULT_AUTH_HEADER).strip()
        return cls(
            database_url=database_url or os.environ.get("COE_DATABASE_URL") or DEFAULT_DATABASE_URL,
            user=user or os.environ.get("COE_USER") or _os_user(),
            templates_dir=Path(templates) if templates else None,
            dashboards_dir=PROJECT_ROOT / "dashboards",
            auth=auth,
            auth_header=header,
        )
