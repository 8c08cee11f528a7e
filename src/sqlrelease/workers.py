"""Work spread over worker processes forked from this one.

A forked worker starts with everything this process has loaded (the history's
revision modules, rendered SQL), so nothing is loaded again or sent to it: the
work is a function and a list of items kept here, and a worker is handed only an
item's index. What comes back (each result) is pickled.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Iterator, Sequence, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

_WORK: tuple[Callable, Sequence] | None = None  # (function, items) of the map running now


def default_jobs() -> int:
    """The number of cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def forked_map(function: Callable[[Item], Result], items: Sequence[Item], jobs: int) -> list[Result]:
    """[function(item) for item in items], in up to `jobs` forked workers; results in order.

    The first exception a call raises is raised here. With one job, one item or no
    fork on this platform, the calls run in this process.
    """
    return list(forked_imap(function, items, jobs))


def forked_imap(function: Callable[[Item], Result], items: Sequence[Item], jobs: int) -> Iterator[Result]:
    """function(item) for each item, as `forked_map`, handed out one at a time in order as they are
    done, so that the caller can write each and let it go (only results not yet taken are held)."""
    if jobs <= 1 or len(items) <= 1 or not can_fork():
        for item in items:
            yield function(item)
        return
    global _WORK
    if _WORK is not None:
        raise RuntimeError("forked_map does not nest")
    _WORK = (function, items)
    # A forked worker must not write this process's unflushed output again.
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=min(jobs, len(items)), mp_context=context) as pool:
            yield from pool.map(_call, range(len(items)))
    finally:
        _WORK = None


def _call(index: int):
    function, items = _WORK
    return function(items[index])
