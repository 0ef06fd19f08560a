"""The SQL that makes one PostgreSQL schema a SiteWatch assessment.

Every rule a client could otherwise skip lives in the database: unique ids, one observation
per structure and date, value lists as CHECK constraints, an observation only for a structure
that exists, the history of replaced and deleted observations and the audit trail (database
role, analyst, client host, when, what) are kept by triggers, and the history and audit tables
refuse updates and deletes. Triggers also NOTIFY the schema's channel so that other sessions see
changes at once. ``schema`` is always a name checked by :func:`.location.check_schema_name`.
"""

from __future__ import annotations

from psycopg2 import sql

from .. import values
from . import schema as contract

PG_TYPES = {
    "TEXT": "text",
    "DATE": "date",
    "DATETIME": "timestamptz",
    "REAL": "double precision",
    "INTEGER": "bigint",
}
AUDIT_TABLE = "audit_log"
SCORES_TABLE = "change_scores"
ANALYST_SETTING = "sitewatch.analyst"
REASON_SETTING = "sitewatch.reason"
STRUCTURE_MISSING = "SW404"
"""SQLSTATE raised when an observation names a structure that does not exist (any more)."""
READ_ONLY = "SW403"
CELL_RULE = "SW409"
"""SQLSTATE of a work cell change its rules refuse (:mod:`.postgis_cells`)."""


def channel(schema: str) -> str:
    """The LISTEN/NOTIFY channel of the assessment in ``schema``."""
    return f"sitewatch_{schema}"[:63]


def _check(field: contract.FieldDef) -> str:
    if field.value_list is None:
        return ""
    codes = ", ".join(f"'{code}'" for code in values.codes(field.value_list))
    return f' CHECK ("{field.name}" IN ({codes}))'


def _table(schema: str, layer: contract.LayerDef, srid: int) -> str:
    columns = ["fid bigserial PRIMARY KEY"]
    if layer.geometry is not None:
        columns.append(f"geom geometry({layer.geometry}, {srid})")
    for field in layer.fields:
        unique = " UNIQUE" if field.unique else ""
        columns.append(f'"{field.name}" {PG_TYPES[field.kind]}{unique}{_check(field)}')
    if layer is contract.OBSERVATIONS:
        columns[1:3] = [
            "structure_id text NOT NULL CHECK (structure_id <> '')",
            "observed_on date NOT NULL",
        ]
        columns.append("UNIQUE (structure_id, observed_on)")
    statement = f'CREATE TABLE "{schema}"."{layer.name}" ({", ".join(columns)})'
    if layer.geometry is not None:
        statement += f'; CREATE INDEX ON "{schema}"."{layer.name}" USING gist (geom)'
    return statement


def _functions(schema: str) -> sql.Composed:
    name = sql.Identifier(schema)
    return sql.SQL(_FUNCTIONS).format(
        schema=name,
        history=sql.Identifier(schema, contract.OBSERVATION_HISTORY.name),
        structures=sql.Identifier(schema, contract.STRUCTURES.name),
        audit=sql.Identifier(schema, AUDIT_TABLE),
        history_columns=sql.SQL(", ").join(sql.Identifier(f.name) for f in contract.OBSERVATION_FIELDS),
        old_columns=sql.SQL(", ").join(
            sql.SQL("OLD.{}").format(sql.Identifier(f.name)) for f in contract.OBSERVATION_FIELDS
        ),
        reason_setting=sql.Literal(REASON_SETTING),
        analyst_setting=sql.Literal(ANALYST_SETTING),
        structure_missing=sql.Literal(STRUCTURE_MISSING),
        read_only=sql.Literal(READ_ONLY),
        channel=sql.Literal(channel(schema)),
        append_only=sql.Literal(
            f"% of the assessment in schema {schema} is append-only: its rows are never changed or deleted."
        ),
    )


