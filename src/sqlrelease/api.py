"""The Python API: every verb of the CLI as a function with the same behaviour.

    from sqlrelease import api
    api.build(".", ["1.0.0"])
    assert api.verify("releases/1.0.0").ok
"""

from __future__ import annotations

from .approval import keygen, review_status
from .bundle import verify
from .commands.build import build, render_bundles
from .commands.check import check
from .commands.diff import diff_build, diff_releases
from .commands.doctor import doctor
from .commands.init import init
from .commands.plan import cut, plan_status
from .commands.verify import verify_bundles
from .commands.review import approve_release, lint_project, waive
from .fleet import fleet_apply, fleet_status, open_fleet

__all__ = [
    "approve_release",
    "build",
    "check",
    "cut",
    "diff_build",
    "diff_releases",
    "doctor",
    "fleet_apply",
    "fleet_status",
    "init",
    "keygen",
    "lint_project",
    "open_fleet",
    "plan_status",
    "render_bundles",
    "review_status",
    "verify",
    "verify_bundles",
    "waive",
]
