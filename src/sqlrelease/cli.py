"""The `sqlrelease` command line: parse arguments, call the library, print."""

from __future__ import annotations

import functools
import json
import sys

import click
from rich.console import Console
from rich.markup import escape

from . import __version__, commands
from .errors import SqlreleaseError

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

PROJECT = click.option(
    "--project",
    "-C",
    default=".",
    show_default=True,
    type=click.Path(file_okay=False),
    help="The project folder (or any folder inside it).",
)
JSON = click.option("--json", "as_json", is_flag=True, help="Print JSON for machines instead of text.")


def _print_json(data) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def handles_errors(function):
    """Expected failures become one line on stderr and an exit code; never a traceback."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except SqlreleaseError as exc:
            if kwargs.get("as_json"):
                _print_json({"error": exc.to_dict()})
            err.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False)
            sys.exit(exc.exit_code)

    return wrapper


def _progress(enabled: bool):
    if not enabled:
        return lambda message: None
    return lambda message: err.print(f"[dim]{message}[/]")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sqlrelease")
def main() -> None:
    """Turn an Alembic history into per-release SQL bundles: upgrade, downgrade
    and stamp SQL per dialect, with a version guard, a manifest and checksums.

    \b
    Typical flow:
      sqlrelease init            add [tool.sqlrelease] and an empty plan
      sqlrelease cut 1.0.0       a release at the current head
      sqlrelease build           write releases/<name>/ bundles
      sqlrelease verify DIR      check a bundle, anywhere, without the project
    """


@main.command()
@click.argument("folder", default=".", type=click.Path(file_okay=False))
@handles_errors
def init(folder: str) -> None:
    """Add sqlrelease to a project in FOLDER (default: here).

    Adds [tool.sqlrelease] to pyproject.toml and an empty releases.toml plan.
    In a folder without Alembic it first creates an Alembic environment
    (alembic.ini, migrations/) ready for offline rendering.
    """
    for path in commands.init(folder):
        out.print(f"created {path}")
    out.print("next: write migrations with `alembic revision`, then `sqlrelease cut NAME`")


@main.command()
@click.argument("name")
@click.option(
    "--revision",
    "-r",
    "revisions",
    multiple=True,
    help="Target revision (repeat for several heads). Default: the current head.",
)
@PROJECT
@handles_errors
def cut(name: str, revisions: tuple[str, ...], project: str) -> None:
    """Append release NAME to the plan, at the current head or --revision.

    Refuses a duplicate name, an unknown revision, a target that does not
    descend from the previous release, a release without new migrations, and
    several unmerged heads unless they are named with --revision.
    """
    release = commands.cut(project, name, revisions)
    out.print(
        f"release {release.name}: {len(release.revisions)} migration(s), "
        f"{','.join(release.start) or 'base'} -> {','.join(release.end)}"
    )
    out.print("next: sqlrelease build " + release.name)


STATUS_STYLE = {"current": "green", "missing": "yellow", "stale": "yellow", "tampered": "bold red"}


@main.command()
@PROJECT
@JSON
@handles_errors
def plan(project: str, as_json: bool) -> None:
    """Show the releases in apply order, their ranges, migrations and bundle status.

    Status: missing (not built), current, stale (plan, migrations, dialects or
    generator changed since it was built) or tampered (fails verification).
    """
    report = commands.plan_status(project)
    if as_json:
        _print_json(report.to_dict())
        return
    if not report.releases:
        out.print(f"{report.plan} has no releases yet; add one with `sqlrelease cut NAME`")
    for release in report.releases:
        style = STATUS_STYLE[release.status]
        out.print(
            f"[bold]{release.name}[/]  {','.join(release.start) or 'base'} -> {','.join(release.end)}  "
            f"[{style}]{release.status}[/]  {release.bundle}"
        )
        for migration in release.migrations:
            out.print(f"    {migration['revision']}  {migration['message']}")
        for reason in release.reasons:
            out.print(f"    [{style}]! {reason}[/]")
    for warning in report.warnings:
        err.print(f"[yellow]warning:[/] {warning}")


@main.command()
@click.argument("names", nargs=-1)
@click.option("--all", "all_", is_flag=True, help="Build every release in the plan (the default when no NAME is given).")
@click.option(
    "--dialect",
    "-d",
    "dialects",
    multiple=True,
    help="Build only these dialects (repeatable). Default: [tool.sqlrelease] dialects.",
)
@PROJECT
@JSON
@click.option("--quiet", "-q", is_flag=True, help="No progress on stderr.")
@handles_errors
def build(names: tuple[str, ...], all_: bool, dialects: tuple[str, ...], project: str, as_json: bool, quiet: bool) -> None:
    """Write the bundles of release NAMES (default: all) to the bundles folder.

    Every migration is rendered first; bundles are then replaced atomically, so
    a failure leaves the previous bundles untouched. Unchanged bundles are not
    rewritten.
    """
    if all_ and names:
        raise click.UsageError("give release names or --all, not both")
    built = commands.build(project, names, dialects or None, _progress(not quiet and not as_json))
    if as_json:
        _print_json({"bundles": [b.to_dict() for b in built]})
        return
    for item in built:
        out.print(f"{'wrote' if item.written else 'unchanged'}  {item.bundle}")


@main.command()
@click.argument("bundles", nargs=-1, required=True, type=click.Path())
@JSON
@handles_errors
def verify(bundles: tuple[str, ...], as_json: bool) -> None:
    """Check BUNDLE folders against their SHA256SUMS and manifest.

    Works on a bundle copied anywhere, without the project. Exits 1 naming
    every missing, extra or altered file.
    """
    results = [commands.verify(folder) for folder in bundles]
    if as_json:
        _print_json({"bundles": [r.to_dict() for r in results]})
    else:
        for result in results:
            if result.ok:
                out.print(f"[green]OK[/]  {result.bundle} (release {result.release}, {result.checked} files)")
                continue
            out.print(f"[bold red]FAILED[/]  {result.bundle}")
            for path in result.altered:
                out.print(f"    altered: {path}")
            for path in result.missing:
                out.print(f"    missing: {path}")
            for path in result.extra:
                out.print(f"    extra:   {path}")
            for problem in result.problems:
                out.print(f"    {problem}")
    if not all(r.ok for r in results):
        sys.exit(1)


@main.command()
@click.option("--dialect", "-d", "dialects", multiple=True, help="Only these dialects (repeatable). Default: [tool.sqlrelease] dialects.")
@PROJECT
@JSON
@handles_errors
def doctor(dialects: tuple[str, ...], project: str, as_json: bool) -> None:
    """Render every revision (released or not) per dialect and direction, and
    say why any cannot render offline: the cause, file:line and the fix.

    Status per revision: ok, rehearse (built on a scratch database),
    override (reviewed SQL supplied by hand), irreversible, or fails.
    Exits 1 when any revision fails.
    """
    report = commands.doctor(project, dialects or None)
    if as_json:
        _print_json(report.to_dict())
    else:
        problems = report.problems()
        for finding in problems:
            style = "bold red" if finding.status == "fails" else "yellow"
            out.print(
                f"[{style}]{finding.status}[/]  {escape(finding.location)}  {finding.revision} "
                f"{finding.dialect} {finding.direction} (release {finding.release or 'none yet'})"
            )
            out.print(f"    {finding.cause}: {escape(finding.summary or '')}")
            if finding.message:
                out.print(f"    raised: {escape(finding.message)}", style="dim")
            if finding.fix:
                out.print(f"    fix: {escape(finding.fix)}")
        revisions = len({f.revision for f in report.findings})
        out.print(f"{revisions} revision(s) checked; {len(problems)} finding(s)" if problems else f"{revisions} revision(s): all render offline")
    if not report.ok:
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
