"""Drawing from the demo's odds tables, and the demo's time formats, shared by its modules."""

import random
from bisect import bisect
from datetime import date
from functools import lru_cache
from itertools import accumulate

DAY, MINUTE = 86_400, 60
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
CLOCK = tuple(f"T{hour:02d}:{minute:02d}:00+00:00" for hour in range(24) for minute in range(60))


def table(odds: dict) -> tuple[tuple, tuple]:
    """A {value: weight} dict as the (values, cumulative weights) table `pick` draws from."""
    return tuple(odds), tuple(accumulate(odds.values()))


def pick(rng: random.Random, table: tuple[tuple, tuple]):
    """One value of a `table`, as often as its weight says."""
    values, cumulative = table
    return values[bisect(cumulative, rng.random() * cumulative[-1])]


def choice(rng: random.Random, seq: tuple | list):
    """One element of a non-empty sequence (cheaper than Random.choice)."""
    return seq[int(rng.random() * len(seq))]


def between(rng: random.Random, low: int, high: int) -> int:
    """A whole number in [low, high] (cheaper than Random.randint)."""
    return low + int(rng.random() * (high - low + 1))


def distinct(rng: random.Random, seq: tuple | list, k: int) -> list:
    """k different elements of a sequence, in random order."""
    pool, chosen = list(seq), []
    for _ in range(k):
        chosen.append(pool.pop(int(rng.random() * len(pool))))
    return chosen


def iso(seconds: int | None) -> str | None:
    """Epoch seconds as an ISO-8601 UTC timestamp, floored to the minute as people record them."""
    if seconds is None:
        return None
    days, rest = divmod(seconds, DAY)
    return day(days + EPOCH_ORDINAL) + CLOCK[rest // MINUTE]


@lru_cache(maxsize=4096)
def day(ordinal: int) -> str:
    """A proleptic Gregorian ordinal as YYYY-MM-DD."""
    return date.fromordinal(ordinal).isoformat()
