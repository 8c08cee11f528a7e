"""The fleet: which release every database is at (`status`), and bringing many forward (`apply`).

Works from bundle folders alone (no project needed) and drives the native
clients exactly as each bundle's README tells a DBA, so tool apply equals hand
apply. Needs bundles only: it imports bundle, dialects, errors, templates and
config, and nothing below it imports the fleet.

    from sqlrelease import fleet
    inventory, names, catalog = fleet.open_fleet("fleet.toml")
    report = fleet.fleet_status(inventory, catalog, names=names)
    report = fleet.fleet_apply(inventory, catalog, names=names, dry_run=True)
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from typing import TYPE_CHECKING

from ..errors import ConfigError
from .catalog import Catalog, load_catalog
from .inventory import Fleet, FleetError, Target, load_fleet, parse_selector, parse_target_option
from .state import EXIT_CODES, STATES, TargetStatus
from .status import StatusReport, fleet_status, status_query

if TYPE_CHECKING:
    from .apply import ApplyReport, TargetRun, fleet_apply

# `status` runs in every status check of a fleet (and in every Ansible task): it does not pay for
# importing what only `apply` needs (approvals, bundle verification); those load when first named.
_APPLY_NAMES = ("ApplyReport", "TargetRun", "fleet_apply")


def __getattr__(name: str):
    if name in _APPLY_NAMES:
        from . import apply

        return getattr(apply, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

DEFAULT_FLEET = "fleet.toml"

__all__ = [
    "ApplyReport",
    "Catalog",
    "EXIT_CODES",
    "Fleet",
    "FleetError",
    "STATES",
    "StatusReport",
    "Target",
    "TargetRun",
    "TargetStatus",
    "fleet_apply",
    "fleet_status",
    "load_catalog",
    "load_fleet",
    "open_fleet",
    "parse_selector",
    "status_query",
]


def open_fleet(
    fleet_file: str | Path | None = None,
    targets=(),
    bundles: str | Path | None = None,
    project: str | Path | None = ".",
    journal: str | Path | None = None,
) -> tuple[Fleet, tuple[str, ...], Catalog]:
    """The inventory, the target names chosen, and the bundles to work with.

    `fleet_file`: a fleet file (default: ./fleet.toml when it exists).
    `targets`: `NAME=URL` (an ad-hoc target) or `NAME` (one from the fleet file);
    when given, only these are worked on. Bundles come from `bundles`, else the
    fleet file's `bundles`, else the project's bundles folder.
    """
    path = Path(fleet_file) if fleet_file else (Path(DEFAULT_FLEET) if Path(DEFAULT_FLEET).is_file() else None)
    inventory = load_fleet(path) if path else Fleet(path=None, targets=())
    names, extra = [], []
    for item in targets:
        if "=" in item:
            target = parse_target_option(item)
            if any(t.name == target.name for t in (*inventory.targets, *extra)):
                raise FleetError(f"--target {target.name}=...: a target of that name exists already")
            extra.append(target)
            names.append(target.name)
        else:
            names.append(item)
    inventory = dataclasses.replace(inventory, targets=inventory.targets + tuple(extra))
    if journal:
        inventory = dataclasses.replace(inventory, journal=Path(journal))
    if not inventory.targets:
        raise FleetError(
            "no targets: no fleet file and no --target",
            hint=f"write {DEFAULT_FLEET} (see `sqlrelease status --help`) or pass --target NAME=URL",
        )
    for name in names:
        inventory.target(name)  # an unknown name fails here, before any connection
    return inventory, tuple(dict.fromkeys(names)), load_catalog(_bundles_folder(bundles, inventory, project))


def _bundles_folder(bundles, inventory: Fleet, project) -> Path:
    if bundles:
        return Path(bundles)
    if inventory.bundles:
        return inventory.bundles
    if project is not None:
        from ..config import find_root, load_config  # the project's bundles folder: only without --bundles

        try:
            find_root(Path(project))
        except ConfigError:
            pass
        else:
            return load_config(project).bundles
    raise FleetError(
        "no bundles to work with",
        hint="pass --bundles DIR (a folder of release bundles), set bundles in the fleet file, or run inside a project",
    )
