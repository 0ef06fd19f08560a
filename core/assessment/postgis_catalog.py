"""What a database offers to open: the PostgreSQL sources QGIS knows (saved connections and
``pg_service.conf`` services) and the SiteWatch assessments (schemas) in one of them."""

from __future__ import annotations

import configparser
import os
from dataclasses import dataclass, replace
from pathlib import Path

import psycopg2
from psycopg2 import sql
from qgis.core import QgsProviderRegistry

from . import schema
from .location import DatabaseLocation, check_schema_name, parse_database_location
from .postgis_connect import connect, location_from_connection, read_error


@dataclass(frozen=True)
class DatabaseSource:
    """A QGIS saved PostgreSQL connection (``kind`` ``connection``) or a libpq service."""

    kind: str
    name: str

    @property
    def label(self) -> str:
        return self.name if self.kind == "connection" else f"{self.name} (service)"

    def location(self, schema_name: str) -> DatabaseLocation:
        """The assessment ``schema_name`` in this source (credentials stay where they are kept)."""
        check_schema_name(schema_name)
        if self.kind == "connection":
            return location_from_connection(self.name, schema_name)
        return parse_database_location(f"service={self.name} schema={schema_name}")


def service_files() -> list[Path]:
    """The ``pg_service.conf`` files libpq reads: ``PGSERVICEFILE`` (else ``~/.pg_service.conf``)
    and ``PGSYSCONFDIR/pg_service.conf``."""
    user = os.environ.get("PGSERVICEFILE") or str(Path.home() / ".pg_service.conf")
    files = [Path(user)]
    if os.environ.get("PGSYSCONFDIR"):
        files.append(Path(os.environ["PGSYSCONFDIR"]) / "pg_service.conf")
    return [f for f in files if f.is_file()]


def database_sources() -> list[DatabaseSource]:
    """Saved PostgreSQL connections of QGIS, then services, each by name."""
    metadata = QgsProviderRegistry.instance().providerMetadata("postgres")
    names = sorted(metadata.connections(False)) if metadata is not None else []
    sources = [DatabaseSource("connection", name) for name in names]
    services: set[str] = set()
    for path in service_files():
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read(path, encoding="utf-8")
        except (configparser.Error, UnicodeDecodeError):
            continue  # libpq reports an unreadable file when the service is used
        services.update(parser.sections())
    return sources + [DatabaseSource("service", name) for name in sorted(services)]


def assessment_schemas(source: DatabaseSource) -> list[tuple[str, str]]:
    """(schema, site name) of each SiteWatch assessment the role may read in ``source``."""
    return list_assessments(source.location("public"))


def list_assessments(location: DatabaseLocation) -> list[tuple[str, str]]:
    """(schema, site name) of each SiteWatch assessment in the database of ``location``."""
    connection = connect(replace(location, schema="public"))
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute(
                "SELECT table_schema FROM information_schema.tables WHERE table_name = %s ORDER BY 1",
                (schema.META_TABLE,),
            )
            found = []
            for (name,) in cursor.fetchall():
                table = sql.SQL("SELECT value FROM {}.{} WHERE key = %s").format(
                    sql.Identifier(name), sql.Identifier(schema.META_TABLE)
                )
                cursor.execute(table, ("site_name",))
                row = cursor.fetchone()
                found.append((str(name), str(row[0]) if row and row[0] else str(name)))
            return found
    except psycopg2.Error as error:
        raise read_error(error, location) from None
    finally:
        connection.close()
