"""Users and what each role may do; every mutating service asks `require` first."""

from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlmodel import Session

from coe import audit, models
from coe.enums import Role
from coe.errors import Conflict, NotFound, PermissionDenied

MIN_PASSWORD_LENGTH = 12
HASHER = PasswordHasher()

# Verified when the name is unknown, so a wrong name costs as long as a wrong password. Written out, not made at
# import: hashing takes a tenth of a second by design, and every command would pay it.
_DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$FH2Oy1rJUO3pH8KDJpFrgg$VeFV3zrZB9AdKShjeZ4MQqsY/Rv10veuT1txRnHLN1A"

USER: Any = models.User.__table__

# Roles are ranked: each may do what the ones below it may.
RANK = {Role.viewer: 0, Role.author: 1, Role.reviewer: 2, Role.admin: 3}
# The least role each action needs.
NEEDS = {
    "read": Role.viewer,
    "create": Role.author,
    "import": Role.author,
    "update": Role.author,
    "submit": Role.author,
    "amend": Role.author,
    "review": Role.reviewer,
    "publish": Role.reviewer,
    "manage_users": Role.admin,
    "record_volume": Role.author,
}


def require(session: Session, actor: str, action: str) -> Role:
    """The actor's role, if it allows the action; otherwise PermissionDenied in a sentence."""
    row = session.execute(select(USER.c.role, USER.c.active).where(USER.c.name == actor)).first()
    if row is None:
        raise PermissionDenied(
            f"{actor} is not a user here; an admin can add them with `coe user add {actor} --role author`"
        )
    if not row.active:
        raise PermissionDenied(f"{actor} is disabled and may not {action.replace('_', ' ')}")
    role = Role(row.role)
    needed = NEEDS[action]
    if RANK[role] < RANK[needed]:
        raise PermissionDenied(
            f"{actor} is {_a(role)} and may not {action.replace('_', ' ')}; that needs the {needed} role or higher"
        )
    return role


def add_user(session: Session, *, name: str, role: Role, actor: str) -> None:
    """Add a user with a role (admins only)."""
    require(session, actor, "manage_users")
    _insert(session, name=name, role=role, actor=actor)


def set_active(session: Session, *, name: str, active: bool, actor: str) -> None:
    """Disable or re-enable a user (admins only); their history stays."""
    require(session, actor, "manage_users")
    if actor == name and not active:
        raise Conflict(f"{actor} cannot disable themselves")
    result = session.execute(update(USER).where(USER.c.name == name).values(active=active))
    if result.rowcount != 1:
        raise NotFound(f"no user named {name}")
    action = "enable_user" if active else "disable_user"
    audit.append(session, [_event(actor, action, {"user": [name, name], "active": [not active, active]})])


def set_password(session: Session, *, name: str, password: str, actor: str) -> None:
    """Set a user's password for local sign-in (an admin, or the user themself); audited without the hash."""
    if actor != name:
        require(session, actor, "manage_users")
    elif session.execute(select(USER.c.id).where(USER.c.name == actor, USER.c.active)).first() is None:
        raise PermissionDenied(f"{actor} is not an active user here and may not set a password")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Conflict(f"a password must be at least {MIN_PASSWORD_LENGTH} characters")
    result = session.execute(update(USER).where(USER.c.name == name).values(password_hash=HASHER.hash(password)))
    if result.rowcount != 1:
        raise NotFound(f"no user named {name}")
    audit.append(session, [_event(actor, "set_password", {"user": [name, name]})])


def check_password(session: Session, *, name: str, password: str) -> bool:
    """Whether the name and password match an active user (rehashing an outdated hash)."""
    row = session.execute(select(USER.c.password_hash, USER.c.active).where(USER.c.name == name)).first()
    stored = row.password_hash if row is not None and row.password_hash else None
    try:
        HASHER.verify(stored or _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False
    if stored is None or not row.active:
        return False
    if HASHER.check_needs_rehash(stored):
        session.execute(update(USER).where(USER.c.name == name).values(password_hash=HASHER.hash(password)))
    return True


def list_users(session: Session) -> list[dict[str, Any]]:
    """Every user with role and state, by name."""
    query = select(USER.c.name, USER.c.role, USER.c.active, USER.c.created_at).order_by(USER.c.name)
    return [dict(r) for r in session.execute(query).mappings()]


def ensure_first_admin(session: Session, *, name: str) -> bool:
    """Single-user set-up: the first user of a database with none becomes its admin."""
    if session.execute(select(USER.c.id).limit(1)).first() is not None:
        return False
    _insert(session, name=name, role=Role.admin, actor=name)
    return True


def _insert(session: Session, *, name: str, role: Role, actor: str) -> None:
    """Store a new user and audit it."""
    name = name.strip()
    if not name or len(name) > 200:
        raise Conflict("a user name must be 1 to 200 characters")
    if session.execute(select(USER.c.id).where(USER.c.name == name)).first():
        raise Conflict(f"a user named {name} already exists")
    session.execute(USER.insert().values(name=name, role=str(role), active=True, created_at=audit.now()))
    audit.append(session, [_event(actor, "add_user", {"user": [None, name], "role": [None, str(role)]})])


def _event(actor: str, action: str, changes: dict[str, Any]) -> dict[str, Any]:
    """An audit event about a user rather than an incident."""
    return {"at": audit.now(), "actor": actor, "action": action, "incident_key": None,
            "changes": changes, "state_hash": None}


def _a(role: Role) -> str:
    """'an admin', 'a viewer'."""
    return f"{'an' if role[0] in 'aeiou' else 'a'} {role}"
