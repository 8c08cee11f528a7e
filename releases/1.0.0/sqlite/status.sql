-- sqlrelease status query (SQLite): which release this database is at. Read-only.
-- run with:  sqlite3 -readonly DATABASE_FILE < sqlite/status.sql
-- It prints one line of JSON; `sqlrelease status` reads the same line, and a DBA can send it back as it is.
-- A "no such table" error means that table is absent, which the line already says.
BEGIN;
CREATE TEMP TABLE sqlrelease_status_read (name TEXT PRIMARY KEY, value TEXT);
INSERT INTO temp.sqlrelease_status_read SELECT 'versions', json_group_array(version_num) FROM (SELECT version_num FROM alembic_version ORDER BY version_num);
INSERT INTO temp.sqlrelease_status_read SELECT 'receipt', (SELECT json_object('release', release_name, 'script', script, 'from_revisions', from_revisions, 'to_revisions', to_revisions, 'applied_by', applied_by, 'applied_at', applied_at, 'run_id', run_id) FROM sqlrelease_receipts ORDER BY id DESC LIMIT 1);
SELECT json_object(
    'sqlrelease_status', 1,
    'dialect', 'sqlite',
    'clock', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'),
    'has_versions', EXISTS(SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'),
    'versions', (SELECT json(value) FROM temp.sqlrelease_status_read WHERE name = 'versions'),
    'receipt', (SELECT json(value) FROM temp.sqlrelease_status_read WHERE name = 'receipt'),
    'tables', (SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name NOT IN ('alembic_version', 'sqlrelease_receipts', 'sqlrelease_progress'))
);
COMMIT;
