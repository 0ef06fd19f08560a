"""Where an assessment lives: the location contract shared by algorithms, the desktop and scripts.

An assessment location is one of

* a GeoPackage path (``/data/site.gpkg``);
* a PostgreSQL URI with the schema as a parameter,
  ``postgresql://USER@HOST:PORT/DBNAME?schema=NAME`` (libpq URI rules: percent-encoding,
  ``?host=/path/to/socket`` for a Unix socket, other libpq parameters such as ``sslmode``);
* libpq key/value connection parameters with the schema among them, ``service=NAME schema=NAME``.

``authcfg=ID`` (a QGIS authentication configuration) may be given in either database form. A
password never is: it would end up in project files, logs and export manifests, so it is
refused with a message saying where credentials belong (``.pgpass``, ``pg_service.conf`` or a
QGIS authentication configuration).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from ..errors import SiteWatchError

_URI_SCHEMES = ("postgresql://", "postgres://")
_KEYWORD_FORM = re.compile(r"^\s*[A-Za-z_]+\s*=")
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_PARAMETER = re.compile(r"""\s*([A-Za-z_]+)\s*=\s*('(?:[^'\\]|\\.)*'|[^\s']*)""")
_SECRET_KEYS = ("password",)
_ORDER = ("service", "host", "hostaddr", "port", "dbname", "user")


@dataclass(frozen=True)
class DatabaseLocation:
    """A PostgreSQL assessment: libpq connection parameters (never a password), the schema
    holding the assessment and optionally a QGIS authentication configuration id."""

    parameters: tuple[tuple[str, str], ...]
    schema: str
    authcfg: str | None = None

    def get(self, key: str) -> str | None:
        return dict(self.parameters).get(key)

    def conninfo(self) -> str:
        """libpq key/value connection string (no schema, no authcfg, no password)."""
        return " ".join(f"{key}={_quote_value(value)}" for key, value in self.parameters)

    def text(self) -> str:
        """The location as the contract writes it: the URI form, or ``service=… schema=…``
        when a service names the server; parsing it gives this location back."""
        extra = (("authcfg", self.authcfg),) if self.authcfg else ()
        if self.get("service") is not None:
            pairs = (*self.parameters, ("schema", self.schema), *extra)
            return " ".join(f"{key}={_quote_value(value)}" for key, value in pairs)
        host = self.get("host") or ""
        socket = host.startswith("/")
        authority = "" if socket else _quote_host(host)
        if self.get("port") and not socket:
            authority += f":{self.get('port')}"
        user = self.get("user")
        if user:
            authority = f"{quote(user, safe='')}@{authority}"
        query = [(k, v) for k, v in self.parameters if k not in ("user", "dbname") and not (k == "host" and not socket)]
        if not socket:
            query = [(k, v) for k, v in query if k != "port"]
        query += [("schema", self.schema), *extra]
        encoded = "&".join(f"{k}={quote(v, safe='/')}" for k, v in query)
        return f"postgresql://{authority}/{quote(self.get('dbname') or '', safe='')}?{encoded}"

    def __str__(self) -> str:
        return self.text()


def is_database_location(text: str) -> bool:
    """True when ``text`` is meant as a PostgreSQL location (URI or key/value form)."""
    stripped = str(text).strip()
    return stripped.lower().startswith(_URI_SCHEMES) or bool(_KEYWORD_FORM.match(stripped))


def parse_database_location(text: str) -> DatabaseLocation:
    """The :class:`DatabaseLocation` written in ``text``; a SiteWatchError saying what is wrong
    (no schema, a password, a malformed URI) otherwise."""
    stripped = str(text).strip()
    if stripped.lower().startswith(_URI_SCHEMES):
        parameters, schema, authcfg = _split_uri(stripped)
    elif _KEYWORD_FORM.match(stripped):
        parameters, schema, authcfg = _split_keywords(stripped)
    else:
        raise SiteWatchError(
            f"'{stripped}' is not a database location; write postgresql://USER@HOST:PORT/DBNAME?schema=NAME "
            "or service=NAME schema=NAME."
        )
    if any(key in _SECRET_KEYS for key in parameters):
        raise SiteWatchError(
            "The assessment location contains a password; it would be kept in project files, logs and exports. "
            "Put the password in ~/.pgpass, a pg_service.conf service or a QGIS authentication configuration "
            "(authcfg=ID) and leave it out of the location."
        )
    if not schema:
        raise SiteWatchError(
            f"The database location '{_without_secrets(stripped)}' names no schema; add schema=NAME "
            "(one schema holds one assessment)."
        )
    check_schema_name(schema)
    ordered = sorted(parameters.items(), key=lambda kv: (_ORDER.index(kv[0]) if kv[0] in _ORDER else 99, kv[0]))
    return DatabaseLocation(tuple(ordered), schema, authcfg)


def check_schema_name(schema: str) -> str:
    """``schema`` if it is a plain lower-case PostgreSQL identifier (no quoting surprises)."""
    if not _SCHEMA_NAME.match(schema):
        raise SiteWatchError(
            f"'{schema}' cannot name an assessment schema: use lower-case letters, digits and _ "
            "(starting with a letter or _), at most 63 characters, e.g. aleppo_2024."
        )
    return schema


def _split_uri(text: str) -> tuple[dict[str, str], str | None, str | None]:
    import psycopg2.extensions

    base, _, query = text.partition("?")
    kept, schema, authcfg = [], None, None
    for piece in filter(None, query.split("&")):
        key, _, value = piece.partition("=")
        if key == "schema":
            schema = _unquote(value)
        elif key == "authcfg":
            authcfg = _unquote(value)
        else:
            kept.append(piece)
    rebuilt = base + ("?" + "&".join(kept) if kept else "")
    try:
        parameters = dict(psycopg2.extensions.parse_dsn(rebuilt))
    except psycopg2.ProgrammingError as error:
        detail = str(error).replace("invalid dsn: ", "").strip()
        raise SiteWatchError(f"'{_without_secrets(text)}' is not a valid PostgreSQL URI: {detail}.") from None
    return parameters, schema, authcfg


def _split_keywords(text: str) -> tuple[dict[str, str], str | None, str | None]:
    parameters: dict[str, str] = {}
    position = 0
    while position < len(text):
        match = _PARAMETER.match(text, position)
        if match is None or match.end() == position:
            if text[position:].strip():
                raise SiteWatchError(
                    f"Cannot read the connection parameters '{_without_secrets(text)}' near "
                    f"'{text[position:][:20]}'; write key=value pairs, e.g. service=NAME schema=NAME."
                )
            break
        value = match.group(2)
        if value.startswith("'"):
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        parameters[match.group(1)] = value
        position = match.end()
    schema = parameters.pop("schema", None)
    authcfg = parameters.pop("authcfg", None)
    return parameters, schema, authcfg


def _unquote(value: str) -> str:
    from urllib.parse import unquote

    return unquote(value)


def _quote_value(value: str) -> str:
    if value and not re.search(r"[\s'\\]", value):
        return value
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _quote_host(host: str) -> str:
    return f"[{host}]" if ":" in host else quote(host, safe=".-")


def _without_secrets(text: str) -> str:
    """``text`` with any password replaced, for messages."""
    text = re.sub(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&]*)", r"\1***", text, flags=re.IGNORECASE)
    return re.sub(r"(://[^:/@?]*):[^@/?]*@", r"\1:***@", text)
