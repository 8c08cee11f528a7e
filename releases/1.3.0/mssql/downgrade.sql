-- sqlrelease downgrade script
-- release:    1.3.0 (follows 1.2.0)
-- dialect:    mssql (SQL Server)
-- range:      e61a7c9d0b58 -> 74c2b9e5f3d0
-- migrations (apply order):
--   74c2b9e5f3d0  normalise employee emails to lower case
-- run with:   sqlcmd -b -S SERVER -d DBNAME -i mssql/downgrade.sql
-- guard:      refuses to run unless alembic_version = 74c2b9e5f3d0
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
IF ISNULL(@found, N'') <> N'74c2b9e5f3d0'BEGIN
    DECLARE @message NVARCHAR(2048) = CASE WHEN @found = N'e61a7c9d0b58' THEN N'sqlrelease: nothing to do: release 1.3.0 is rolled back already: this server is at release 1.2.0 (e61a7c9d0b58)'
    ELSE CONCAT(N'sqlrelease guard: this server is at ', CASE WHEN @found IS NULL THEN N'no release (no alembic_version rows)'
        WHEN @found = N'74c2b9e5f3d0' THEN N'release 1.3.0 (74c2b9e5f3d0)'
        WHEN @found = N'8d41e6a0c2f9' THEN N'release 1.0.0 (8d41e6a0c2f9)'
        WHEN @found = N'c4b8e1f3a906' THEN N'release 1.1.0 (c4b8e1f3a906)'
        WHEN @found = N'e61a7c9d0b58' THEN N'release 1.2.0 (e61a7c9d0b58)'
        ELSE CONCAT(@found, N' (no release up to 1.3.0)') END, N'; downgrade.sql of release 1.3.0 needs release 1.3.0 (74c2b9e5f3d0); nothing was changed') END;
    THROW 50000, @message, 1;
END;
GO

-- downgrade 74c2b9e5f3d0: normalise employee emails to lower case
-- source: migrations/versions/0010_74c2b9e5f3d0_normalise_employee_emails_to_lower_case.py

-- 74c2b9e5f3d0 cannot be undone (downgrade() does nothing); the plan accepts that its changes stay.

UPDATE alembic_version SET version_num = N'e61a7c9d0b58' WHERE alembic_version.version_num = N'74c2b9e5f3d0';
IF @@ROWCOUNT <> 1
    THROW 50001, N'sqlrelease: downgrade.sql of release 1.3.0: moving alembic_version from 74c2b9e5f3d0 to e61a7c9d0b58: not exactly 1 row matched', 1;
GO

COMMIT TRANSACTION;
GO

PRINT N'sqlrelease: downgrade.sql of release 1.3.0 done: this server is at release 1.2.0 (e61a7c9d0b58)';
GO
