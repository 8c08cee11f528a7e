"""The `sqlrelease` command line: parse arguments, call the library, print."""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import sys
import warnings
from typing import TYPE_CHECKING

import click

from . import api, urls
from .errors import SqlreleaseError
from .terminal import json_text, printable
from .version import VERSION

if TYPE_CHECKING:
    from rich.console import Console

OUT, ERR = "stdout", "stderr"
_CONSOLES: dict[str, "Console"] = {}


def console(stream: str = OUT) -> "Console":
    """The console for stdout or stderr, made when this run first prints to it.

    Made then, not at import: `--help` does not import rich, and the console sees
    the terminal and NO_COLOR / FORCE_COLOR of the run (the group resets them for
    each command, which matters when the CLI runs in process).
    """
    if stream not in _CONSOLES:
        from rich.console import Console

        # Never markup, emoji codes or highlighting: what is printed is text (see `say`).
        _CONSOLES[stream] = Console(stderr=stream == ERR, highlight=False, soft_wrap=True, markup=False, emoji=False)
    return _CONSOLES[stream]


def shown(text: object) -> str:
    """What the terminal may show of `text`: passwords hidden, control characters escaped."""
    return printable(urls.mask(str(text)))


def say(*parts, to: str = OUT, style: str = "") -> None:
    """Print one line made of `parts`. Each part is plain text, whatever it holds (a file
    name like `[red]x`, a name with a newline): it goes through `shown` and is never read
    as markup. A `(text, style)` pair gives a part a style."""
    texts = [(shown(part[0]), part[1]) if isinstance(part, tuple) else (shown(part), "") for part in parts]
    if _plain(to):
        plain = "".join(text for text, _ in texts)
        if "\t" not in plain:  # rich expands tabs by cell width: that case stays rich's
            stream = sys.stdout if to == OUT else sys.stderr
            stream.write(plain + "\n")
            stream.flush()  # as rich does after each line, so stdout and stderr keep their order
            return
    from rich.text import Text

    line = Text(style=style)
    for text, part_style in texts:
        line.append(text, style=part_style)
    console(to).print(line)


# What makes rich see a terminal (or a notebook) where isatty() says there is none.
_TERMINAL_ENV = ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "JUPYTER_COLUMNS", "JUPYTER_LINES")


def _plain(stream: str) -> bool:
    """Whether rich would print to `stream` without any styling: not a terminal, nothing forcing one.
    Then a line is written as it is, without importing rich (a tenth of a second of start-up)."""
    if stream in _CONSOLES or any(name in os.environ for name in _TERMINAL_ENV) or "IPython" in sys.modules:
        return False
    file = sys.stdout if stream == OUT else sys.stderr
    try:
        return not file.isatty()
    except (AttributeError, ValueError):
        return False


def _use_urls(pairs) -> None:
    """--rehearse-url DIALECT=URL: checked and set for this process (servers imported only when given)."""
    if pairs:
        from . import servers

        servers.use_urls(pairs)

PROJECT = click.option(
    "--project",
    "-C",
    default=".",
    show_default=True,
    type=click.Path(file_okay=False),
    help="The project folder (or any folder inside it).",
)
JSON = click.option("--json", "as_json", is_flag=True, help="Print JSON for machines instead of text.")
REHEARSE_URL = click.option(
    "--rehearse-url",
    "rehearse_urls",
    multiple=True,
    metavar="DIALECT=URL",
    help="A server to rehearse, on a scratch database, migrations that need a database (repeatable). "
    "Also: SQLRELEASE_REHEARSE_URL_<DIALECT>, or [tool.sqlrelease.rehearse].",
)


def _set_timeout(ctx, param, value) -> None:
    if value is not None:  # read by load_config, like --rehearse-url: one place decides the limit
        from .config import TIMEOUT_ENV

        os.environ[TIMEOUT_ENV] = repr(value)


TIMEOUT = click.option(
    "--timeout",
    type=click.FloatRange(min=0),
    metavar="SECONDS",
    expose_value=False,
    callback=_set_timeout,
    help="Stop a migration (or env.py) that runs longer than this while rendering or rehearsing, naming where "
    "it stopped; 0: no limit. Default: timeout in [tool.sqlrelease], else 300.",
)


def _print_json(data) -> None:
    click.echo(urls.mask(json_text(data)))


