-- Yonca's DDL guard: event triggers that refuse DDL touching the Chainlit
-- contract tables unless the transaction has run
--     SET LOCAL yonca.allow_contract_ddl = 'on'
-- which only sanctioned migrations do (yonca.guard.ddl_guard.allow_contract_ddl).
--
-- Objects are matched by oid, never by name: yonca_guard.protected_objects
-- holds the oids of the contract tables and of the indexes, triggers,
-- constraints, rules and policies on them. DDL that is finished
-- (ddl_command_end) is mapped back to its table through the catalogs; dropped
-- objects (sql_drop) are already gone from the catalogs, so they are looked up
-- in protected_objects. Internal triggers (those PostgreSQL makes for a domain
-- table's foreign key to users) are not protected, so the domain tables stay
-- free to change.
--
-- The functions are SECURITY DEFINER so that a role without rights on the
-- yonca_guard schema can still run DDL elsewhere; the guard tables are
-- readable by everyone so that 'yonca db check' can report on the guard.
-- The Python side fills contract_tables and calls refresh() after this script.

CREATE SCHEMA yonca_guard;

COMMENT ON SCHEMA yonca_guard IS
    'Yonca schema guard: refuses DDL on the Chainlit contract tables. '
    'Manage it with yonca db guard status|install|uninstall.';

CREATE TABLE yonca_guard.contract_tables (
    schema_name name NOT NULL,
    table_name name NOT NULL,
    PRIMARY KEY (schema_name, table_name)
);

CREATE TABLE yonca_guard.protected_objects (
    classid oid NOT NULL,
    objid oid NOT NULL,
    table_oid oid NOT NULL,
    table_name text NOT NULL,
    PRIMARY KEY (classid, objid)
);

CREATE FUNCTION yonca_guard.sanctioned() RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(current_setting('yonca.allow_contract_ddl', true), '') = 'on'
$$;

-- The table an object belongs to: itself for a table, the indexed table for
-- an index, the table of a trigger, constraint, rule, policy or default.
CREATE FUNCTION yonca_guard.owning_table(classid oid, objid oid) RETURNS oid
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE classid
        WHEN 'pg_class'::regclass THEN coalesce(
            (SELECT i.indrelid FROM pg_index i WHERE i.indexrelid = objid), objid)
        WHEN 'pg_trigger'::regclass THEN
            (SELECT t.tgrelid FROM pg_trigger t WHERE t.oid = objid)
        WHEN 'pg_constraint'::regclass THEN
            (SELECT c.conrelid FROM pg_constraint c WHERE c.oid = objid)
        WHEN 'pg_rewrite'::regclass THEN
            (SELECT r.ev_class FROM pg_rewrite r WHERE r.oid = objid)
        WHEN 'pg_policy'::regclass THEN
            (SELECT p.polrelid FROM pg_policy p WHERE p.oid = objid)
        WHEN 'pg_attrdef'::regclass THEN
            (SELECT d.adrelid FROM pg_attrdef d WHERE d.oid = objid)
    END
$$;

-- Rebuild protected_objects: the contract tables found by name, plus those
-- already protected (a sanctioned rename keeps its table protected), and
-- everything that hangs off them.
CREATE FUNCTION yonca_guard.refresh() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    tables oid[];
BEGIN
    SELECT coalesce(array_agg(DISTINCT c.oid), '{}') INTO tables
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p')
      AND (
        c.oid IN (SELECT p.table_oid FROM yonca_guard.protected_objects p)
        OR (n.nspname, c.relname) IN (
            SELECT t.schema_name, t.table_name FROM yonca_guard.contract_tables t)
      );

    DELETE FROM yonca_guard.protected_objects;

    INSERT INTO yonca_guard.protected_objects (classid, objid, table_oid, table_name)
    SELECT 'pg_class'::regclass, c.oid, c.oid, c.oid::regclass::text
        FROM pg_class c WHERE c.oid = ANY (tables)
    UNION ALL
    SELECT 'pg_class'::regclass, i.indexrelid, i.indrelid, i.indrelid::regclass::text
        FROM pg_index i WHERE i.indrelid = ANY (tables)
    UNION ALL
    SELECT 'pg_trigger'::regclass, t.oid, t.tgrelid, t.tgrelid::regclass::text
        FROM pg_trigger t WHERE t.tgrelid = ANY (tables) AND NOT t.tgisinternal
    UNION ALL
    SELECT 'pg_constraint'::regclass, c.oid, c.conrelid, c.conrelid::regclass::text
        FROM pg_constraint c WHERE c.conrelid = ANY (tables)
    UNION ALL
    SELECT 'pg_rewrite'::regclass, r.oid, r.ev_class, r.ev_class::regclass::text
        FROM pg_rewrite r WHERE r.ev_class = ANY (tables)
    UNION ALL
    SELECT 'pg_policy'::regclass, p.oid, p.polrelid, p.polrelid::regclass::text
        FROM pg_policy p WHERE p.polrelid = ANY (tables);
END
$$;

-- Contract tables the guard does not cover: present by name but not
-- protected, or protected under an oid that now names something else (after
-- a restore from a dump, say). 'yonca db guard install' covers them again.
CREATE FUNCTION yonca_guard.unprotected_tables() RETURNS SETOF text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT c.oid::regclass::text
    FROM yonca_guard.contract_tables t
    JOIN pg_namespace n ON n.nspname = t.schema_name
    JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = t.table_name
    WHERE c.oid NOT IN (
        SELECT p.objid FROM yonca_guard.protected_objects p
        WHERE p.classid = 'pg_class'::regclass)
    UNION
    SELECT p.table_name
    FROM yonca_guard.protected_objects p
    WHERE p.classid = 'pg_class'::regclass AND p.objid = p.table_oid
      AND p.table_name IS DISTINCT FROM
          (SELECT c.oid::regclass::text FROM pg_class c WHERE c.oid = p.objid)
$$;

CREATE FUNCTION yonca_guard.refuse(command text, target text, contract_table text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION
        'yonca schema guard: % on % refused: % is a Chainlit contract table and its '
        'schema must not change; a sanctioned migration calls '
        'allow_contract_ddl(op) first (SET LOCAL yonca.allow_contract_ddl = ''on'')',
        command, target, contract_table
    USING
        ERRCODE = 'insufficient_privilege',
        HINT = 'Keep extra data in the metadata JSON or a domain table. See '
            '"yonca db guard status" and docs/schema-guard.md.';
END
$$;

CREATE FUNCTION yonca_guard.on_ddl_command_end() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    hit record;
BEGIN
    IF yonca_guard.sanctioned() THEN
        PERFORM yonca_guard.refresh();
        RETURN;
    END IF;

    SELECT command.object_identity, protected.table_name
    INTO hit
    FROM pg_event_trigger_ddl_commands() AS command
    JOIN yonca_guard.protected_objects AS protected
      ON protected.classid = 'pg_class'::regclass
     AND protected.objid = yonca_guard.owning_table(command.classid, command.objid)
    LIMIT 1;

    IF FOUND THEN
        PERFORM yonca_guard.refuse(TG_TAG, hit.object_identity, hit.table_name);
    END IF;
END
$$;

CREATE FUNCTION yonca_guard.on_sql_drop() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    hit record;
BEGIN
    IF yonca_guard.sanctioned() THEN
        RETURN;
    END IF;

    SELECT dropped.object_identity, protected.table_name
    INTO hit
    FROM pg_event_trigger_dropped_objects() AS dropped
    JOIN yonca_guard.protected_objects AS protected
      ON protected.classid = dropped.classid AND protected.objid = dropped.objid
    LIMIT 1;

    IF FOUND THEN
        PERFORM yonca_guard.refuse(TG_TAG, hit.object_identity, hit.table_name);
    END IF;
END
$$;

CREATE EVENT TRIGGER yonca_guard_ddl_command_end ON ddl_command_end
    EXECUTE FUNCTION yonca_guard.on_ddl_command_end();

CREATE EVENT TRIGGER yonca_guard_sql_drop ON sql_drop
    EXECUTE FUNCTION yonca_guard.on_sql_drop();

-- ALWAYS: also in sessions with session_replication_role = replica, which
-- would otherwise skip them.
ALTER EVENT TRIGGER yonca_guard_ddl_command_end ENABLE ALWAYS;

ALTER EVENT TRIGGER yonca_guard_sql_drop ENABLE ALWAYS;

GRANT USAGE ON SCHEMA yonca_guard TO PUBLIC;

GRANT SELECT ON yonca_guard.contract_tables, yonca_guard.protected_objects TO PUBLIC;
