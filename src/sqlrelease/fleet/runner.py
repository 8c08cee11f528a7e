"""Working on many targets at once: at most `jobs` together, at most `per_host` on one server.

Worker threads each run one target's work to its end (the clients are
subprocesses, so threads spend their time waiting). A target is started only
when its host has room, so one busy server never holds up the others.
"""

from __future__ import annotations

import threading
from typing import Callable, Iterable, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def run_all(
    items: Iterable[T],
    work: Callable[[T], R],
    *,
    host: Callable[[T], str],
    jobs: int,
    per_host: int,
    done: Callable[[T, R], None] | None = None,
    keep_going: Callable[[], bool] = lambda: True,
) -> dict[int, R]:
    """`work(item)` for each item, in parallel; returns {index: result} of the items started.

    `done(item, result)` is called (under a lock, in completion order) as each
    finishes; once `keep_going()` is false no further item is started.
    """
    pending = list(enumerate(items))
    results: dict[int, R] = {}
    busy: dict[str, int] = {}
    cond = threading.Condition()
    hosts = {index: host(item) for index, item in pending}
    stopped = False
    errors: list[BaseException] = []

    def take():
        nonlocal stopped
        with cond:
            while True:
                if not stopped and pending and not keep_going():
                    stopped = True
                if stopped or not pending:
                    return None
                for position, (index, item) in enumerate(pending):
                    if busy.get(hosts[index], 0) < per_host:
                        del pending[position]
                        busy[hosts[index]] = busy.get(hosts[index], 0) + 1
                        return index, item
                cond.wait()

    def worker() -> None:
        while True:
            taken = take()
            if taken is None:
                return
            index, item = taken
            try:
                result = work(item)
            except BaseException as exc:  # a bug: finish the others, then raise it
                with cond:
                    errors.append(exc)
                    busy[hosts[index]] -= 1
                    cond.notify_all()
                continue
            with cond:
                busy[hosts[index]] -= 1
                results[index] = result
                if done is not None:
                    done(item, result)
                cond.notify_all()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(max(1, min(jobs, len(pending))))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results
