"""Other analysts' changes to a PostGIS assessment, as they happen (LISTEN/NOTIFY).

The database's audit trigger notifies the assessment's channel after every change of a
contract table (:mod:`.postgis_schema`); a :class:`ChangeListener` holds one idle connection
listening on it. The desktop watches :meth:`ChangeListener.fileno` (a socket notifier) and calls
:meth:`ChangeListener.poll` to refresh only what changed; scripts can :meth:`ChangeListener.wait`.
"""

from __future__ import annotations

import json
import select
from dataclasses import dataclass
from typing import Any

import psycopg2

from . import postgis_schema
from .location import DatabaseLocation
from .postgis_connect import connect, read_error


@dataclass(frozen=True)
class RemoteChange:
    """One row changed by another session: its table, operation, key, analyst and role."""

    table: str
    operation: str
    key: str | None
    analyst: str | None
    role: str
    backend_pid: int


class ChangeListener:
    """Listens to one assessment's changes made by other connections than ``ignore_pids``."""

    def __init__(self, location: DatabaseLocation, ignore_pids: tuple[int, ...] = ()):
        self.location = location
        self.ignore_pids = set(ignore_pids)
        self._connection: Any = connect(location)
        self._connection.autocommit = True
        try:
            with self._connection.cursor() as cursor:
                cursor.execute(f'LISTEN "{postgis_schema.channel(location.schema)}"')
        except psycopg2.Error as error:
            self._connection.close()
            raise read_error(error, location) from None

    def fileno(self) -> int:
        """The socket to watch: readable when a notification may have arrived."""
        return int(self._connection.fileno())

    def poll(self) -> list[RemoteChange]:
        """The changes notified since the last call (without waiting)."""
        try:
            self._connection.poll()
        except psycopg2.Error as error:
            raise read_error(error, self.location) from None
        changes = []
        while self._connection.notifies:
            payload = json.loads(self._connection.notifies.pop(0).payload)
            change = RemoteChange(
                payload["table"], payload["op"], payload["key"], payload["analyst"], payload["role"], payload["pid"]
            )
            if change.backend_pid not in self.ignore_pids:
                changes.append(change)
        return changes

    def wait(self, timeout: float) -> list[RemoteChange]:
        """Wait up to ``timeout`` seconds for changes; returns them (empty on timeout)."""
        changes = self.poll()
        if changes:
            return changes
        readable, _, _ = select.select([self._connection], [], [], timeout)
        return self.poll() if readable else []

    def close(self) -> None:
        self._connection.close()