def handles_errors(function):
    """Expected failures become one line on stderr and an exit code; never a traceback."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except SqlreleaseError as exc:
            if kwargs.get("as_json"):
                _print_json({"error": exc.to_dict()})
            say(("error:", "bold red"), " ", str(exc), to=ERR)
            sys.exit(exc.exit_code)

    return wrapper


@contextlib.contextmanager
def _rendering_gc():
    """The garbage collector's thresholds for a command that renders a history, for its duration.

    Rendering keeps the loaded history alive and makes millions of short-lived objects: at
    Python's default thresholds (700, 10, 10) the collector took about a tenth of `build`'s CPU on
    the 1,000-revision benchmark, mostly examining survivors and the growing old generation again
    and again (2000, 20, 100: 3.0 -> 1.8 s of collector CPU, peak memory 92 -> 102 MB). Set here,
    not in the library: the CLI owns its process, a Python caller's collector is left alone.
    """
    before = gc.get_threshold()
    gc.set_threshold(2000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _progress(enabled: bool):
    if not enabled:
        return lambda message: None
    return lambda message: say(message, to=ERR, style="dim")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(VERSION, prog_name="sqlrelease")
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
    _CONSOLES.clear()  # each run's consoles see that run's terminal and environment
    warnings.showwarning = _show_warning


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Python warnings (a library's, naming a migration's line) go out like every other line: as text."""
    say(f"{filename}:{lineno}: {category.__name__}: {message}", to=ERR)


