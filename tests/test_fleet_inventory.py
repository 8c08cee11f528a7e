"""A DBA writes a fleet file: targets, labels, waves. Mistakes are named with file:line and a way out."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from projects import REPO
from sqlrelease.cli import main
from sqlrelease.fleet import FleetError, load_fleet, parse_selector, parse_target_option
from sqlrelease.fleet.inventory import plan_waves, select_targets

GOOD = """\
[fleet]
jobs = 4
per_host = 2
bundles = "releases"

[[target]]
name = "eu-1"
url = "postgresql+psycopg://app:${EU1_PASSWORD}@db-eu-1:5433/app?sslmode=require"
labels = { region = "eu", tier = "canary" }

[[target]]
name = "us-1"
url = "mariadb://app@db-us-1/app"
option_file = "secrets/us-1.cnf"
labels = { region = "us" }

[[target]]
name = "kiosk"
path = "data/kiosk.db"
labels = { region = "eu" }

[[wave]]
name = "canary"
select = { tier = "canary" }
failure_budget = 0

[[wave]]
name = "europe"
select = ["region=eu"]
failure_budget = "50%"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "fleet.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_a_fleet_file_gives_targets_dialects_labels_and_waves(tmp_path):
    fleet = load_fleet(write(tmp_path, GOOD))
    eu, us, kiosk = fleet.targets
    assert (eu.dialect, us.dialect, kiosk.dialect) == ("postgresql", "mysql", "sqlite")
    assert eu.password_env == "EU1_PASSWORD" and eu.url.password is None
    assert eu.shown_url == "postgresql://app@db-eu-1:5433/app?sslmode=require"
    assert us.option_file == str(tmp_path / "secrets" / "us-1.cnf")
    assert kiosk.path == tmp_path / "data" / "kiosk.db"
    assert eu.host == "db-eu-1:5433" and kiosk.host != eu.host
    assert (fleet.jobs, fleet.per_host, fleet.bundles) == (4, 2, tmp_path / "releases")
    waves = plan_waves(fleet, list(fleet.targets))
    assert [(w.wave.name, [t.name for t in w.targets]) for w in waves] == [
        ("canary", ["eu-1"]), ("europe", ["kiosk"]), ("rest", ["us-1"])]
    assert waves[1].wave.budget_for(4) == 2 and waves[0].wave.budget_for(10) == 0


def test_selectors_choose_targets_by_label(tmp_path):
    fleet = load_fleet(write(tmp_path, GOOD))
    assert [t.name for t in select_targets(fleet, (), parse_selector(["region=eu"]))] == ["eu-1", "kiosk"]
    assert [t.name for t in select_targets(fleet, (), parse_selector(["region=eu", "tier=canary"]))] == ["eu-1"]
    assert [t.name for t in select_targets(fleet, (), parse_selector(["region=eu", "region=us"]))] == ["eu-1", "us-1", "kiosk"]
    with pytest.raises(FleetError, match="expected LABEL=VALUE"):
        parse_selector(["region"])


@pytest.mark.parametrize(
    "url, dialect",
    [
        ("postgresql://u@h/db", "postgresql"),
        ("postgresql+psycopg2://u@h/db", "postgresql"),
        ("mysql://u@h/db", "mysql"),
        ("mysql+pymysql://u@h/db?charset=utf8mb4", "mysql"),
        ("mariadb://u@h/db", "mysql"),
        ("mariadb+mariadbconnector://u@h/db", "mysql"),
        ("sqlite:///relative.db", "sqlite"),
        ("sqlite:////absolute/file.db", "sqlite"),
    ],
)
def test_urls_with_or_without_a_driver(tmp_path, url, dialect):
    target = parse_target_option(f"t={url}", tmp_path)
    assert target.dialect == dialect
    assert "+" not in target.shown_url.split("://")[0]
    if dialect == "sqlite":
        assert target.path.is_absolute()


def test_a_password_typed_in_a_target_option_is_used_but_never_shown(tmp_path):
    target = parse_target_option("t=postgresql://app:hunter2secret@h/db", tmp_path)
    assert target.url.password == "hunter2secret"
    assert "hunter2secret" not in target.shown_url and "hunter2secret" not in str(target.to_dict())


