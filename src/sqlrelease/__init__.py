"""sqlrelease: reviewed, checksummed, guarded per-release SQL bundles from an Alembic history.

Every CLI verb is a function here with the same behaviour::

    from sqlrelease import build, verify, plan_status, cut, init

The verbs are imported on first use (see api.py), so `import sqlrelease` stays cheap.
"""

from .version import VERSION as __version__

__all__ = ["__version__", "build", "cut", "init", "plan_status", "verify"]


def __getattr__(name: str):
    # Only the verbs: submodules (`from . import bundle`) must not come through here.
    if name not in __all__:
        raise AttributeError(f"module 'sqlrelease' has no attribute {name!r}")
    from . import api

    return getattr(api, name)
