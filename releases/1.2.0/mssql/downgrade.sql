-- sqlrelease downgrade script
-- release:    1.2.0 (follows 1.1.0)
-- dialect:    mssql (SQL Server)
-- range:      c4b8e1f3a906 -> e61a7c9d0b58
-- migrations (apply order):
--   9e07d3b5c8a1  add recruits.personal_email_address (nullable)
--   2d5f8a4c1b73  backfill recruits.personal_email_address
--   e61a7c9d0b58  require a unique recruits.personal_email_address
-- run with:   sqlcmd -b -S SERVER -d DBNAME -i mssql/downgrade.sql
-- guard:      refuses to run unless alembic_version = e61a7c9d0b58
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
IF ISNULL(@found, N'') <> N'e61a7c9d0b58'BEGIN
    DECLARE @message NVARCHAR(2048) = CASE WHEN @found = N'c4b8e1f3a906' THEN N'sqlrelease: nothing to do: release 1.2.0 is rolled back already: this server is at release 1.1.0 (c4b8e1f3a906)'
    ELSE CONCAT(N'sqlrelease guard: this server is at ', CASE WHEN @found IS NULL THEN N'no release (no alembic_version rows)'
        WHEN @found = N'2d5f8a4c1b73' THEN N'partway through release 1.2.0 (2d5f8a4c1b73, 2 of 3 migrations)'
        WHEN @found = N'8d41e6a0c2f9' THEN N'release 1.0.0 (8d41e6a0c2f9)'
        WHEN @found = N'9e07d3b5c8a1' THEN N'partway through release 1.2.0 (9e07d3b5c8a1, 1 of 3 migrations)'
        WHEN @found = N'c4b8e1f3a906' THEN N'release 1.1.0 (c4b8e1f3a906)'
        WHEN @found = N'e61a7c9d0b58' THEN N'release 1.2.0 (e61a7c9d0b58)'
        ELSE CONCAT(@found, N' (no release up to 1.2.0)') END, N'; downgrade.sql of release 1.2.0 needs release 1.2.0 (e61a7c9d0b58); nothing was changed') END;
    THROW 50000, @message, 1;
END;
GO

-- downgrade e61a7c9d0b58: require a unique recruits.personal_email_address
-- source: migrations/versions/0009_e61a7c9d0b58_require_unique_recruits_personal_email_address.py

ALTER TABLE recruits DROP CONSTRAINT uq_recruits_personal_email_address;
GO

ALTER TABLE recruits ALTER COLUMN personal_email_address VARCHAR(255) NULL;
GO

UPDATE alembic_version SET version_num = N'2d5f8a4c1b73' WHERE alembic_version.version_num = N'e61a7c9d0b58';
IF @@ROWCOUNT <> 1
    THROW 50001, N'sqlrelease: downgrade.sql of release 1.2.0: moving alembic_version from e61a7c9d0b58 to 2d5f8a4c1b73: not exactly 1 row matched', 1;
GO

-- downgrade 2d5f8a4c1b73: backfill recruits.personal_email_address
-- source: migrations/versions/0008_2d5f8a4c1b73_backfill_recruits_personal_email_address.py

UPDATE recruits SET personal_email_address=NULL WHERE recruits.personal_email_address = (lower(coalesce(recruits.github_name, recruits.id_number)) + '@recruits.invalid');
GO

UPDATE alembic_version SET version_num = N'9e07d3b5c8a1' WHERE alembic_version.version_num = N'2d5f8a4c1b73';
IF @@ROWCOUNT <> 1
    THROW 50001, N'sqlrelease: downgrade.sql of release 1.2.0: moving alembic_version from 2d5f8a4c1b73 to 9e07d3b5c8a1: not exactly 1 row matched', 1;
GO

-- downgrade 9e07d3b5c8a1: add recruits.personal_email_address (nullable)
-- source: migrations/versions/0007_9e07d3b5c8a1_add_recruits_personal_email_address.py

ALTER TABLE recruits DROP COLUMN personal_email_address;
GO

UPDATE alembic_version SET version_num = N'c4b8e1f3a906' WHERE alembic_version.version_num = N'9e07d3b5c8a1';
IF @@ROWCOUNT <> 1
    THROW 50001, N'sqlrelease: downgrade.sql of release 1.2.0: moving alembic_version from 9e07d3b5c8a1 to c4b8e1f3a906: not exactly 1 row matched', 1;
GO

COMMIT TRANSACTION;
GO

PRINT N'sqlrelease: downgrade.sql of release 1.2.0 done: this server is at release 1.1.0 (c4b8e1f3a906)';
GO
