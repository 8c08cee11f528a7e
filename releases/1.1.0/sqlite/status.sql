-- sqlrelease status query (SQLite): which release this database is at. Read-only.
-- run with:  sqlite3 -readonly DATABASE_FILE < sqlite/status.sql
-- It prints JSON lines; `sqlrelease status` reads the same lines, and a DBA can send them back as they are.
-- A "no such table" error means that table is absent, which the first line already says.
SELECT json_object(
    'sqlrelease_status', 1,
    'dialect', 'sqlite',
    'clock', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'),
    'has_versions', EXISTS(SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'),
    'tables', (SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name NOT IN ('alembic_version', 'sqlrelease_receipts', 'sqlrelease_progress'))
);
SELECT json_object('sqlrelease_status', 1, 'versions', json((SELECT json_group_array(version_num) FROM (SELECT version_num FROM alembic_version ORDER BY version_num))));
SELECT json_object('sqlrelease_status', 1, 'receipt', (SELECT json_object('release', release_name, 'script', script, 'from_revisions', from_revisions, 'to_revisions', to_revisions, 'applied_by', applied_by, 'applied_at', applied_at, 'run_id', run_id) FROM sqlrelease_receipts ORDER BY id DESC LIMIT 1));
