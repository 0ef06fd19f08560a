"""A throw-away PostgreSQL + PostGIS cluster for the tests: initdb in a temporary folder, a
server listening only on a Unix socket in that folder, removed afterwards.

PostgreSQL refuses to run as root; when the tests run as root (CI on a clean Debian machine)
the cluster runs as the unprivileged ``postgres`` user that Debian's package creates. If the
server cannot start, :func:`start_cluster` raises with the reason: PostGIS tests never skip.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg2

SUPERUSER = "sitewatch_admin"
DATABASE = "sitewatch_test"
PORT = "54329"


class ClusterError(RuntimeError):
    """The throw-away cluster could not be set up; the message says why."""


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise ClusterError(
            "PostgreSQL server programs (initdb, pg_ctl) are not installed: run scripts/install-deps.sh "
            "(Debian packages postgresql-15 and postgresql-15-postgis-3)."
        )
    return Path(found[-1]).parent


def _run_as(user: str | None, args: list[str], what: str) -> None:
    command = ["runuser", "-u", user, "--", *args] if user else args
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise ClusterError(f"{what} failed ({' '.join(args)}):\n{result.stdout}\n{result.stderr}")


@dataclass
class Cluster:
    """A running throw-away server; ``location(schema)`` gives a SiteWatch location in it."""

    folder: Path
    user: str | None
    bin_dir: Path

    @property
    def socket_dir(self) -> str:
        return str(self.folder)

    def conninfo(self, dbname: str = DATABASE, user: str = SUPERUSER) -> str:
        return f"host={self.socket_dir} port={PORT} dbname={dbname} user={user}"

    def location(self, schema: str, user: str = SUPERUSER) -> str:
        """The assessment location in the URI form of the contract (socket as ``host=``)."""
        return f"postgresql://{user}@/{DATABASE}?host={self.socket_dir}&port={PORT}&schema={schema}"

    def connect(self, dbname: str = DATABASE, user: str = SUPERUSER):
        connection = psycopg2.connect(self.conninfo(dbname, user))
        connection.autocommit = True
        return connection

    def sql(self, statement: str, dbname: str = DATABASE) -> list[tuple]:
        connection = self.connect(dbname)
        try:
            with connection.cursor() as cursor:
                cursor.execute(statement)
                return cursor.fetchall() if cursor.description else []
        finally:
            connection.close()

    def new_schema_name(self) -> str:
        return f"t_{uuid.uuid4().hex[:12]}"

    def pg_ctl(self, action: str) -> None:
        args = [str(self.bin_dir / "pg_ctl"), "-D", str(self.folder / "data"), "-w", "-t", "60"]
        if action == "start":
            options = f"-c listen_addresses='' -c unix_socket_directories={self.folder} -p {PORT} -c fsync=off"
            args += ["-o", options, "-l", str(self.folder / "server.log"), "start"]
        else:
            args += ["-m", "fast", "stop"]
        _run_as(self.user, args, f"pg_ctl {action}")


def start_cluster() -> Cluster:
    """initdb, start and prepare (PostGIS extension, test database) a new cluster."""
    bin_dir = _bin_dir()
    user = "postgres" if os.geteuid() == 0 else None
    if user is not None:
        try:
            pwd.getpwnam(user)
        except KeyError:
            raise ClusterError("Running as root, but there is no 'postgres' user to run the test cluster as.") from None
    folder = Path(tempfile.mkdtemp(prefix="sitewatch-pg-"))
    if user is not None:
        shutil.chown(folder, user)
    cluster = Cluster(folder, user, bin_dir)
    try:
        _run_as(
            user,
            [str(bin_dir / "initdb"), "-D", str(folder / "data"), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8"],
            "initdb",
        )
        cluster.pg_ctl("start")
    except ClusterError as error:
        log = folder / "server.log"
        detail = log.read_text(errors="replace") if log.exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        raise ClusterError(f"{error}\n{detail}") from None
    try:
        cluster.sql(f"CREATE DATABASE {DATABASE}", dbname="postgres")
        cluster.sql("CREATE EXTENSION postgis")
    except psycopg2.Error as error:
        stop_cluster(cluster)
        raise ClusterError(
            f"The test cluster started but PostGIS is not usable ({error}); install postgresql-15-postgis-3 "
            "(scripts/install-deps.sh)."
        ) from None
    return cluster


def stop_cluster(cluster: Cluster) -> None:
    """Stop the server and remove its folder."""
    try:
        cluster.pg_ctl("stop")
    finally:
        shutil.rmtree(cluster.folder, ignore_errors=True)


def add_analyst_role(cluster: Cluster, schema: str, role: str) -> str:
    """A login role with an analyst's rights on the assessment in ``schema`` (what a lead grants:
    read and write the layers, only read ``cell_transitions``); returns its location."""
    cluster.sql(
        f"DROP ROLE IF EXISTS {role}; CREATE ROLE {role} LOGIN; GRANT USAGE ON SCHEMA {schema} TO {role}; "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}; "
        f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {schema} TO {role}; "
        f"REVOKE INSERT, UPDATE, DELETE ON {schema}.cell_transitions, {schema}.audit_log, "
        f"{schema}.observation_history FROM {role}; GRANT INSERT ON {schema}.audit_log, "
        f"{schema}.observation_history TO {role}"
    )
    return cluster.location(schema, user=role)
