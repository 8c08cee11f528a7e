"""A time limit for code sqlrelease runs but does not control: migrations, env.py, revision files.

Rendering and rehearsal run each migration's `upgrade()` / `downgrade()`, the
project's env.py and its revision files in this process. One that loops forever
or waits on something that never answers would hang a build or a CI job;
`limit(seconds, what)` stops it by raising `TimeLimitExceeded` in the thread
running it, and the caller names the migration and the line it stopped at.

How, and why so: in the main thread (the CLI, and most use of the API) a
SIGALRM timer (`setitimer`) whose handler raises. It interrupts blocking system
calls too (a `time.sleep`, a socket read: Python runs the handler before
retrying them). In any other thread, where signals cannot be delivered, a
watchdog timer raises the exception in that thread asynchronously
(`PyThreadState_SetAsyncExc`), which stops Python loops but not one long call
into C. Both work on Linux (CI) and macOS. Running each render in a child
process was the alternative: it would import the history and env.py once per
process and lose the in-process capture of Alembic's output, for nothing these
two mechanisms do not already give.

`TimeLimitExceeded` derives from BaseException, so a migration's own
`except Exception:` cannot swallow it. Limits nest, and an outer limit's clock
stands still while an inner one runs: the limit on env.py counts env.py's own
time, not that of the migrations it runs, which have their own.
"""

from __future__ import annotations

import functools
import signal
import threading
import time
from contextlib import contextmanager
from typing import Callable

DEFAULT_SECONDS = 300.0  # per migration (and for env.py, and for reading the revision files)


class TimeLimitExceeded(BaseException):
    """Raised in the thread that ran past its time limit."""

    seconds: float = 0.0
    what: str = ""

    def __str__(self) -> str:
        return f"{self.what} did not finish within {self.seconds:g} s"


def _exceeded(seconds: float, what: str) -> type[TimeLimitExceeded]:
    # A class, not an instance: PyThreadState_SetAsyncExc raises classes only.
    return type("TimeLimitExceeded", (TimeLimitExceeded,), {"seconds": seconds, "what": what})


@contextmanager
def limit(seconds: float | None, what: str):
    """Run the block with a time limit of `seconds` (None or 0: none); `what` names it in the error."""
    if not seconds or seconds <= 0:
        yield
        return
    # The exception class is made only when the limit is exceeded: making one for every block
    # (every migration of a build) was most of what a limit cost.
    exceeded = functools.partial(_exceeded, float(seconds), what)
    in_main = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
    with (_alarm if in_main else _watchdog)(float(seconds), exceeded):
        yield


@contextmanager
def _alarm(seconds: float, exceeded: Callable[[], type[TimeLimitExceeded]]):
    state = {"armed": True}

    def handler(signum, frame):
        if state["armed"]:
            state["armed"] = False
            raise exceeded()()

    previous_handler = signal.signal(signal.SIGALRM, handler)
    previous_remaining, _ = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        state["armed"] = False  # a signal arriving from here on is ignored
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous_handler)
        if previous_remaining:  # the outer limit's clock stood still while this one ran
            signal.setitimer(signal.ITIMER_REAL, previous_remaining)


_watchdogs = threading.local()  # per thread: the stack of limits; only the innermost has a running timer


class _Watchdog:
    def __init__(self, seconds: float, exceeded: Callable[[], type[TimeLimitExceeded]]) -> None:
        # ctypes is imported here, in the thread that renders, not when the timer thread fires, and
        # not at import: reading config (every verb) needs DEFAULT_SECONDS only.
        import ctypes

        self.ctypes = ctypes
        self.left, self.exceeded = seconds, exceeded
        self.thread_id = threading.get_ident()
        self.lock = threading.Lock()
        self.armed = False
        self.timer: threading.Timer | None = None
        self.started = 0.0

    def start(self) -> None:
        with self.lock:
            self.armed, self.started = True, time.monotonic()
            self.timer = threading.Timer(self.left, self.fire)
            self.timer.daemon = True
            self.timer.start()

    def pause(self) -> None:
        with self.lock:
            self.armed = False
            if self.timer is not None:
                self.timer.cancel()
            self.left = max(self.left - (time.monotonic() - self.started), 0.001)

    def fire(self) -> None:
        with self.lock:
            if self.armed:
                self.armed = False
                ctypes = self.ctypes
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self.thread_id), ctypes.py_object(self.exceeded()))


@contextmanager
def _watchdog(seconds: float, exceeded: Callable[[], type[TimeLimitExceeded]]):
    stack = _watchdogs.__dict__.setdefault("stack", [])
    if stack:
        stack[-1].pause()
    dog = _Watchdog(seconds, exceeded)
    stack.append(dog)
    dog.start()
    try:
        yield
    finally:
        dog.pause()
        stack.pop()
        # An exception set but not raised yet must not fire later, outside the block.
        dog.ctypes.pythonapi.PyThreadState_SetAsyncExc(dog.ctypes.c_ulong(dog.thread_id), None)
        if stack:
            stack[-1].start()
