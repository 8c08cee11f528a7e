-- sqlrelease upgrade script
-- release:    1.2.0 (follows 1.1.0)
-- dialect:    mssql (SQL Server)
-- range:      c4b8e1f3a906 -> e61a7c9d0b58
-- migrations (apply order):
--   9e07d3b5c8a1  add recruits.personal_email_address (nullable)
--   2d5f8a4c1b73  backfill recruits.personal_email_address
--   e61a7c9d0b58  require a unique recruits.personal_email_address
-- run with:   sqlcmd -b -S SERVER -d DBNAME -i mssql/upgrade.sql
-- guard:      refuses to run unless alembic_version = c4b8e1f3a906
-- Statements are separated by GO batches; XACT_ABORT and one transaction make a failure roll everything back.
-- Run with sqlcmd -b (or SSMS in SQLCMD mode): the file starts with `:on error exit`.

:on error exit
SET XACT_ABORT ON;
GO

BEGIN TRANSACTION;
GO

DECLARE @found NVARCHAR(4000);
IF OBJECT_ID(N'alembic_version', N'U') IS NOT NULL
    SELECT @found = STRING_AGG(version_num, ',') WITHIN GROUP (ORDER BY version_num COLLATE Latin1_General_BIN2) FROM alembic_version;
IF ISNULL(@found, N'') <> N'c4b8e1f3a906'BEGIN
    DECLARE @message NVARCHAR(2048) = CONCAT(N'sqlrelease guard: upgrade.sql of release 1.2.0 expects alembic_version = c4b8e1f3a906, found ', ISNULL(@found, N'none'), N'; nothing was changed');
    THROW 50000, @message, 1;
END;
GO

-- upgrade 9e07d3b5c8a1: add recruits.personal_email_address (nullable)
-- source: migrations/versions/0007_9e07d3b5c8a1_add_recruits_personal_email_address.py

ALTER TABLE recruits ADD personal_email_address VARCHAR(255) NULL;
GO

UPDATE alembic_version SET version_num = N'9e07d3b5c8a1' WHERE alembic_version.version_num = N'c4b8e1f3a906';
IF @@ROWCOUNT <> 1
    THROW 50001, N'sqlrelease: upgrade.sql of release 1.2.0: moving alembic_version from c4b8e1f3a906 to 9e07d3b5c8a1: not exactly 1 row matched', 1;
GO

-- upgrade 2d5f8a4c1b73: backfill recruits.personal_email_address
-- source: migrations/versions/0008_2d5f8a4c1b73_backfill_recruits_personal_email_address.py

UPDATE recruits SET personal_email_address=(lower(coalesce(recruits.github_name, recruits.id_number)) + '@recruits.invalid') WHERE recruits.personal_email_address IS NULL;
GO

UPDATE alembic_version SET version_num = N'2d5f8a4c1b73' WHERE alembic_version.version_num = N'9e07d3b5c8a1';
IF @@ROWCOUNT <> 1
    THROW 50001, N'sqlrelease: upgrade.sql of release 1.2.0: moving alembic_version from 9e07d3b5c8a1 to 2d5f8a4c1b73: not exactly 1 row matched', 1;
GO

-- upgrade e61a7c9d0b58: require a unique recruits.personal_email_address
-- source: migrations/versions/0009_e61a7c9d0b58_require_unique_recruits_personal_email_address.py

ALTER TABLE recruits ALTER COLUMN personal_email_address VARCHAR(255) NOT NULL;
GO

ALTER TABLE recruits ADD CONSTRAINT uq_recruits_personal_email_address UNIQUE (personal_email_address);
GO

UPDATE alembic_version SET version_num = N'e61a7c9d0b58' WHERE alembic_version.version_num = N'2d5f8a4c1b73';
IF @@ROWCOUNT <> 1
    THROW 50001, N'sqlrelease: upgrade.sql of release 1.2.0: moving alembic_version from 2d5f8a4c1b73 to e61a7c9d0b58: not exactly 1 row matched', 1;
GO

COMMIT TRANSACTION;
GO
