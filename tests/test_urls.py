"""Database URLs: one clear line for a bad one, and never a password on the screen or in JSON."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from sqlrelease import urls
from sqlrelease.cli import main
from sqlrelease.errors import ConfigError


@pytest.mark.parametrize(
    "text, expected",
    [
        ("postgresql+psycopg://u:SECRETPASS@h:5432/db", "postgresql+psycopg://u:***@h:5432/db"),
        ("failed: mysql+pymysql://root:p@ss@word@db.example/app here", "failed: mysql+pymysql://root:***@db.example/app here"),
        ("postgresql://h/db?user=u&password=SECRETPASS&x=1", "postgresql://h/db?user=u&password=***&x=1"),
        ("postgresql://u@h/db (no password)", "postgresql://u@h/db (no password)"),
        ("'postgresql://u:SECRETPASS@h/db'", "'postgresql://u:***@h/db'"),
    ],
)
def test_mask_hides_the_password_of_every_url_in_a_text(text, expected):
    assert urls.mask(text) == expected


def test_a_parsed_password_is_masked_wherever_it_appears_later():
    urls.parse("postgresql+psycopg://u:Remembered-Secret-1@h/db")
    assert urls.mask("driver said: password Remembered-Secret-1 rejected") == "driver said: password *** rejected"


@pytest.mark.parametrize(
    "url, expected",
    [
        ("postgresql+psycopg://u:SECRETPASS@h:notaport/db", "the port is not a number"),
        ("postgresql+nodriver://u:SECRETPASS@h/db", "unknown database dialect or driver 'postgresql+nodriver'"),
        ("nosuchdb://u:SECRETPASS@h/db", "unknown database dialect or driver 'nosuchdb'"),
        ("not a url at all SECRETPASS", "is not a usable database URL"),
        ("", "expected a database URL"),
    ],
)
def test_parse_refuses_an_unusable_url_in_one_line_without_its_password(url, expected):
    with pytest.raises(ConfigError) as raised:
        urls.parse(url, "the test server")
    message = str(raised.value)
    assert expected in message and "\n" not in message
    assert "SECRETPASS" not in message or url.startswith("not a url")  # a bare word is not known to be one


@pytest.mark.parametrize(
    "pair, expected",
    [
        ("postgresql+psycopg://u:SECRETPASS@h/db", "expected DIALECT=URL"),  # DIALECT= forgotten
        ("postgre=postgresql+psycopg://u:SECRETPASS@h/db", "unknown dialect 'postgre' (did you mean postgresql?"),  # postgres= is an alias
        ("postgresql=postgresql+psycopg://u:SECRETPASS@h:notaport/db", "the port is not a number"),
        ("postgresql=postgresql+nodriver://u:SECRETPASS@h/db", "unknown database dialect or driver"),
        ("postgresql=mysql+pymysql://u:SECRETPASS@h/db", "is a mysql URL"),
    ],
)
def test_a_bad_rehearse_url_is_one_line_exit_2_and_never_shows_the_password(built, pair, expected, monkeypatch):
    monkeypatch.delenv("SQLRELEASE_REHEARSE_URL_POSTGRESQL", raising=False)
    for verb in ("build", "check", "lint", "doctor"):
        result = CliRunner().invoke(main, [verb, "-C", str(built), "--rehearse-url", pair])
        assert result.exit_code == 2, (verb, result.output)
        assert expected in result.output and "SECRETPASS" not in result.output, (verb, result.output)
        assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
    result = CliRunner().invoke(main, ["build", "-C", str(built), "--json", "--rehearse-url", pair])
    assert "SECRETPASS" not in result.output
    assert json.loads(result.output[: result.output.rindex("}") + 1])["error"]["kind"] == "config"


def test_a_bad_url_in_the_environment_or_config_is_named_by_where_it_came_from(built, monkeypatch):
    monkeypatch.setenv("SQLRELEASE_REHEARSE_URL_POSTGRESQL", "postgresql+psycopg://u:SECRETPASS@h:notaport/db")
    from sqlrelease import servers
    from sqlrelease.config import load_config

    with pytest.raises(ConfigError, match="SQLRELEASE_REHEARSE_URL_POSTGRESQL") as raised:
        servers.url(load_config(built), "postgresql")
    assert "SECRETPASS" not in str(raised.value)


def test_a_short_password_is_hidden_in_urls_but_does_not_garble_other_text():
    urls.parse("postgresql+psycopg://u:plain@h/db")
    assert urls.mask("not a plain file (symlink): x") == "not a plain file (symlink): x"
    assert urls.mask("postgresql+psycopg://u:plain@h/db") == "postgresql+psycopg://u:***@h/db"


def test_a_connection_string_password_is_hidden():
    assert urls.mask("invalid dsn: host=h password=s3cr3t dbname=x") == "invalid dsn: host=h password=*** dbname=x"
