"""Passwords: found at run time, handed to clients through their environment, masked in every output.

Sources, per target: `${ENV_VAR}` in the URL or `password_env`, a
`password_command` (its first output line), a password typed in a
`--target NAME=URL`, or none, when the client finds its own (~/.pgpass,
passfile=, ~/.my.cnf, `option_file`). Nothing here writes a password anywhere.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import threading

from .. import urls

COMMAND_TIMEOUT = 30


class PasswordError(Exception):
    """A target's password source gave nothing usable; the message never holds a secret."""


class Secrets:
    """Resolves each target's password once; every password found is masked from then on (urls.mask)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._commands: dict[str, str] = {}

    def remember(self, secret: str | None) -> None:
        urls.remember(secret)

    def mask(self, text: str) -> str:
        """`text` with every URL password and every password seen so far replaced by ***."""
        return urls.mask(text)

    def password(self, target) -> str | None:
        """The target's password, or None when its client finds one itself."""
        if target.password_env:
            value = os.environ.get(target.password_env)
            if value is None:
                raise PasswordError(f"environment variable {target.password_env} (its password) is not set")
            self.remember(value)
            return value
        if target.password_command:
            return self._from_command(target.password_command)
        literal = target.url.password
        if literal is not None:
            self.remember(str(literal))
            return str(literal)
        return None

    def _from_command(self, command: str) -> str:
        with self._lock:
            if command in self._commands:
                return self._commands[command]
        try:
            proc = subprocess.run(
                shlex.split(command), stdin=subprocess.DEVNULL, capture_output=True, timeout=COMMAND_TIMEOUT, check=False
            )
        except (OSError, ValueError, subprocess.TimeoutExpired) as exc:
            raise PasswordError(f"password_command could not run: {type(exc).__name__}") from None
        value = proc.stdout.decode("utf-8", "replace").split("\n", 1)[0].rstrip("\r")
        self.remember(value)
        if proc.returncode != 0 or not value:
            # Its stderr is not shown: a failing secret tool may echo what it was given.
            raise PasswordError(f"password_command exited with {proc.returncode}{' and printed nothing' if not value else ''}")
        with self._lock:
            self._commands[command] = value
        return value
