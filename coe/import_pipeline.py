"""A large coe/v1 file read, validated and made ready to store by a second process, a batch ahead of the writer."""

import multiprocessing
import os
import queue
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from pydantic_core import from_json
from sqlalchemy import Dialect

from coe import audit, schema, services, store
from coe.errors import Problem
from coe.interchange import JsonStream

AHEAD = 2  # batches made before the writer takes them: enough to keep both cores busy, few enough to keep memory flat
# Records made into rows at a time, right after they are validated: their objects are still in the processor's
# cache (a 2,000-record batch would not be, and costs a fifth more time).
PIECE = 25
LEAST = 500  # records of a batch sent early to a waiting writer: fewer, and each batch's fixed costs would tell
POLL_SECONDS = 1.0  # how often a waiting process checks that the other one is still alive


@dataclass
class Prepared:
    """Valid records ready to store: the keys their file gave, the keys they get, their state hashes, and either
    their rows or, when the writer was waiting for work, their coe/v1 JSON for the writer to make rows of."""

    offset: int  # records in the file before these
    at: datetime
    rows: store.Rows | None  # None: the writer makes them from `documents`
    documents: list[str] = field(default_factory=list)
    given: list[str | None] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    hashes: list[str] = field(default_factory=list)
    read: tuple[int, int] = (0, 0)  # bytes and records of the file read by then, for a progress bar

    def add(self, records: list[schema.Incident], highest: dict[int, int], dialect: Dialect) -> None:
        """Key, hash and serialise more records; `highest` then counts their keys too, as the database will."""
        docs = services.with_keys(records, self.at, lambda year: highest.get(year, 0) + 1)
        for doc in docs:
            year, number = int(doc.key[4:8]), int(doc.key[9:])  # type: ignore[index]
            highest[year] = max(highest.get(year, 0), number)
        self.given += [doc.key for doc in records]
        self.keys += [doc.key for doc in docs]  # type: ignore[misc]
        if self.rows is None:
            serialised = [audit.serialised(doc) for doc in docs]
            self.documents += [text for _, text in serialised]
        else:
            serialised = [audit.hashed(doc) for doc in docs]  # type: ignore[misc]
            self.rows.add([data for _, data in serialised], dialect)  # type: ignore[misc]
        self.hashes += [state for state, _ in serialised]

    def stored_rows(self, dialect: Dialect) -> store.Rows:
        """The batch's rows, made now from its documents if the producer left that to the writer."""
        if self.rows is None:
            self.rows = store.incident_rows([from_json(text) for text in self.documents], dialect)
        return self.rows


class PreparedStream:
    """A `JsonStream` whose batches come from a forked process as plain tuples or text: no pydantic object crosses over.

    Where there is no fork (Windows), the batches are made in this process, between writes.

    Like the stream it wraps, it keeps every problem of the file and numbers the batch last yielded by `offset`.
    """

    def __init__(self, stream: JsonStream):
        self.stream = stream
        self.problems: list[Problem] = []
        self.offset = 0
        self.progress: Callable[[int, int], None] | None = None

    def prepared(self, highest: dict[int, int], dialect: Dialect) -> Iterator[Prepared]:
        """The file's batches, new keys numbered after `highest` (year → NNNN); the producer stops when this does."""
        if "fork" not in multiprocessing.get_all_start_methods():  # Windows: made here, between writes
            read = [0, 0]
            for batch in _batches(self.stream, highest, dialect, read, lambda: False):
                self._tell(batch.read)
                self.offset = batch.offset
                yield batch
            self._tell((read[0], read[1]))
            self.problems += self.stream.problems
            return
        # Fork: the child has the schema and the dialect already; a spawned one would build them again (a second).
        context = multiprocessing.get_context("fork")
        messages = context.Queue(maxsize=AHEAD)
        waiting = context.Value("b", 0, lock=False)  # whether this process waits for the producer now
        producer = context.Process(target=_produce, args=(self.stream, highest, dialect, messages, waiting), daemon=True)
        producer.start()
        try:
            while True:
                waiting.value = 1
                kind, value = _next(messages, producer)
                waiting.value = 0
                if kind == "batch":
                    self._tell(value.read)
                    self.offset = value.offset
                    yield value
                elif kind == "end":
                    self._tell(value[1])
                    self.problems += value[0]
                    return
                elif kind == "error":
                    raise RuntimeError(f"reading {self.stream.path} failed:\n{value}")
        finally:
            # The writer may stop early (a key already taken, an error): the producer's work is then of no use.
            if producer.is_alive():
                producer.terminate()
            producer.join()

    def _tell(self, read: tuple[int, int]) -> None:
        """Pass how far the producer has read on to the progress bar."""
        if self.progress is not None:
            self.progress(*read)


def _next(messages: Any, producer: Any) -> tuple[str, Any]:
    """The producer's next message; an error if it died without saying so (killed for lack of memory, say)."""
    while True:
        try:
            return messages.get(timeout=POLL_SECONDS)
        except queue.Empty:
            if not producer.is_alive() and messages.empty():
                return "error", f"the reading process ended with exit code {producer.exitcode}"


def _produce(stream: JsonStream, highest: dict[int, int], dialect: Dialect, messages: Any, waiting: Any) -> None:
    """In the child: send the file's batches, then its problems; a batch goes as JSON if the writer waits for it."""
    writer = os.getppid()
    send = partial(_send, messages, writer)
    read = [0, 0]
    try:
        for batch in _batches(stream, highest, dialect, read, partial(_writer_waits, waiting)):
            send(("batch", batch))
        send(("end", (stream.problems, (read[0], read[1]))))
    except BaseException:  # noqa: BLE001 - the writer reports it; a child's traceback would go unseen
        send(("error", traceback.format_exc()))


def _batches(
    stream: JsonStream, highest: dict[int, int], dialect: Dialect, read: list[int], hand_over: Callable[[], bool]
) -> Iterator[Prepared]:
    """The file's valid records keyed and serialised a few at a time, in batches of the stream's size.

    A batch is made into rows unless `hand_over()` says the writer is waiting: it then goes as coe/v1 JSON, quicker
    to make, and the writer makes the rows; and a waiting writer gets a batch as soon as it holds `LEAST` records.
    So both processes keep working. `read` follows the bytes and records read, for a progress bar.
    """
    size, stream.batch = stream.batch, min(stream.batch, PIECE)
    least = min(size, LEAST)
    stream.progress = lambda done, records: read.__setitem__(slice(None), (done, records))
    batch = None
    for records in stream:
        if batch is None:
            batch = Prepared(stream.offset, audit.now(), None if hand_over() else store.Rows())
        batch.add(records, highest, dialect)
        if len(batch.keys) >= size or (len(batch.keys) >= least and hand_over()):
            batch.read = (read[0], read[1])
            yield batch
            batch = None
    if batch and not stream.problems:
        batch.read = (read[0], read[1])
        yield batch


def _writer_waits(waiting: Any) -> bool:
    """Whether the writer is waiting for a batch (or taking the one just sent): it has nothing else to do."""
    return bool(waiting.value)


def _send(messages: Any, writer: int, message: tuple[str, Any]) -> None:
    """Queue a message for the writer; if the writer was killed, end at once."""
    while os.getppid() == writer:
        try:
            return messages.put(message, timeout=POLL_SECONDS)
        except queue.Full:
            continue
    # The child shares the writer's database socket: living on would hold its transaction (and locks) open.
    os._exit(1)
