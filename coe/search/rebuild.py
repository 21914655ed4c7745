"""Fill the search index from the incidents already stored, when it is out of step with them."""

from sqlalchemy import Connection, func, select
from sqlmodel import Session

from coe import store
from coe.search import index


def ensure_index(connection: Connection) -> bool:
    """Rebuild the index if it does not hold exactly the stored incidents; True if it did."""
    incidents = connection.execute(select(func.count()).select_from(store.INCIDENT)).scalar_one()
    if index.count(connection) == incidents:
        return False
    session = Session(bind=connection)
    ids = list(connection.execute(select(store.INCIDENT.c.id).order_by(store.INCIDENT.c.id)).scalars())
    index.rebuild(connection, ids, lambda chunk: [d.model_dump() for d in store.load_incidents(session, chunk)])
    return True