# (fleet file text, message, line)
MISTAKES = [
    ('[[target]]\nname = "a"\nurl = "postgresql://app:plain@h/db"\n', "a password written in the fleet file", 3),
    ('[[target]]\nname = "a"\nurl = "oracle://u@h/db"\n', "dialect 'oracle' is not supported", 3),
    ('[[target]]\nname = "a"\nurl = "postgresql://u@h/db"\nregion = "eu"\n', "unknown key 'region' in a target", 4),
    ('[[target]]\nname = "a"\nurl = "postgresql://u@h/db"\n\n[[target]]\nname = "a"\npath = "x.db"\n', "target 'a' is defined twice", 6),
    ('[[target]]\nname = "a b"\nurl = "postgresql://u@h/db"\n', "a target needs a `name`", 2),
    ('[[target]]\nname = "a"\n', "give either `url`", 2),
    ('[[target]]\nname = "a"\nurl = "postgresql://u@h/"\n', "names no database", 3),
    ('[[target]]\nname = "a"\nurl = "postgresql://u@h/db"\ndialect = "mysql"\n', "does not match its URL", 4),
    ('[[target]]\nname = "a"\nurl = "postgresql://u@h/db"\noption_file = "x.cnf"\n', "option_file is for MySQL", 4),
    ('[[target]]\nname = "a"\nurl = "postgresql://u:${PW}@h/db"\npassword_command = "pass db"\n', "one password source", 4),
    ('[[target]]\nname = "a"\nurl = "mysql://u@h/db?color=red"\n', "URL parameter 'color'", 3),
    ('[[target]]\nname = "a"\nurl = "postgresql://u@h/db"\nlabels = { tier = 3 }\n', "label tier must be a non-empty string", 4),
    ('[fleet]\njobs = 0\n', "jobs must be at least 1", 2),
    ('[fleet]\nspeed = 3\n', "unknown setting 'speed'", 2),
    ('[[wave]]\nname = "w"\nfailure_budget = "lots"\n', "failure_budget must be a count", 3),
    ('[[wave]]\nname = "w"\nselect = ["tier"]\n', "expected LABEL=VALUE", 3),
    ('[[targets]]\nname = "a"\n', "unknown table or key 'targets'", 1),
    ('[[target]\nname = "a"\n', "not valid TOML", 1),
]


@pytest.mark.parametrize("text, message, line", MISTAKES)
def test_mistakes_name_the_file_and_line(tmp_path, text, message, line):
    with pytest.raises(FleetError) as caught:
        load_fleet(write(tmp_path, text))
    error = caught.value
    assert message in str(error)
    assert (error.path, error.line) == (str(tmp_path / "fleet.toml"), line), str(error)
    assert "plain" not in str(error)  # the password written by mistake is not repeated


def test_the_cli_prints_one_line_and_exits_2_for_a_bad_fleet_file(tmp_path):
    path = write(tmp_path, MISTAKES[0][0])
    result = CliRunner().invoke(main, ["status", "--fleet", str(path), "--bundles", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert f"{path}:3:" in result.output and "plain" not in result.output


def test_no_targets_and_an_unknown_target_name_are_refused(tmp_path, monkeypatch):
    runner = CliRunner()
    monkeypatch.chdir(tmp_path)  # no fleet.toml here
    result = runner.invoke(main, ["status", "--bundles", "."])
    assert result.exit_code == 2 and "no targets" in result.output
    path = write(tmp_path, GOOD)
    result = runner.invoke(main, ["status", "--fleet", str(path), "--target", "nope"])
    assert result.exit_code == 2 and "no target named 'nope'" in result.output
    result = runner.invoke(main, ["status", "--target", "x=ftp://h/db", "--bundles", str(tmp_path)])
    assert result.exit_code == 2 and "not supported" in result.output


@pytest.mark.parametrize("verb", ["status", "apply"])
def test_fleet_commands_explain_themselves_and_their_exit_codes(verb):
    result = CliRunner().invoke(main, [verb, "--help"])
    assert result.exit_code == 0
    assert "Exit codes:" in result.output and "unreachable or locked" in result.output
    assert "--target NAME[=URL]" in result.output and "--select LABEL=VALUE" in result.output


def test_text_from_the_fleet_file_is_printed_as_text(tmp_path):
    """A file name holding a newline and markup cannot forge a line or restyle the output."""
    (tmp_path / "releases").mkdir()
    shutil.copytree(REPO / "releases" / "1.0.0", tmp_path / "releases" / "1.0.0")
    path = write(tmp_path, '[[target]]\nname = "odd"\npath = "x\\nOK [red]fake[/red].db"\n')
    result = CliRunner().invoke(main, ["status", "--fleet", str(path), "--bundles", str(tmp_path / "releases")])
    assert result.exit_code == 3
    line = next(line for line in result.output.splitlines() if "odd" in line)
    assert "x\\nOK [red]fake[/red].db" in line
    assert not any(line.startswith("OK") for line in result.output.splitlines())


def test_a_target_may_name_its_dialect_by_an_alias(tmp_path):
    path = write(tmp_path, """
        [[target]]
        name = "a"
        url = "postgresql://u@h/db"
        dialect = "pg"

        [[target]]
        name = "b"
        url = "mariadb://u@h/db"
        dialect = "mariadb"
    """)
    assert [(t.name, t.dialect) for t in load_fleet(path).targets] == [("a", "postgresql"), ("b", "mysql")]
