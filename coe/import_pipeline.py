"""A large coe/v1 file read, validated and made into rows by a second process, a batch ahead of the writer."""

import multiprocessing
import os
import queue
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import Dialect

from coe import audit, schema, services, store
from coe.errors import Problem
from coe.interchange import JsonStream

AHEAD = 2  # batches made before the writer takes them: enough to keep both cores busy, few enough to keep memory flat
POLL_SECONDS = 1.0  # how often a waiting process checks that the other one is still alive


@dataclass
class Prepared:
    """One valid batch ready to store: the keys its file gave, the keys it gets, its state hashes and its rows."""

    offset: int  # records in the file before this batch
    at: datetime
    given: list[str | None]
    keys: list[str]
    hashes: list[str]
    rows: store.Rows


class PreparedStream:
    """A `JsonStream` whose batches come from a forked process as plain tuples: no pydantic object crosses over.

    Like the stream it wraps, it keeps every problem of the file and numbers the batch last yielded by `offset`.
    """

    def __init__(self, stream: JsonStream):
        self.stream = stream
        self.problems: list[Problem] = []
        self.offset = 0
        self.progress: Callable[[int, int], None] | None = None

    def prepared(self, highest: dict[int, int], dialect: Dialect) -> Iterator[Prepared]:
        """The file's batches, new keys numbered after `highest` (year → NNNN); the producer stops when this does."""
        # Fork: the child has the schema and the dialect already; a spawned one would build them again (a second).
        context = multiprocessing.get_context("fork")
        messages = context.Queue(maxsize=AHEAD)
        producer = context.Process(target=_produce, args=(self.stream, highest, dialect, messages), daemon=True)
        producer.start()
        try:
            while True:
                kind, value = _next(messages, producer)
                if kind == "progress" and self.progress is not None:
                    self.progress(*value)
                elif kind == "batch":
                    self.offset = value.offset
                    yield value
                elif kind == "end":
                    self.problems += value
                    return
                elif kind == "error":
                    raise RuntimeError(f"reading {self.stream.path} failed:\n{value}")
        finally:
            # The writer may stop early (a key already taken, an error): the producer's work is then of no use.
            if producer.is_alive():
                producer.terminate()
            producer.join()


def _next(messages: Any, producer: Any) -> tuple[str, Any]:
    """The producer's next message; an error if it died without saying so (killed for lack of memory, say)."""
    while True:
        try:
            return messages.get(timeout=POLL_SECONDS)
        except queue.Empty:
            if not producer.is_alive() and messages.empty():
                return "error", f"the reading process ended with exit code {producer.exitcode}"


def _produce(stream: JsonStream, highest: dict[int, int], dialect: Dialect, messages: Any) -> None:
    """In the child: validate the file, make each valid batch into rows, and send them, the problems last."""
    writer = os.getppid()
    send = partial(_send, messages, writer)
    try:
        stream.progress = lambda done, records: send(("progress", (done, records)))
        for batch in stream:
            send(("batch", _prepare(batch, stream.offset, highest, dialect)))
        send(("end", stream.problems))
    except BaseException:  # noqa: BLE001 - the writer reports it; a child's traceback would go unseen
        send(("error", traceback.format_exc()))


def _send(messages: Any, writer: int, message: tuple[str, Any]) -> None:
    """Queue a message for the writer; if the writer was killed, end at once."""
    while os.getppid() == writer:
        try:
            return messages.put(message, timeout=POLL_SECONDS)
        except queue.Full:
            continue
    # The child shares the writer's database socket: living on would hold its transaction (and locks) open.
    os._exit(1)


def _prepare(batch: list[schema.Incident], offset: int, highest: dict[int, int], dialect: Dialect) -> Prepared:
    """Keys, state hashes and rows for one batch; `highest` then counts its keys too, as the database will."""
    at = audit.now()
    docs = services.with_keys(batch, at, lambda year: highest.get(year, 0) + 1)
    for doc in docs:
        year, number = int(doc.key[4:8]), int(doc.key[9:])  # type: ignore[index]
        highest[year] = max(highest.get(year, 0), number)
    rows = store.incident_rows([(doc, doc.model_dump()) for doc in docs], dialect)
    keys: list[str] = [doc.key for doc in docs]  # type: ignore[misc]
    return Prepared(offset, at, [doc.key for doc in batch], keys, [audit.state_hash(doc) for doc in docs], rows)
