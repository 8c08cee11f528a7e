"""Database URLs as users give them: parsed with one clear error, and shown without passwords.

Every message, log line and JSON document that may hold a URL goes through
`mask` before a user sees it: it hides the password of any URL written in the
text (`scheme://user:PASSWORD@host`, `?password=...`) and every password this
process has parsed (`parse`), wherever it appears, since a driver's error may
repeat it without the URL around it. `shown` renders one URL with its password
hidden, as SQLAlchemy's `render_as_string(hide_password=True)` does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from urllib.parse import parse_qsl, quote, quote_plus, unquote

from .errors import ConfigError

HIDDEN = "***"
# Greedy to the last `@` of the token, so a raw `@` inside a password is hidden too.
_CREDENTIALS = re.compile(r"(?P<head>\b[A-Za-z][A-Za-z0-9+.\-]*://[^\s:/@'\"]*:)(?P<password>[^\s'\"]*)@")
# `?password=...` in a URL, and `password=...` in a libpq/ODBC connection string.
_QUERY_PASSWORD = re.compile(r"(?P<head>(?:^|[\s?&;])(?:password|passwd|pwd)=)(?P<password>[^&;\s'\"]*)", re.IGNORECASE)
# Passwords seen (parsed URLs, the fleet's password sources) are hidden wherever they appear.
# A short one would also hide ordinary words ("plain" in "not a plain file"), so those are
# hidden only where the patterns above find them, inside URLs and password= settings.
_SEEN: set[str] = set()
_MIN_REMEMBERED = 8


def mask(text: str) -> str:
    """`text` with the password of every URL in it, and every password parsed so far, hidden."""
    text = _CREDENTIALS.sub(lambda m: m.group("head") + (HIDDEN if m.group("password") else "") + "@", text)
    text = _QUERY_PASSWORD.sub(lambda m: m.group("head") + HIDDEN, text)
    for secret in sorted(_SEEN, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, HIDDEN)
    return text


def remember(password: str | None) -> None:
    """Mask `password` (and its URL-encoded form) in everything shown from now on, wherever it
    appears, when it is at least 8 characters long (shorter ones only inside URLs and settings)."""
    if password and len(password) >= _MIN_REMEMBERED:
        _SEEN.add(password)
        _SEEN.add(quote_plus(password))


def parse(text: str, what: str = "URL"):
    """A SQLAlchemy URL from `text`; anything unusable (not a URL, a port that is not a
    number, an unknown dialect or driver) is a ConfigError naming `what`, password hidden."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    if not isinstance(text, str) or not text.strip():
        raise ConfigError(f"{what}: expected a database URL such as postgresql+psycopg://user@host/db")
    _remember_raw(text)
    try:
        url = make_url(text)
    except (ArgumentError, ValueError) as exc:
        reason = "the port is not a number" if "int()" in str(exc) else mask(str(exc))
        raise ConfigError(
            f"{what} {mask(text)!r} is not a usable database URL: {reason}",
            hint="write it as DIALECT+DRIVER://USER:PASSWORD@HOST:PORT/DATABASE",
        ) from None
    remember(url.password if isinstance(url.password, str) else None)
    try:
        url.get_dialect()
    except NoSuchModuleError:
        raise ConfigError(
            f"{what} {shown(url)}: unknown database dialect or driver {url.drivername!r}",
            hint="for example postgresql+psycopg, mysql+pymysql or sqlite",
        ) from None
    except ImportError as exc:
        raise ConfigError(
            f"{what} {shown(url)}: the driver for {url.drivername!r} is not installed ({exc.name or exc})",
            hint="install it (psycopg for PostgreSQL, PyMySQL for MySQL/MariaDB)",
        ) from None
    return url


def shown(url) -> str:
    """A URL (object or text) as it may be printed: its password replaced by ***."""
    if isinstance(url, str):
        return mask(url)
    if isinstance(url, DatabaseURL):
        return url.shown()
    return url.render_as_string(hide_password=True)


def _remember_raw(text: str) -> None:
    """The password of a URL that may not even parse, so its error message cannot show it."""
    match = _CREDENTIALS.search(text)
    if match:
        remember(match.group("password"))


# -- URLs without SQLAlchemy ----------------------------------------------------------
# The fleet only hands a URL's parts to a native client; importing SQLAlchemy to split it
# costs more CPU than a status run's own work (0.6 s per process). The grammar is
# SQLAlchemy's: scheme[+driver]://[user[:password]@][host|[ipv6]][:port][/database][?query],
# with user, password and database percent-decoded.
_URL = re.compile(
    r"""(?P<drivername>[\w+]+)://
        (?:(?P<username>[^:/]*)(?::(?P<password>[^@]*))?@)?
        (?:(?:\[(?P<ipv6host>[^/?]+)\]|(?P<ipv4host>[^/:?]+))?(?::(?P<port>[^/?]*))?)?
        (?:/(?P<database>[^?]*))?
        (?:\?(?P<query>.*))?$""",
    re.X | re.S,
)


@dataclass(frozen=True)
class DatabaseURL:
    """A database URL's parts, read the way SQLAlchemy's `make_url` reads them."""

    drivername: str
    username: str | None = None
    password: str | None = None
    host: str | None = None
    port: int | None = None
    database: str | None = None
    query: dict = field(default_factory=dict)  # name -> value, or a tuple of values given twice

    @property
    def backend(self) -> str:
        """The database part of the scheme: `postgresql` of `postgresql+psycopg`."""
        return self.drivername.split("+", 1)[0]

    def set(self, **changes) -> "DatabaseURL":
        return replace(self, **changes)

    def shown(self) -> str:
        """The URL as it may be printed: its password replaced by ***."""
        text = self.drivername + "://"
        if self.username is not None:
            text += quote(self.username, safe=" +")
            if self.password is not None:
                text += ":" + HIDDEN
            text += "@"
        if self.host is not None:
            text += f"[{self.host}]" if ":" in self.host else self.host
        if self.port is not None:
            text += f":{self.port}"
        if self.database is not None:
            text += "/" + quote(self.database, safe=" +/")
        if self.query:
            text += "?" + "&".join(
                f"{quote_plus(k)}={quote_plus(v)}"
                for k in sorted(self.query)
                for v in (self.query[k] if isinstance(self.query[k], tuple) else (self.query[k],))
            )
        return text


def split(text: str) -> DatabaseURL:
    """The parts of a database URL, without importing SQLAlchemy; ValueError (password hidden) if it is none."""
    _remember_raw(text)
    match = _URL.match(text)
    if match is None:
        raise ValueError(f"{mask(text)}: not a database URL (expected DIALECT[+DRIVER]://USER@HOST:PORT/DATABASE)")
    parts = match.groupdict()
    port = parts["port"]
    if port:
        if not port.isdigit():
            raise ValueError(f"{mask(text)}: not a database URL (the port is not a number)")
    query: dict = {}
    for key, value in parse_qsl(parts["query"] or ""):
        query[key] = (*query[key], value) if isinstance(query.get(key), tuple) else ((query[key], value) if key in query else value)
    decoded = {k: unquote(parts[k]) if parts[k] is not None else None for k in ("username", "password", "database")}
    remember(decoded["password"])
    return DatabaseURL(
        drivername=parts["drivername"],
        host=parts["ipv4host"] or parts["ipv6host"],
        port=int(port) if port else None,
        query=query,
        **decoded,
    )
