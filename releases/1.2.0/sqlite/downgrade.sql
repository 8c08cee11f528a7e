-- sqlrelease downgrade script
-- release:    1.2.0 (follows 1.1.0)
-- dialect:    sqlite (SQLite)
-- range:      c4b8e1f3a906 -> e61a7c9d0b58
-- migrations (apply order):
--   9e07d3b5c8a1  add recruits.personal_email_address (nullable)
--   2d5f8a4c1b73  backfill recruits.personal_email_address
--   e61a7c9d0b58  require a unique recruits.personal_email_address
-- run with:   sqlite3 -bail DATABASE_FILE < sqlite/downgrade.sql
-- guard:      refuses to run unless alembic_version = e61a7c9d0b58
-- The whole file runs in one transaction; with -bail a failure ends the client and nothing is kept.
-- The file turns on .bail itself, because without it sqlite3 would go on after an error.

.bail on
.timeout 10000

BEGIN IMMEDIATE;

SELECT json_extract('{}', '$ ' || CASE WHEN NULL = 'c4b8e1f3a906' THEN 'sqlrelease: nothing to do: release 1.2.0 is rolled back already: this server is at release 1.1.0 (c4b8e1f3a906)'
    ELSE ('sqlrelease guard: this server is at ' || CASE WHEN NULL IS NULL THEN 'no release (no alembic_version rows)'
        WHEN NULL = '2d5f8a4c1b73' THEN 'partway through release 1.2.0 (2d5f8a4c1b73, 2 of 3 migrations)'
        WHEN NULL = '8d41e6a0c2f9' THEN 'release 1.0.0 (8d41e6a0c2f9)'
        WHEN NULL = '9e07d3b5c8a1' THEN 'partway through release 1.2.0 (9e07d3b5c8a1, 1 of 3 migrations)'
        WHEN NULL = 'c4b8e1f3a906' THEN 'release 1.1.0 (c4b8e1f3a906)'
        WHEN NULL = 'e61a7c9d0b58' THEN 'release 1.2.0 (e61a7c9d0b58)'
        ELSE (NULL || ' (no release up to 1.2.0)') END || '; downgrade.sql of release 1.2.0 needs release 1.2.0 (e61a7c9d0b58); nothing was changed') END) WHERE NOT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version');
SELECT json_extract('{}', '$ ' || CASE WHEN (SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)) = 'c4b8e1f3a906' THEN 'sqlrelease: nothing to do: release 1.2.0 is rolled back already: this server is at release 1.1.0 (c4b8e1f3a906)'
    ELSE ('sqlrelease guard: this server is at ' || CASE WHEN (SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)) IS NULL THEN 'no release (no alembic_version rows)'
        WHEN (SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)) = '2d5f8a4c1b73' THEN 'partway through release 1.2.0 (2d5f8a4c1b73, 2 of 3 migrations)'
        WHEN (SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)) = '8d41e6a0c2f9' THEN 'release 1.0.0 (8d41e6a0c2f9)'
        WHEN (SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)) = '9e07d3b5c8a1' THEN 'partway through release 1.2.0 (9e07d3b5c8a1, 1 of 3 migrations)'
        WHEN (SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)) = 'c4b8e1f3a906' THEN 'release 1.1.0 (c4b8e1f3a906)'
        WHEN (SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)) = 'e61a7c9d0b58' THEN 'release 1.2.0 (e61a7c9d0b58)'
        ELSE ((SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)) || ' (no release up to 1.2.0)') END || '; downgrade.sql of release 1.2.0 needs release 1.2.0 (e61a7c9d0b58); nothing was changed') END) WHERE coalesce((SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)), '') <> 'e61a7c9d0b58';

CREATE TABLE IF NOT EXISTS sqlrelease_receipts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    release_name VARCHAR(100) NOT NULL,
    script VARCHAR(100) NOT NULL,
    dialect VARCHAR(20) NOT NULL,
    from_revisions VARCHAR(1000) NOT NULL,
    to_revisions VARCHAR(1000) NOT NULL,
    source_digest VARCHAR(64) NOT NULL,
    sqlrelease_version VARCHAR(40) NOT NULL,
    applied_by VARCHAR(200),
    applied_at TIMESTAMP NOT NULL,
    run_id VARCHAR(100)
);

-- downgrade e61a7c9d0b58: require a unique recruits.personal_email_address
-- source: migrations/versions/0009_e61a7c9d0b58_require_unique_recruits_personal_email_address.py

