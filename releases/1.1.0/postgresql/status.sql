-- sqlrelease status query (PostgreSQL): which release this database is at. Read-only.
-- run with:  psql -X -q -A -t -d "$DATABASE_URL" -f postgresql/status.sql
-- It prints one line of JSON; `sqlrelease status` reads the same line, and a DBA can send it back as it is.
\set ON_ERROR_STOP on
-- Run by hand, leave sqlrelease_goal unset (it defaults to empty below): `sqlrelease apply` sets it
-- only to skip reading the schema of a database that is already at its goal.
\if :{?sqlrelease_goal}
\else
\set sqlrelease_goal ''
\endif
SELECT to_regclass('alembic_version') IS NOT NULL AS sqlrelease_has_versions, to_regclass('sqlrelease_receipts') IS NOT NULL AS sqlrelease_has_receipts \gset
\set sqlrelease_tables NULL
\if :sqlrelease_has_versions
\else
SELECT count(*) FILTER (WHERE c.relkind IN ('r', 'p') AND c.relnamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace, 'pg_toast'::regnamespace)
                          AND c.relname NOT IN ('alembic_version', 'sqlrelease_receipts', 'sqlrelease_progress')) AS sqlrelease_tables,
       count(*) FILTER (WHERE c.relname = 'alembic_version' AND c.relnamespace IN (SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname = ANY (current_schemas(false)))) > 0 AS sqlrelease_has_versions
  FROM pg_catalog.pg_class c \gset
\if :sqlrelease_has_versions
\set sqlrelease_tables NULL
\endif
\endif
\set sqlrelease_versions_read 'NULL::json'
\set sqlrelease_receipt_read 'NULL::json'
\if :sqlrelease_has_versions
\set sqlrelease_versions_read '(SELECT coalesce(json_agg(version_num ORDER BY version_num COLLATE "C"), ''[]'') FROM alembic_version)'
\endif
\if :sqlrelease_has_receipts
\set sqlrelease_receipt_read '(SELECT row_to_json(r) FROM (SELECT release_name AS release, script, from_revisions, to_revisions, applied_by, to_char(applied_at, ''YYYY-MM-DD"T"HH24:MI:SS"Z"'') AS applied_at, run_id FROM sqlrelease_receipts ORDER BY id DESC LIMIT 1) r)'
\endif
SELECT coalesce(s.versions::text = :'sqlrelease_goal', false) AS sqlrelease_at_goal, s.lock_pid IS NOT NULL AS sqlrelease_locked, coalesce(s.lock_pid, 0) AS sqlrelease_lock_pid, json_build_object(
    'sqlrelease_status', 1,
    'dialect', 'postgresql',
    'database', current_database(),
    'user', current_user,
    'clock', to_char(statement_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
    'versions', s.versions,
    'receipt', :sqlrelease_receipt_read,
    'lock', NULL,
    'tables', :sqlrelease_tables
)::text AS sqlrelease_line
  FROM (SELECT :sqlrelease_versions_read AS versions,
               (SELECT l.pid FROM pg_catalog.pg_lock_status() l
                 WHERE l.locktype = 'advisory' AND l.classid = 1936813170 AND l.objid = 1 AND l.objsubid = 2 AND l.granted
                   AND l.database = (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = current_database()) LIMIT 1) AS lock_pid) s \gset
\if :sqlrelease_locked
SELECT (:'sqlrelease_line'::jsonb || jsonb_build_object('lock', coalesce((
         SELECT json_build_object('pid', a.pid, 'user', pg_catalog.pg_get_userbyid(a.usesysid), 'application', a.application_name, 'since', to_char(a.xact_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
           FROM pg_catalog.pg_stat_get_activity(:sqlrelease_lock_pid) a), json_build_object('pid', :sqlrelease_lock_pid))))::text AS sqlrelease_line \gset
\endif
\echo :sqlrelease_line
