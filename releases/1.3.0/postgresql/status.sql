-- sqlrelease status query (PostgreSQL): which release this database is at. Read-only.
-- run with:  psql -X -q -A -t -d "$DATABASE_URL" -f postgresql/status.sql
-- It prints one line of JSON; `sqlrelease status` reads the same line, and a DBA can send it back as it is.
\set ON_ERROR_STOP on
BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
SELECT to_regclass('alembic_version') IS NOT NULL AS sqlrelease_has_versions, to_regclass('sqlrelease_receipts') IS NOT NULL AS sqlrelease_has_receipts \gset
\if :sqlrelease_has_versions
SELECT coalesce(json_agg(version_num ORDER BY version_num COLLATE "C"), '[]')::text AS sqlrelease_versions FROM alembic_version \gset
\set sqlrelease_tables null
\else
\set sqlrelease_versions null
SELECT count(*) AS sqlrelease_tables FROM pg_catalog.pg_class c
 WHERE c.relkind IN ('r', 'p') AND c.relnamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace, 'pg_toast'::regnamespace)
   AND c.relname NOT IN ('alembic_version', 'sqlrelease_receipts', 'sqlrelease_progress') \gset
\endif
\set sqlrelease_receipt null
\if :sqlrelease_has_receipts
SELECT coalesce((SELECT row_to_json(r)::text FROM (SELECT release_name AS release, script, from_revisions, to_revisions, applied_by, to_char(applied_at, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS applied_at, run_id FROM sqlrelease_receipts ORDER BY id DESC LIMIT 1) r), 'null') AS sqlrelease_receipt \gset
\endif
SELECT max(l.pid) IS NOT NULL AS sqlrelease_locked, max(l.pid) AS sqlrelease_lock_pid FROM pg_catalog.pg_locks l
 WHERE l.locktype = 'advisory' AND l.classid = 1936813170 AND l.objid = 1 AND l.objsubid = 2 AND l.granted
   AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database()) \gset
\set sqlrelease_lock null
\if :sqlrelease_locked
SELECT json_build_object('pid', a.pid, 'user', pg_catalog.pg_get_userbyid(a.usesysid), 'application', a.application_name, 'since', to_char(a.xact_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))::text AS sqlrelease_lock
  FROM pg_catalog.pg_stat_get_activity(:sqlrelease_lock_pid) a \gset
\endif
SELECT json_build_object(
    'sqlrelease_status', 1,
    'dialect', 'postgresql',
    'database', current_database(),
    'user', current_user,
    'clock', to_char(statement_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
    'versions', :'sqlrelease_versions'::json,
    'receipt', :'sqlrelease_receipt'::json,
    'lock', :'sqlrelease_lock'::json,
    'tables', :sqlrelease_tables
);
COMMIT;
