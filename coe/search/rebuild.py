"""Fill the search index from the incidents already stored, when it is out of step with them."""

from sqlalchemy import BigInteger, Connection, cast, func, select
from sqlmodel import Session

from coe import store
from coe.search import index


def stored_fingerprint(connection: Connection) -> tuple[int, int, int]:
    """The incidents' count, sum of ids and sum of id × version: one scan, no document loaded."""
    c = store.INCIDENT.c
    row = connection.execute(select(func.count(), func.sum(c.id), func.sum(cast(c.id, BigInteger) * c.version))).one()
    return row[0], row[1] or 0, row[2] or 0


def ensure_index(connection: Connection) -> bool:
    """Rebuild the index unless it holds every stored incident at its current version; True if it did.

    An incident added, removed or saved without the services (an older `coe`, a restored table) changes
    the incidents' fingerprint and not the index's; the index of a fresh search migration is empty.
    """
    if index.fingerprint(connection) == stored_fingerprint(connection):
        return False
    session = Session(bind=connection)
    ids = list(connection.execute(select(store.INCIDENT.c.id).order_by(store.INCIDENT.c.id)).scalars())
    index.rebuild(connection, ids, lambda chunk: [d.model_dump() for d in store.load_incidents(session, chunk)])
    return True