SELECT json_extract('{}', '$ ' || 'sqlrelease guard: migration e61a7c9d0b58 rebuilds table recruits and would drop columns it does not know: ' || (SELECT group_concat(name, ', ') FROM (SELECT name FROM pragma_table_info('recruits') WHERE lower(name) NOT IN ('id', 'first_name', 'surname', 'chat_name', 'github_name', 'id_number', 'personal_email_address') ORDER BY cid)) || '; nothing was changed (downgrade.sql of release 1.2.0; to keep them, list them in the migration copy_from, or move them out first)') WHERE EXISTS (SELECT 1 FROM pragma_table_info('recruits') WHERE lower(name) NOT IN ('id', 'first_name', 'surname', 'chat_name', 'github_name', 'id_number', 'personal_email_address'));

CREATE TABLE _alembic_tmp_recruits (
    id INTEGER NOT NULL, 
    first_name VARCHAR(100) NOT NULL, 
    surname VARCHAR(100) NOT NULL, 
    chat_name VARCHAR(64), 
    github_name VARCHAR(39), 
    id_number VARCHAR(32) NOT NULL, 
    personal_email_address VARCHAR(255), 
    PRIMARY KEY (id), 
    CONSTRAINT uq_recruits_id_number UNIQUE (id_number)
);

INSERT INTO _alembic_tmp_recruits (id, first_name, surname, chat_name, github_name, id_number, personal_email_address) SELECT recruits.id, recruits.first_name, recruits.surname, recruits.chat_name, recruits.github_name, recruits.id_number, recruits.personal_email_address 
FROM recruits;

DROP TABLE recruits;

ALTER TABLE _alembic_tmp_recruits RENAME TO recruits;

UPDATE alembic_version SET version_num = '2d5f8a4c1b73' WHERE alembic_version.version_num = 'e61a7c9d0b58';
SELECT json_extract('{}', '$ ' || 'sqlrelease: downgrade.sql of release 1.2.0: moving alembic_version from e61a7c9d0b58 to 2d5f8a4c1b73: ' || changes() || ' rows matched instead of 1') WHERE changes() <> 1;

-- downgrade 2d5f8a4c1b73: backfill recruits.personal_email_address
-- source: migrations/versions/0008_2d5f8a4c1b73_backfill_recruits_personal_email_address.py

UPDATE recruits SET personal_email_address=NULL WHERE recruits.personal_email_address = (lower(coalesce(recruits.github_name, recruits.id_number)) || '@recruits.invalid');

UPDATE alembic_version SET version_num = '9e07d3b5c8a1' WHERE alembic_version.version_num = '2d5f8a4c1b73';
SELECT json_extract('{}', '$ ' || 'sqlrelease: downgrade.sql of release 1.2.0: moving alembic_version from 2d5f8a4c1b73 to 9e07d3b5c8a1: ' || changes() || ' rows matched instead of 1') WHERE changes() <> 1;

-- downgrade 9e07d3b5c8a1: add recruits.personal_email_address (nullable)
-- source: migrations/versions/0007_9e07d3b5c8a1_add_recruits_personal_email_address.py

ALTER TABLE recruits DROP COLUMN personal_email_address;

UPDATE alembic_version SET version_num = 'c4b8e1f3a906' WHERE alembic_version.version_num = '9e07d3b5c8a1';
SELECT json_extract('{}', '$ ' || 'sqlrelease: downgrade.sql of release 1.2.0: moving alembic_version from 9e07d3b5c8a1 to c4b8e1f3a906: ' || changes() || ' rows matched instead of 1') WHERE changes() <> 1;

INSERT INTO sqlrelease_receipts (release_name, script, dialect, from_revisions, to_revisions, source_digest, sqlrelease_version, applied_by, applied_at, run_id)
VALUES ('1.2.0', 'downgrade', 'sqlite', 'e61a7c9d0b58', 'c4b8e1f3a906', 'bd7f48d733472ef7ee24e30ea0f6eb9e895225b76665ceb68966393e89c06a49', '0.1.0', NULL, strftime('%Y-%m-%d %H:%M:%f', 'now'), @sqlrelease_run_id);

COMMIT;

SELECT 'sqlrelease: downgrade.sql of release 1.2.0 done: this server is at release 1.1.0 (c4b8e1f3a906)';
