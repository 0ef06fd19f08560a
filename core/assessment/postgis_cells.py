"""Work cells in a PostGIS assessment, with their rules kept by the database.

``work_cells`` and ``cell_transitions`` (:data:`.schema.WORK_CELLS`,
:data:`.schema.CELL_TRANSITIONS`) are made with the assessment, or when a lead first splits an
older one. A trigger checks every change of a cell against the moves of
:data:`..teamwork.cells.TRANSITIONS` (generated from that one table), refuses a review by the
cell's analyst, by whoever submitted it or from the database role that submitted it, requires
the comment of a reject or reopen, and records the transition — analyst name, database role
(``session_user``), time — in ``cell_transitions``, which refuses updates and deletes. The
function runs as the schema's owner (``SECURITY DEFINER``), so analysts need only ``SELECT`` on
``cell_transitions``: no client can write a transition of its own.
"""

from __future__ import annotations

from psycopg2 import sql

from .. import values
from ..teamwork.cells import COMMENT_ACTIONS, IN_PROGRESS, REVIEW_ACTIONS, TRANSITIONS, UNASSIGNED
from .postgis_schema import ANALYST_SETTING, CELL_RULE


def _list(codes: tuple[str, ...] | list[str]) -> str:
    return ", ".join(f"'{code}'" for code in codes)


def table_statements(schema: str, srid: int) -> list[str]:
    """The two tables (``IF NOT EXISTS``: also run on an assessment made before them)."""
    states = _list(values.codes(values.CELL_STATES))
    return [
        f'CREATE TABLE IF NOT EXISTS "{schema}".work_cells (fid bigserial PRIMARY KEY, '
        f"geom geometry(MultiPolygon, {int(srid)}), cell_id text NOT NULL UNIQUE CHECK (cell_id <> ''), "
        f"name text, state text NOT NULL DEFAULT '{UNASSIGNED}' CHECK (state IN ({states})), assignee text, "
        "comment text, changed_by text, changed_at timestamptz)",
        f'CREATE INDEX IF NOT EXISTS work_cells_geom ON "{schema}".work_cells USING gist (geom)',
        f'CREATE TABLE IF NOT EXISTS "{schema}".cell_transitions (fid bigserial PRIMARY KEY, '
        "cell_id text NOT NULL, action text NOT NULL, from_state text, "
        f"to_state text NOT NULL CHECK (to_state IN ({states})), assignee text, analyst text, "
        "account text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp(), comment text)",
        f'CREATE INDEX IF NOT EXISTS cell_transitions_cell ON "{schema}".cell_transitions (cell_id)',
    ]


def _moves() -> str:
    rows = [
        f"('{action}', '{source}', '{target}')"
        for action, (sources, target) in TRANSITIONS.items()
        for source in sources
    ]
    return ", ".join(rows)


