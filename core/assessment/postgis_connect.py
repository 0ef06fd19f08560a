"""Connecting to a PostgreSQL assessment and saying clearly what went wrong.

Credentials come from where QGIS and libpq keep them — ``~/.pgpass``, ``pg_service.conf``
services, QGIS saved connections and authentication configurations (``authcfg``) — and never
appear in a location, a message or a log line.
"""

from __future__ import annotations

import re
from typing import Any

import psycopg2
import psycopg2.errors
from qgis.core import QgsApplication, QgsAuthMethodConfig, QgsDataSourceUri, QgsProviderRegistry

from ..errors import SiteWatchError
from . import postgis_schema
from .location import DatabaseLocation, check_schema_name, parse_database_location
from .store import missing_structure_message

APPLICATION_NAME = "SiteWatch"


def _credentials(authcfg: str) -> dict[str, str]:
    """User name and password of the QGIS authentication configuration ``authcfg``."""
    manager = QgsApplication.authManager()
    config = QgsAuthMethodConfig()
    if manager is None or not manager.loadAuthenticationConfig(authcfg, config, True) or not config.isValid():
        raise SiteWatchError(
            f"The QGIS authentication configuration '{authcfg}' cannot be read; check its id in "
            "Settings ▸ Options ▸ Authentication and that the master password is set."
        )
    found = {"user": config.config("username"), "password": config.config("password")}
    return {key: value for key, value in found.items() if value}


def connect(location: DatabaseLocation) -> Any:
    """A new psycopg2 connection (not autocommit) to the database of ``location``."""
    extra = _credentials(location.authcfg) if location.authcfg else {}
    try:
        connection = psycopg2.connect(location.conninfo(), application_name=APPLICATION_NAME, **extra)
    except psycopg2.OperationalError as error:
        raise SiteWatchError(
            f"Cannot connect to the database of {location}: {first_line(error)}. Check the connection "
            "(host, port, database, user), that the server is running, and the credentials in ~/.pgpass, "
            "pg_service.conf or the QGIS authentication configuration."
        ) from None
    return connection


def first_line(error: BaseException) -> str:
    """The server's message without libpq's context lines (and never a password: libpq
    does not repeat one)."""
    diag = getattr(error, "diag", None)
    primary = getattr(diag, "message_primary", None)
    lines = str(error).strip().splitlines()
    text = primary or (lines[0] if lines else type(error).__name__)
    return str(text).rstrip(".")


def write_error(error: BaseException, location: DatabaseLocation) -> SiteWatchError:
    """The analyst's message for a failed write to ``location`` (nothing was written)."""
    code = getattr(error, "pgcode", None)
    message = first_line(error)
    if code == postgis_schema.STRUCTURE_MISSING:
        named = re.match(r"Structure (.+?) does not exist", message)  # the trigger's own sentence
        return SiteWatchError(missing_structure_message(named.group(1), str(location)) if named else message)
    if code == postgis_schema.CELL_RULE:
        return SiteWatchError(message)
    if isinstance(error, psycopg2.errors.UniqueViolation):
        detail = getattr(error.diag, "message_detail", None) or message
        return SiteWatchError(f"{detail.rstrip('.')} in {location}; nothing was written.")
    if isinstance(error, psycopg2.errors.CheckViolation):
        return SiteWatchError(
            f"The database of {location} refused a value outside its list ({message}); nothing was written."
        )
    if isinstance(error, (psycopg2.errors.InsufficientPrivilege, psycopg2.errors.ReadOnlySqlTransaction)):
        return SiteWatchError(
            f"Your database role may only read {location} ({message}); nothing was written. "
            "Ask the assessment's lead for analyst rights."
        )
    if isinstance(error, (psycopg2.OperationalError, psycopg2.InterfaceError)):
        return SiteWatchError(
            f"The database server of {location} cannot be reached ({message}); nothing was written. "
            "Repeat the edit when the connection is back."
        )
    return SiteWatchError(f"Writing {location} failed: {message}; nothing was written.")


def read_error(error: BaseException, location: DatabaseLocation) -> SiteWatchError:
    """The analyst's message for a failed read of ``location``."""
    if isinstance(error, (psycopg2.OperationalError, psycopg2.InterfaceError)):
        return SiteWatchError(
            f"The database server of {location} cannot be reached ({first_line(error)}); try again when it is back."
        )
    return SiteWatchError(f"Reading {location} failed: {first_line(error)}.")


def location_from_connection(name: str, schema: str) -> DatabaseLocation:
    """The location of ``schema`` in the QGIS saved PostgreSQL connection ``name``.

    A connection that stores its password in the QGIS settings is refused: the password would
    follow the location into project files and exports; an authentication configuration keeps it."""
    check_schema_name(schema)
    metadata = QgsProviderRegistry.instance().providerMetadata("postgres")
    try:
        connection = metadata.findConnection(name) if metadata is not None else None
    except RuntimeError:
        connection = None
    if connection is None:
        raise SiteWatchError(
            f"There is no saved PostgreSQL connection named '{name}'; add it in the Browser "
            "(PostgreSQL ▸ New Connection) or give the assessment as postgresql://…?schema=NAME."
        )
    uri = QgsDataSourceUri(connection.uri())
    if uri.password():
        raise SiteWatchError(
            f"The saved connection '{name}' keeps its password in the QGIS settings, from where it would "
            "reach project files and exports; store the credentials in an authentication configuration "
            "(Edit connection ▸ Authentication ▸ Configurations) or in ~/.pgpass."
        )
    pairs = [
        ("service", uri.service()),
        ("host", uri.host()),
        ("port", uri.port()),
        ("dbname", uri.database()),
        ("user", uri.username()),
    ]
    if uri.sslMode() != QgsDataSourceUri.SslMode.SslPrefer:
        pairs.append(("sslmode", QgsDataSourceUri.encodeSslMode(uri.sslMode())))
    words = [f"{key}={value}" for key, value in pairs if value]
    words.append(f"schema={schema}")
    if uri.authConfigId():
        words.append(f"authcfg={uri.authConfigId()}")
    return parse_database_location(" ".join(words))