_FUNCTIONS = """
CREATE FUNCTION {schema}.sw_archive_observation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD IS NOT DISTINCT FROM NEW THEN
        RETURN NULL;
    END IF;
    INSERT INTO {history} ({history_columns}, archived_at, reason)
    VALUES ({old_columns}, clock_timestamp(), CASE WHEN TG_OP = 'UPDATE' THEN 'replaced'
        ELSE coalesce(nullif(current_setting({reason_setting}, true), ''), 'deleted') END);
    RETURN NULL;
END $$;

CREATE FUNCTION {schema}.sw_structure_exists() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM {structures} WHERE structure_id = NEW.structure_id FOR SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'Structure % does not exist (it may just have been deleted by another analyst); '
            'nothing was recorded.', NEW.structure_id USING ERRCODE = {structure_missing};
    END IF;
    RETURN NEW;
END $$;

CREATE FUNCTION {schema}.sw_audit() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_row jsonb := CASE WHEN TG_OP IN ('UPDATE', 'DELETE') THEN to_jsonb(OLD) - 'geom' END;
    new_row jsonb := CASE WHEN TG_OP IN ('UPDATE', 'INSERT') THEN to_jsonb(NEW) - 'geom' END;
    key text := coalesce(new_row, old_row) ->> TG_ARGV[0];
    analyst text := coalesce(nullif(current_setting({analyst_setting}, true), ''),
                             coalesce(new_row, old_row) ->> 'analyst');
BEGIN
    IF TG_OP = 'UPDATE' AND OLD IS NOT DISTINCT FROM NEW THEN
        RETURN NULL;
    END IF;
    IF TG_TABLE_NAME = 'observations' THEN
        key := key || ' ' || (coalesce(new_row, old_row) ->> 'observed_on');
    END IF;
    INSERT INTO {audit} (db_role, analyst, client_addr, application, table_name, operation,
        feature_key, old_values, new_values, geometry_changed)
    VALUES (session_user, analyst, inet_client_addr(), current_setting('application_name'), TG_TABLE_NAME,
        TG_OP, key, old_row, new_row,
        TG_OP = 'UPDATE' AND TG_TABLE_NAME <> 'observations' AND to_jsonb(OLD) -> 'geom' IS DISTINCT FROM
        to_jsonb(NEW) -> 'geom');
    PERFORM pg_notify({channel}, json_build_object('table', TG_TABLE_NAME, 'op', TG_OP,
        'key', key, 'analyst', analyst, 'role', session_user, 'pid', pg_backend_pid())::text);
    RETURN NULL;
END $$;

CREATE FUNCTION {schema}.sw_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION {append_only}, TG_TABLE_NAME USING ERRCODE = {read_only};
END $$;
"""
"""The trigger functions of an assessment (``{…}``: names and literals filled in by
:func:`_functions` with ``psycopg2.sql``)."""


def _triggers(schema: str) -> str:
    statements = [
        f'CREATE TRIGGER sw_history AFTER UPDATE OR DELETE ON "{schema}".observations '
        f'FOR EACH ROW EXECUTE FUNCTION "{schema}".sw_archive_observation()',
        f'CREATE TRIGGER sw_structure_exists BEFORE INSERT OR UPDATE OF structure_id ON "{schema}".observations '
        f'FOR EACH ROW EXECUTE FUNCTION "{schema}".sw_structure_exists()',
    ]
    for layer in contract.LAYERS:
        if layer is contract.OBSERVATION_HISTORY:
            continue
        key = layer.id_field or "structure_id"
        statements.append(
            f'CREATE TRIGGER sw_audit AFTER INSERT OR UPDATE OR DELETE ON "{schema}"."{layer.name}" '
            f"FOR EACH ROW EXECUTE FUNCTION \"{schema}\".sw_audit('{key}')"
        )
    for table in (contract.OBSERVATION_HISTORY.name, AUDIT_TABLE):
        statements.append(
            f'CREATE TRIGGER sw_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON "{schema}"."{table}" '
            f'FOR EACH STATEMENT EXECUTE FUNCTION "{schema}".sw_append_only()'
        )
    return ";\n".join(statements)


def create_statements(schema: str, srid: int, cell_rules: bool = True) -> list[str | sql.Composable]:
    """Every statement that builds an empty assessment in the (new) schema ``schema``
    (``cell_rules`` False: the work cells' rules trigger is left for later, as a copy does
    to load cells in the state they have)."""
    statements: list[str | sql.Composable] = [f'CREATE SCHEMA "{schema}"']
    statements += [_table(schema, layer, srid) for layer in contract.LAYERS]
    statements.append(f'CREATE INDEX ON "{schema}".observation_history (structure_id)')
    statements.append(f'CREATE TABLE "{schema}"."{contract.META_TABLE}" (key text PRIMARY KEY, value text)')
    statements.append(
        f'CREATE TABLE "{schema}".{SCORES_TABLE} (fid bigserial PRIMARY KEY, structure_id text NOT NULL, '
        "before_image text NOT NULL, after_image text NOT NULL, chg_score double precision, "
        "chg_frac double precision, chg_rank bigint, suggested text NOT NULL, scored_at timestamptz NOT NULL, "
        "UNIQUE (structure_id, before_image, after_image))"
    )
    statements.append(
        f'CREATE TABLE "{schema}".{AUDIT_TABLE} (id bigserial PRIMARY KEY, '
        "at timestamptz NOT NULL DEFAULT clock_timestamp(), db_role text NOT NULL, analyst text, "
        "client_addr inet, application text, table_name text NOT NULL, operation text NOT NULL, "
        "feature_key text, old_values jsonb, new_values jsonb, geometry_changed boolean)"
    )
    statements.append(_functions(schema))
    statements.append(_triggers(schema))
    from . import postgis_cells

    statements += postgis_cells.table_statements(schema, srid)
    if cell_rules:
        statements += postgis_cells.rule_statements(schema)
    return statements
