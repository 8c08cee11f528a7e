"""The Python API: every verb of the CLI as a function with the same behaviour.

    from sqlrelease import api
    api.build(".", ["1.0.0"])
    assert api.verify("releases/1.0.0").ok

Each verb's module is imported on first use: `sqlrelease status` across a
fleet must not pay for importing Alembic, which only the build verbs need.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

# verb -> the module it lives in (relative to the package)
_HOMES = {
    "approve_release": "commands.review",
    "build": "commands.build",
    "check": "commands.check",
    "cut": "commands.plan",
    "diff_build": "commands.diff",
    "diff_releases": "commands.diff",
    "doctor": "commands.doctor",
    "fleet_apply": "fleet",
    "fleet_status": "fleet",
    "init": "commands.init",
    "keygen": "approval",
    "lint_project": "commands.review",
    "next_step": "commands.init",
    "open_fleet": "fleet",
    "pack": "commands.pack",
    "plan_status": "commands.plan",
    "render_bundles": "commands.build",
    "review_status": "approval",
    "verify": "bundle",
    "verify_bundles": "commands.verify",
    "waive": "commands.review",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module 'sqlrelease.api' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_HOMES[name]}", __package__), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:  # the same names, for readers, type checkers and the layering test
    from .approval import keygen, review_status
    from .bundle import verify
    from .commands.build import build, render_bundles
    from .commands.check import check
    from .commands.diff import diff_build, diff_releases
    from .commands.doctor import doctor
    from .commands.init import init, next_step
    from .commands.pack import pack
    from .commands.plan import cut, plan_status
    from .commands.review import approve_release, lint_project, waive
    from .commands.verify import verify_bundles
    from .fleet import fleet_apply, fleet_status, open_fleet
