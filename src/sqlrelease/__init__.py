"""sqlrelease: reviewed, checksummed, guarded per-release SQL bundles from an Alembic history.

Every CLI verb is a function here with the same behaviour::

    from sqlrelease import build, verify, plan_status, cut, init
"""

__version__ = "0.1.0"

from .commands import build, cut, init, plan_status, verify  # noqa: E402

__all__ = ["__version__", "build", "cut", "init", "plan_status", "verify"]