_RULES = """
CREATE OR REPLACE FUNCTION {schema}.sw_cell_rules() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = {schema_text}, public AS $$
DECLARE
    who text := coalesce(nullif(current_setting({analyst_setting}, true), ''), session_user);
    act text;
    by_analyst text;
    by_role text;
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.state <> {unassigned} THEN
            RAISE EXCEPTION 'Work cell % is %: a cell with work in it is never deleted.', OLD.cell_id, OLD.state
                USING ERRCODE = {rule};
        END IF;
        RETURN OLD;
    END IF;
    IF TG_OP = 'INSERT' THEN
        IF NEW.state <> {unassigned} OR NEW.assignee IS NOT NULL THEN
            RAISE EXCEPTION 'A new work cell (%) starts unassigned; assign it afterwards.', NEW.cell_id
                USING ERRCODE = {rule};
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.cell_id IS DISTINCT FROM OLD.cell_id THEN
        RAISE EXCEPTION 'The id of work cell % never changes.', OLD.cell_id USING ERRCODE = {rule};
    END IF;
    IF NEW.state = OLD.state AND NEW.assignee IS NOT DISTINCT FROM OLD.assignee THEN
        NEW.comment := OLD.comment;
        NEW.changed_by := OLD.changed_by;
        NEW.changed_at := OLD.changed_at;
        RETURN NEW;
    END IF;
    SELECT m.action INTO act FROM (VALUES {moves}) AS m(action, source, target)
        WHERE m.source = OLD.state AND m.target = NEW.state AND m.source <> m.target;
    IF OLD.state = NEW.state AND OLD.state = {in_progress} THEN
        act := 'assign';
    END IF;
    IF act IS NULL THEN
        RAISE EXCEPTION 'Work cell % cannot go from % to %.', OLD.cell_id, OLD.state, NEW.state USING ERRCODE = {rule};
    END IF;
    IF act = 'assign' AND coalesce(btrim(NEW.assignee), '') = '' THEN
        RAISE EXCEPTION 'Name the analyst to assign cell % to.', OLD.cell_id USING ERRCODE = {rule};
    ELSIF act = 'unassign' THEN
        NEW.assignee := NULL;
    ELSIF act <> 'assign' AND NEW.assignee IS DISTINCT FROM OLD.assignee THEN
        RAISE EXCEPTION 'The analyst of cell % changes only by assigning it.', OLD.cell_id USING ERRCODE = {rule};
    END IF;
    IF act = 'submit' AND lower(btrim(who)) <> lower(btrim(coalesce(OLD.assignee, ''))) THEN
        RAISE EXCEPTION 'Cell % is assigned to %: only they send it for review.', OLD.cell_id, OLD.assignee
            USING ERRCODE = {rule};
    END IF;
    IF act IN ({comment_actions}) AND coalesce(btrim(NEW.comment), '') = '' THEN
        RAISE EXCEPTION 'Say why you % cell %: a comment is required.', act, OLD.cell_id USING ERRCODE = {rule};
    ELSIF act NOT IN ({comment_actions}) AND NEW.comment IS NOT DISTINCT FROM OLD.comment THEN
        NEW.comment := NULL;
    END IF;
    IF act IN ({review_actions}) THEN
        SELECT t.analyst, t.account INTO by_analyst, by_role FROM {transitions} AS t
            WHERE t.cell_id = OLD.cell_id AND t.to_state = {awaiting} ORDER BY t.fid DESC LIMIT 1;
        IF lower(btrim(who)) IN (lower(btrim(coalesce(OLD.assignee, ''))), lower(btrim(coalesce(by_analyst, ''))))
                OR session_user = by_role THEN
            RAISE EXCEPTION 'You cannot % cell %: it is your own work (submitted by % from database role %). '
                'Another analyst reviews it, connected with their own database role.',
                act, OLD.cell_id, coalesce(by_analyst, OLD.assignee), by_role USING ERRCODE = {rule};
        END IF;
    END IF;
    NEW.changed_by := who;
    NEW.changed_at := clock_timestamp();
    INSERT INTO {transitions} (cell_id, action, from_state, to_state, assignee, analyst, account, at, comment)
        VALUES (OLD.cell_id, act, OLD.state, NEW.state, NEW.assignee, who, session_user, NEW.changed_at, NEW.comment);
    RETURN NEW;
END $$;
"""


def rule_statements(schema: str) -> list[str | sql.Composable]:
    """The rules trigger on ``work_cells``, the audit trail and notifications of cell changes,
    and ``cell_transitions`` append-only (run again safely)."""
    function = sql.SQL(_RULES).format(
        schema=sql.Identifier(schema),
        schema_text=sql.Identifier(schema),
        transitions=sql.Identifier(schema, "cell_transitions"),
        analyst_setting=sql.Literal(ANALYST_SETTING),
        unassigned=sql.Literal(UNASSIGNED),
        in_progress=sql.Literal(IN_PROGRESS),
        awaiting=sql.Literal(TRANSITIONS["submit"][1]),
        rule=sql.Literal(CELL_RULE),
        moves=sql.SQL(_moves()),
        comment_actions=sql.SQL(_list(COMMENT_ACTIONS)),
        review_actions=sql.SQL(_list(REVIEW_ACTIONS)),
    )
    cells, transitions = f'"{schema}".work_cells', f'"{schema}".cell_transitions'
    return [
        function,
        f"DROP TRIGGER IF EXISTS sw_cell_rules ON {cells}",
        f"CREATE TRIGGER sw_cell_rules BEFORE INSERT OR UPDATE OR DELETE ON {cells} "
        f'FOR EACH ROW EXECUTE FUNCTION "{schema}".sw_cell_rules()',
        f"DROP TRIGGER IF EXISTS sw_audit ON {cells}",
        f"CREATE TRIGGER sw_audit AFTER INSERT OR UPDATE OR DELETE ON {cells} "
        f"FOR EACH ROW EXECUTE FUNCTION \"{schema}\".sw_audit('cell_id')",
        f"DROP TRIGGER IF EXISTS sw_append_only ON {transitions}",
        f"CREATE TRIGGER sw_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {transitions} "
        f'FOR EACH STATEMENT EXECUTE FUNCTION "{schema}".sw_append_only()',
        f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {transitions} FROM PUBLIC",
    ]


def create_statements(schema: str, srid: int) -> list[str | sql.Composable]:
    """Everything the work cells of the assessment in ``schema`` need."""
    return [*table_statements(schema, srid), *rule_statements(schema)]