@main.command()
@click.argument("folder", default=".", type=click.Path(file_okay=False))
@click.option(
    "--script-location",
    metavar="DIR",
    help="The Alembic script folder (env.py, versions/), for a project without alembic.ini.",
)
@handles_errors
def init(folder: str, script_location: str | None) -> None:
    """Add sqlrelease to a project in FOLDER (default: here).

    Adds [tool.sqlrelease] to pyproject.toml and an empty releases.toml plan.
    Without alembic.ini it uses --script-location, or the one folder holding
    env.py and versions/; in a folder without Alembic at all it first creates
    an Alembic environment (alembic.ini, migrations/) ready for offline
    rendering. In a project that has [tool.sqlrelease] but no plan file yet,
    it creates only the plan file.
    """
    for path in api.init(folder, script_location):
        say(f"created {path}")
    say(f"next: {api.next_step(folder)}")


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

    Creates the plan file when it does not exist yet. Refuses a duplicate
    name, an unknown revision, a target that does not descend from the
    previous release, a release without new migrations, and several unmerged
    heads unless they are named with --revision.
    """
    release = api.cut(project, name, revisions, say)
    say(
        f"release {release.name}: {len(release.revisions)} migration(s), "
        f"{','.join(release.start) or 'base'} -> {','.join(release.end)}"
    )
    say("next: sqlrelease build " + release.name)


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
    report = api.plan_status(project)
    if as_json:
        _print_json(report.to_dict())
        return
    if not report.releases:
        say(f"{report.plan} has no releases yet; add one with `sqlrelease cut NAME`")
    for release in report.releases:
        style = STATUS_STYLE[release.status]
        say(
            (release.name, "bold"), f"  {','.join(release.start) or 'base'} -> {','.join(release.end)}  ",
            (release.status, style), f"  {release.bundle}",
        )
        say(f"    review: {release.review}")
        for migration in release.migrations:
            say(f"    {migration['revision']}  {migration['message']}")
        for reason in release.reasons:
            say(f"    ! {reason}", style=style)
    for warning in report.warnings:
        say(("warning:", "yellow"), " ", warning, to=ERR)


JOBS = click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    metavar="N",
    help="Render in N worker processes (default: the number of cores; a small history renders in one). "
    "The bytes are the same for any N.",
)


@main.command()
@click.argument("names", nargs=-1)
@click.option("--all", "all_", is_flag=True, help="Build every release in the plan (the default when no NAME is given).")
@click.option(
    "--dialect",
    "-d",
    "dialects",
    multiple=True,
    help="Build these dialects (repeatable); an existing bundle keeps its other dialects. "
    "Default: [tool.sqlrelease] dialects.",
)
@click.option(
    "--drop-other-dialects",
    is_flag=True,
    help="With --dialect: remove the other dialects an existing bundle holds.",
)
@JOBS
@REHEARSE_URL
@TIMEOUT
@PROJECT
@JSON
@click.option("--quiet", "-q", is_flag=True, help="No progress on stderr.")
@handles_errors
def build(
    names: tuple[str, ...],
    all_: bool,
    dialects: tuple[str, ...],
    drop_other_dialects: bool,
    jobs: int | None,
    rehearse_urls: tuple[str, ...],
    project: str,
    as_json: bool,
    quiet: bool,
) -> None:
    """Write the bundles of release NAMES (default: all) to the bundles folder.

    Every migration is rendered first; bundles are then replaced atomically, so
    a failure leaves the previous bundles untouched. Unchanged bundles are not
    rewritten. Prints one line per bundle (wrote or unchanged) on stdout;
    progress goes to stderr (-q silences it).

    Without --dialect a bundle gets the configured dialects (what `check`
    expects). With --dialect, a bundle that exists keeps the other dialects
    it holds, rendered again, so building one dialect never loses another;
    --drop-other-dialects removes them. A dialect removed from a bundle is
    always named in the output.
    """
    if all_ and names:
        raise click.UsageError("give release names or --all, not both")
    if drop_other_dialects and not dialects:
        raise click.UsageError("--drop-other-dialects goes with --dialect (the dialects to keep)")
    _use_urls(rehearse_urls)
    with _rendering_gc():
        built = api.build(
            project,
            names,
            dialects or None,
            _progress(not quiet and not as_json),
            drop_other_dialects=drop_other_dialects,
            jobs=jobs,
        )
    if as_json:
        _print_json({"bundles": [b.to_dict() for b in built]})
        return
    for item in built:
        dropped = f"  (dropped {', '.join(item.dropped)})" if item.dropped else ""
        say(f"{'wrote' if item.written else 'unchanged'}  {item.bundle}{dropped}")
        if item.discarded:
            say(f"    discarded hand edits: {', '.join(item.discarded)} (replaced by the rendered bundle)", style="yellow")
        if item.voided:
            say(f"    voided the approval(s) of {', '.join(item.voided)}: the bundle's bytes changed; approve it again",
                style="yellow")
        for note in item.notes:
            say(f"  note: release {item.release}: {note}")


PUBKEY = click.option(
    "--pubkey",
    "pubkeys",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="A trusted Ed25519 public key (PEM or ssh-ed25519; repeatable). Approvals signed by it read as valid.",
)
REQUIRE_APPROVAL = click.option(
    "--require-approval",
    is_flag=True,
    help="Refuse (exit 4) a bundle without an approval of its current bytes signed by a --pubkey key.",
)


@main.command()
@click.argument("bundles", nargs=-1, required=True, type=click.Path())
@PUBKEY
@REQUIRE_APPROVAL
@click.option("--release", metavar="NAME", help="The release a renamed copy of one bundle is meant to be.")
@JSON
@handles_errors
def verify(bundles: tuple[str, ...], pubkeys: tuple[str, ...], require_approval: bool, release, as_json: bool) -> None:
    """Check BUNDLES against their SHA256SUMS, manifest and approvals.

    A BUNDLE is a bundle folder, an archive made by `sqlrelease pack`
    (.tar.gz, .zip), or a folder holding bundles (such as releases/), whose
    bundles are each verified. Works anywhere, without the project. A bundle
    is plain files only, and goes by its release's name (--release NAME for
    a renamed copy). With --pubkey, a bundle needs an approval of its current
    bytes signed by one of those keys (--require-approval says so explicitly).

    \b
    Exit codes (the most serious when several bundles are checked):
      0  every bundle is intact (and approved, when required)
      1  a bundle fails: altered, missing or extra files, not plain files, no bundle there,
         a manifest or name that does not match
      2  invalid input: an unreadable key file, --require-approval without --pubkey
      3  an approval does not hold: void (the bundle changed since), its
         signature does not match, it names another release, or unreadable
      4  approval required, and no approval of the bundle as it is now is
         signed by a --pubkey key
    """
    report = api.verify_bundles(bundles, pubkeys, require_approval, release)
    if as_json:
        _print_json(report.to_dict())
        sys.exit(report.exit_code)
    for item in report.bundles:
        _print_verification(item)
    if len(report.bundles) > 1:
        failed = sum(1 for b in report.bundles if b.exit_code)
        say(f"{len(report.bundles)} bundle(s): {len(report.bundles) - failed} OK, {failed} not")
    sys.exit(report.exit_code)


VERDICTS = {0: ("OK", "green"), 3: ("APPROVAL FAILS", "bold red"), 4: ("UNAPPROVED", "bold red")}


def _print_verification(item) -> None:
    result, review = item.verification, item.review
    verdict = VERDICTS.get(item.exit_code, ("FAILED", "bold red"))
    if result.ok:
        say(verdict, f"  {item.path} (release {result.release}, {result.checked} files)")
    else:
        say(verdict, f"  {item.path}" + (f" (release {result.release})" if result.release else ""))
    for label, paths in (("altered", result.altered), ("missing", result.missing), ("extra", result.extra)):
        for path in paths:
            say(f"    {label}: ".ljust(13), path)
    for entry in result.not_plain:
        say(f"    {entry}")
    for problem in result.problems:
        say(f"    {problem}")
    if review is None:
        return
    style = {"approved": "green", "void": "bold red"}.get(review.status, "yellow")
    say("    review: ", (review.text(), style))
    for note in review.notes:
        say(f"    note: {note}", style="dim")
    for problem in review.problems:
        say(f"    approval problem: {problem}", style="bold red")
    if review.unapproved():
        say(f"    {review.unapproved()}", style="bold red")


@main.command()
@click.argument("names", nargs=-1)
@click.option("--all", "all_", is_flag=True, help="Pack every release's bundle (the default when no NAME is given).")
@click.option("--format", "fmt", type=click.Choice(["tar.gz", "zip"]), default="tar.gz", show_default=True,
              help="The archive format.")
@click.option("--output", "-o", type=click.Path(file_okay=False), default=None,
              help="The folder to write archives to. Default: the bundles folder.")
@PROJECT
@JSON
@handles_errors
def pack(names: tuple[str, ...], all_: bool, fmt: str, output, project: str, as_json: bool) -> None:
    """Write one archive per bundle: <bundles>/NAME.tar.gz (or .zip) holding the folder NAME/,
    its approvals included.

    The same bundle gives the same archive bytes on any machine (sorted entries,
    fixed times, owners and modes; no time in the gzip header), so an archive
    can be checked against another build's. Only a bundle that passes
    verification is packed. A DBA checks it with `sqlrelease verify NAME.tar.gz`,
    or with `tar xzf NAME.tar.gz && cd NAME && sha256sum -c SHA256SUMS`.
    """
    if all_ and names:
        raise click.UsageError("give release names or --all, not both")
    packed = api.pack(project, names, fmt, output, _progress(not as_json))
    if as_json:
        _print_json({"archives": [p.to_dict() for p in packed]})
        return
    for item in packed:
        say(f"{'wrote' if item.written else 'unchanged'}  {item.archive}  sha256 {item.sha256}, {item.bytes} bytes")


def _print_diff(item, limit: int | None) -> None:
    """A unified diff, coloured in a terminal (plain when piped or NO_COLOR is set)."""
    from .diff import line_style

    lines, left_out = item.shown(limit)
    for line in lines:
        # NO_COLOR keeps rich's bold; a diff under NO_COLOR should be plain text.
        say(line, style="" if console().no_color else line_style(line) or "")
    if left_out:
        say(f"... {left_out} more diff line(s) of {item.path} (--full shows all)", style="dim")


@main.command()
@click.option("--strict", is_flag=True, help="Warnings fail too: revisions in no release, unmerged heads.")
@click.option("--full", is_flag=True, help="Print every diff line of every differing file (default: bounded).")
@click.option(
    "--render",
    is_flag=True,
    help="Render every bundle and compare the bytes even when the recorded inputs all hold (what CI should run).",
)
@JOBS
@PUBKEY
@REQUIRE_APPROVAL
@REHEARSE_URL
@TIMEOUT
@PROJECT
@JSON
@click.option("--quiet", "-q", is_flag=True, help="No progress on stderr.")
@handles_errors
def check(
    strict: bool,
    full: bool,
    render: bool,
    jobs: int | None,
    pubkeys: tuple[str, ...],
    require_approval: bool,
    rehearse_urls: tuple[str, ...],
    project: str,
    as_json: bool,
    quiet: bool,
) -> None:
    """Prove the committed bundles are exactly what the history renders now.

    First by what each manifest records: when every bundle verifies and every
    input that decides its bytes (migration sources, env.py, alembic.ini, the
    [tool.sqlrelease] settings, the plan, overrides, waivers, the versions of
    sqlrelease, its templates, alembic and sqlalchemy) is as recorded, and no
    revision file is unrecorded, the bundles are current and nothing is rendered.
    Otherwise, and with --render, it renders every release in memory and compares
    it byte for byte with its committed bundle, printing a unified diff per
    differing file and the cause where it can be told: a migration edited after
    its release was built (the most serious), a bundle file edited by hand,
    missing or extra, a release without a bundle, other versions, other inputs.
    Revisions in no release, unmerged heads, leftovers of an interrupted build and
    archives that no longer match their bundle are warnings. The last line says
    which check ran. Code that migrations import from the application is not
    recorded: when their SQL depends on it, use --render.

    With --require-approval and --pubkey, every bundle also needs an approval
    of its current bytes signed by one of those keys.

    \b
    Exit codes:
      0  every bundle matches (warnings may be printed)
      1  drift, a migration that cannot render, or with --strict any warning
      2  the configuration, plan or history cannot be read
      3  with --require-approval: an approval does not hold (void, forged)
      4  with --require-approval: a bundle has no approval signed by a --pubkey key
    """
    from .commands.check import DIFF_FILES, DIFF_LINES

    _use_urls(rehearse_urls)
    with _rendering_gc():
        report = api.check(project, strict, _progress(not quiet and not as_json), pubkeys, require_approval, render, jobs)
    if as_json:
        _print_json(report.to_dict(full))
        sys.exit(report.exit_code)
    by_release: dict = {}
    for finding in report.findings:
        by_release.setdefault(finding.release if finding.kind not in ("unreleased", "heads") else None, []).append(finding)
    shown_files = 0
    for result in report.releases:
        if result.status == "current":
            say(("OK", "green"), f"      {result.bundle}")
            for finding in by_release.pop(result.release, []):
                say("  ", (f"{finding.severity}:", "bold red" if finding.severity == "error" else "yellow"), " ", finding.message)
            continue
        say(("MISSING" if result.status == "missing" else "DRIFT", "bold red"), f"   {result.bundle}")
        for finding in by_release.pop(result.release, []):
            say("  ", (f"{finding.severity}:", "bold red"), " ", finding.message)
        for item in result.diffs:
            if not full and shown_files >= DIFF_FILES:
                continue
            shown_files += 1
            _print_diff(item, None if full else DIFF_LINES)
    for findings in by_release.values():
        for finding in findings:
            style = "bold red" if finding.severity == "error" else "yellow"
            say((f"{finding.severity}:", style), " ", finding.message)
    left_out = len(report.diffs) - shown_files
    if left_out:
        say(f"... {left_out} more differing file(s) (--full shows all)", style="dim")
    if report.exit_code:
        what = f"{len(report.errors)} error(s)" if report.errors else f"{len(report.warnings)} warning(s) with --strict"
        say(("check failed:", "bold red"), f" {what}; rebuild with `sqlrelease build` only after reviewing why")
    else:
        say(("check passed:", "green"), f" {len(report.releases)} bundle(s) match the history")
    if report.method == "inputs":
        say("checked by the inputs the manifests record, nothing rendered (--render renders every bundle)", style="dim")
    else:
        say(f"checked by rendering every bundle ({report.rendered_because})", style="dim")
    sys.exit(report.exit_code)


@main.command()
@click.argument("releases", nargs=-1)
@click.option("--dialect", "-d", help="Only this dialect's SQL (A B form).")
@click.option("--files", is_flag=True, help="A B form: diff whole bundle SQL files (headers, guards, version-table changes), not only the migrations' statements.")
@click.option(
    "--against-build",
    is_flag=True,
    help="Compare committed bundles of RELEASES (default: all) with a fresh rendering.",
)
@REHEARSE_URL
@TIMEOUT
@PROJECT
@handles_errors
def diff(releases: tuple[str, ...], dialect: str | None, files: bool, against_build: bool, rehearse_urls: tuple[str, ...], project: str) -> None:
    """Show the SQL difference between releases A and B (their migrations'
    statements per dialect and direction; --files: the whole bundle files), or
    with --against-build between committed bundles and what the history renders now.

    \b
      sqlrelease diff 1.1.0 1.2.0 --dialect postgresql
      sqlrelease diff 1.1.0 1.2.0 --files
      sqlrelease diff --against-build            every release
      sqlrelease diff --against-build 1.2.0

    Coloured in a terminal; plain when piped or NO_COLOR is set.

    \b
    Exit codes (as diff(1)):
      0  no difference
      1  differences were shown
      2  the configuration, plan or history cannot be read
    """
    _use_urls(rehearse_urls)
    if against_build:
        found = [item for _, item in api.diff_build(project, releases)]
    elif len(releases) != 2:
        raise click.UsageError("give two releases, A B, or --against-build [RELEASE...]")
    else:
        found = api.diff_releases(project, releases[0], releases[1], dialect, files)
    for item in found:
        _print_diff(item, None)
    sys.exit(1 if found else 0)


@main.command()
@click.option("--dialect", "-d", "dialects", multiple=True, help="Only these dialects (repeatable). Default: [tool.sqlrelease] dialects.")
@REHEARSE_URL
@TIMEOUT
@PROJECT
@JSON
@handles_errors
def doctor(dialects: tuple[str, ...], rehearse_urls: tuple[str, ...], project: str, as_json: bool) -> None:
    """Render every revision (released or not) per dialect and direction, and
    say why any cannot render offline: the cause, file:line and the fix.

    Status per revision: ok, rehearse (built on a scratch database),
    override (reviewed SQL supplied by hand), irreversible, or fails.
    Exits 1 when any revision fails.
    """
    _use_urls(rehearse_urls)
    report = api.doctor(project, dialects or None)
    if as_json:
        _print_json(report.to_dict())
    else:
        problems = report.problems()
        for finding in problems:
            style = "bold red" if finding.status == "fails" else "yellow"
            say(
                (finding.status, style), f"  {finding.location}  {finding.revision} "
                f"{finding.dialect} {finding.direction} (release {finding.release or 'none yet'})"
            )
            say(f"    {finding.cause}: {finding.summary or ''}")
            if finding.message:
                say(f"    raised: {finding.message}", style="dim")
            if finding.fix:
                say(f"    fix: {finding.fix}")
        revisions = len({f.revision for f in report.findings})
        say(f"{revisions} revision(s) checked; {len(problems)} finding(s)" if problems else f"{revisions} revision(s): all render offline")
    if not report.ok:
        sys.exit(1)


# -- review: lint, waive, approve, keygen ----------------------------------------------

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


@main.command()
@click.argument("names", nargs=-1)
@click.option("--dialect", "-d", "dialects", multiple=True, help="Lint only these dialects (repeatable).")
@click.option(
    "--fail-on",
    type=click.Choice(["info", "warning", "error"]),
    default="error",
    show_default=True,
    help="Exit 1 when an unwaived finding has this severity or higher.",
)
@click.option("--explain", metavar="RULE", help="Print what RULE finds, why it is risky and how to make it safe ('all': every rule), then exit.")
@REHEARSE_URL
@TIMEOUT
@PROJECT
@JSON
@handles_errors
def lint(
    names: tuple[str, ...],
    dialects: tuple[str, ...],
    fail_on: str,
    explain: str | None,
    rehearse_urls: tuple[str, ...],
    project: str,
    as_json: bool,
) -> None:
    """Report risky statements of release NAMES (default: all), per migration and dialect.

    Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it
    (waived findings never count), 2 bad configuration or plan, or an unknown
    rule for --explain.
    """
    from . import lint as lints
    from . import review

    if explain is not None:
        if explain == "all":
            click.echo(lints.rules_markdown(), nl=False)
        elif explain in lints.RULES:
            click.echo(lints.explain(explain))
        else:
            from .errors import ConfigError

            raise ConfigError(f"--explain {explain}: no such rule", hint=f"rules: {', '.join(lints.RULES)}, or all")
        return
    _use_urls(rehearse_urls)
    findings = api.lint_project(project, names, dialects or None)
    failing = lints.failing(findings, fail_on)
    if as_json:
        _print_json({"findings": [f.to_dict() for f in findings], "fail_on": fail_on, "failing": len(failing)})
    else:
        for group in review.grouped(findings):
            f = group["finding"]
            where = ",".join(group["dialects"]) or "all"
            if f.statement:
                where += f"#{f.statement}"
            if f.direction == "downgrade":
                where += " (downgrade)"
            waived = ("  (waived)", "dim") if group["waiver"] else ""
            say(f"{f.release}  {f.revision}  ", (f.severity, SEVERITY_STYLE[f.severity]), f"  {f.rule}  {where}  {f.detail}", waived)
            if f.excerpt:
                say(f"    {f.excerpt}")
            if group["waiver"]:
                say(f"    waived by {group['waiver'].by or 'a reviewer'}: {group['waiver'].reason}", style="dim")
            else:
                say(f"    why: {f.why}; fix: {f.fix}", style="dim")
        counts = review.counts(findings)
        say(f"{counts['error']} error(s), {counts['warning']} warning(s), {counts['info']} info, {counts['waived']} waived")
    if failing:
        sys.exit(1)


@main.command()
@click.argument("release")
@click.argument("rule")
@click.option("--revision", "-r", required=True, help="The migration whose finding is accepted.")
@click.option("--reason", required=True, help="Why the risk is accepted (kept in the waivers file).")
@click.option("--by", default="", help="Who accepts it.")
@click.option("--dialect", "-d", default=None, help="Only this dialect's finding (default: every dialect).")
@click.option("--statement", "-s", type=int, default=None, help="Only the finding on statement N of the migration.")
@PROJECT
@handles_errors
def waive(release: str, rule: str, revision: str, reason: str, by: str, dialect, statement, project: str) -> None:
    """Accept finding RULE of a migration in RELEASE, with a reason.

    The waiver is written to the project's waivers file (default
    review/waivers.toml; commit it) and bound to the rule and the sha256 of
    the statement: when the statement changes, the finding shows again.
    Rebuild the bundle afterwards: its REVIEW.md shows the finding as waived.
    """
    added = api.waive(project, release, rule, revision, reason, by, dialect, statement)
    for waiver in added:
        say(f"waived {waiver.rule} in {waiver.revision} ({waiver.dialect or 'all dialects'})")
    if not added:
        say("already waived")
    say(f"next: sqlrelease build {release}")


@main.command()
@click.argument("release")
@click.option("--by", required=True, help="Who approves the bundle.")
@click.option("--key", type=click.Path(dir_okay=False), default=None, help="Ed25519 private key (PEM or OpenSSH) to sign with.")
@click.option("--force", is_flag=True, help="Approve a bundle that `check` calls stale (other bytes than the history renders now).")
@PROJECT
@JSON
@handles_errors
def approve(release: str, by: str, key, force: bool, project: str, as_json: bool) -> None:
    """Approve the built bundle of RELEASE exactly as it is now.

    Records who approved which bytes (release, bundle digest: the sha256 of
    its SHA256SUMS, time) in the bundle's APPROVALS.json, which travels with
    the folder and its archives; with --key, an Ed25519 signature over that
    whole statement. Any later change to the bundle voids the approval; only
    a signed approval shows who approved (verify --pubkey). A bundle that
    `check` would call stale is refused unless --force.
    """
    approval = api.approve_release(project, release, by, key, force)
    if as_json:
        _print_json(approval)
        return
    signed = f", signed with {approval['key_id']}" if "signature" in approval else ""
    say(f"approved {release} by {approval['by']}: digest {approval['digest']}{signed or ' (unsigned: --key signs it)'}")
    say(f"recorded in {approval['file']}")


@main.command()
@click.argument("path", type=click.Path(dir_okay=False))
@handles_errors
def keygen(path: str) -> None:
    """Create an Ed25519 key pair: PATH (private, PEM, mode 0600) and PATH.pub (public, PEM)."""
    private, public = api.keygen(path)
    say(f"private key: {private} (keep it secret)")
    say(f"public key:  {public} (give it to whoever verifies: sqlrelease verify --pubkey {public})")


# -- the fleet: status and apply across many databases -------------------------------------

FLEET_EXIT_CODES = """\b
Exit codes:
  0  every target is at the goal release
  1  some are behind (nothing else wrong)
  2  a target needs a person (partial, ahead, unmanaged, failed, drifted),
     or the fleet file, a --target or the bundles are invalid
  3  a target is unreachable or locked (the highest code wins)"""


def with_fleet_exit_codes(function):
    """Append the fleet's exit codes to a command's help."""
    import inspect

    function.__doc__ = inspect.cleandoc(function.__doc__) + "\n\n" + FLEET_EXIT_CODES
    return function


def fleet_options(function):
    """The options that choose targets and bundles, shared by status and apply."""
    options = [
        click.option("--fleet", "fleet_file", type=click.Path(dir_okay=False), help="The fleet file (default: ./fleet.toml when it exists)."),
        click.option("--target", "-t", "targets", multiple=True, metavar="NAME[=URL]",
                     help="Only this target of the fleet file, or an ad-hoc one as NAME=URL (repeatable). "
                     "URL: postgresql://, mysql:// or mariadb://, sqlite:///path; a password as ${ENV_VAR}."),
        click.option("--select", "-s", "selects", multiple=True, metavar="LABEL=VALUE", help="Only targets with this label (repeatable; all must match)."),
        click.option("--bundles", type=click.Path(), help="The folder of release bundles, folders or archives made by `sqlrelease pack` (default: the fleet file's, or the project's); or one archive."),
        click.option("--to", "to", metavar="RELEASE", help="The goal release (default: the last bundle)."),
        click.option("--jobs", "-j", type=click.IntRange(1, 256), help="Targets worked on at once (default 8, or [fleet] jobs)."),
        click.option("--per-host", type=click.IntRange(1, 256), help="At most this many at once on one server (default 4)."),
        PROJECT,
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _open_fleet(fleet_file, targets, bundles, project, journal=None):
    from . import fleet

    return fleet.open_fleet(fleet_file, targets, bundles, project, journal)


def _print_lines(lines) -> None:
    for line in lines:
        console().print(line)


@main.command()
@fleet_options
@click.option("--drift", is_flag=True, help="Also compare each target's schema with the one its release expects (the manifest's expected schema); a target that differs is drifted.")
@click.option("--table", is_flag=True, help="Every target in a table (default: counts, then only the exceptions).")
@JSON
@click.option("--ndjson", is_flag=True, help="One JSON object per target per line.")
@handles_errors
@with_fleet_exit_codes
def status(fleet_file, targets, selects, bundles, to, jobs, per_host, project, drift, table, as_json, ndjson) -> None:
    """Which release every target is at, read in parallel (read-only).

    Runs each bundle's status query with the target's own client (psql,
    mariadb, sqlite3), at most --jobs at once and --per-host on one server.
    States: current, behind, partial (stopped inside a release), ahead (a
    revision no bundle knows), unmanaged (no version table), locked, failed
    (the last apply failed), drifted (with --drift: the schema differs from
    what its release expects, each difference named), unreachable.

    Works from bundle folders alone (--bundles DIR), or inside a project.

    \b
    fleet.toml:
      [[target]]
      name = "eu-1"
      url = "postgresql://app:${EU1_PASSWORD}@db-eu-1/app"
      labels = { region = "eu", tier = "canary" }
    """
    from .fleet import fleet_status, parse_selector, report

    inventory, names, catalog = _open_fleet(fleet_file, targets, bundles, project)
    result = fleet_status(inventory, catalog, names=names, selector=parse_selector(selects) if selects else None,
                          to=to, jobs=jobs, per_host=per_host, check_drift=drift)
    if as_json:
        _print_json(result.to_dict())
    elif ndjson:
        click.echo(report.ndjson(t.to_dict() for t in result.targets), nl=False)
    elif table:
        console().print(report.status_table(result))
        _print_lines(report.status_summary(result)[1:2])
    else:
        _print_lines(report.status_summary(result))
    sys.exit(result.exit_code)



def _apply_progress(enabled: bool):
    """A rich progress bar per wave on stderr, or nothing (not a terminal, --json, -q)."""
    if not enabled or not console(ERR).is_terminal:
        return None, None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err, transient=True)
    tasks = {}

    def event(kind, payload):
        if kind == "wave":
            name, total = payload
            tasks["current"] = bar.add_task(f"wave {name}", total=total)
        elif kind == "done" and "current" in tasks:
            bar.advance(tasks["current"])

    return bar, event


@main.command(name="apply")
@fleet_options
@click.option("--wave", metavar="WAVE", help="Only this wave of the fleet file.")
@click.option("--dry-run", is_flag=True, help="Print per target exactly which files would run, and change nothing.")
@click.option("--allow-downgrade", is_flag=True, help="Run downgrade.sql on targets past the goal (never without this flag).")
@click.option("--ignore-drift", is_flag=True, help="Run on targets whose schema differs from what their release expects (refused by default).")
@click.option("--resume", is_flag=True, help="Continue targets that stopped inside a release (partial: a MySQL/MariaDB apply killed or failed part-way) with the bundle's step scripts, from the first statement not recorded as done.")
@click.option("--require-approval", is_flag=True, help="Refuse bundles that are not approved as they are now.")
@click.option("--pubkey", "pubkeys", multiple=True, type=click.Path(dir_okay=False), help="With --require-approval: the approval must be signed by this Ed25519 key (repeatable).")
@click.option("--journal", type=click.Path(dir_okay=False), help="The local journal (JSON lines; default [fleet] journal, $SQLRELEASE_JOURNAL or ~/.local/state/sqlrelease/journal.jsonl).")
@JSON
@click.option("--ndjson", is_flag=True, help="One JSON object per target per line.")
@click.option("--quiet", "-q", is_flag=True, help="No progress on stderr.")
@handles_errors
@with_fleet_exit_codes
def apply_(fleet_file, targets, selects, bundles, to, jobs, per_host, project, wave, dry_run, allow_downgrade,
           ignore_drift, resume, require_approval, pubkeys, journal, as_json, ndjson, quiet) -> None:
    """Bring targets to a release: the bundles' own files, run with the native clients.

    Per target: read its version (targets at the goal are skipped before any
    migration session), work out the bundles from there to the goal, verify
    each bundle (checksums; the approval with --require-approval) before
    touching anything, then run the files in order exactly as the bundle
    README says (psql -v ON_ERROR_STOP=1 -X -q, mariadb, sqlite3 -bail).
    A target whose schema differs from what its release expects (drift: see
    status --drift) is refused before anything runs, unless --ignore-drift.
    A target that stopped inside a release (partial) is refused unless
    --resume: then mysql/steps/ continue it from the first statement not
    recorded as done, and the later releases follow.
    One target's failure never stops the others; a wave that exceeds its
    failure budget starts no further targets and no later wave.
    Every target's run is written to a local journal (no secrets).
    """
    from .fleet import fleet_apply, parse_selector, report

    if pubkeys and not require_approval:
        raise click.UsageError("--pubkey goes with --require-approval")
    inventory, names, catalog = _open_fleet(fleet_file, targets, bundles, project, journal)
    bar, event = _apply_progress(not quiet and not as_json and not ndjson and not dry_run)
    if bar is not None:
        bar.start()
    try:
        result = fleet_apply(
            inventory, catalog, names=names, selector=parse_selector(selects) if selects else None, to=to, wave=wave,
            jobs=jobs, per_host=per_host, dry_run=dry_run, allow_downgrade=allow_downgrade,
            require_approval=require_approval, pubkeys=pubkeys, progress=event, ignore_drift=ignore_drift,
            resume=resume,
        )
    finally:
        if bar is not None:
            bar.stop()
    if as_json:
        _print_json(result.to_dict())
    elif ndjson:
        click.echo(report.ndjson(t.to_dict() for t in result.targets), nl=False)
    elif dry_run:
        _print_lines(report.dry_run_lines(result))
    else:
        console().print(report.apply_table(result))
        _print_lines(report.apply_footer(result))
    sys.exit(result.exit_code)



if __name__ == "__main__":  # pragma: no cover
    main()
