-- sqlrelease stamp script
-- release:    1.3.0 (follows 1.2.0)
-- dialect:    mssql (SQL Server)
-- range:      e61a7c9d0b58 -> 74c2b9e5f3d0
-- migrations (apply order):
--   74c2b9e5f3d0  normalise employee emails to lower case
-- run with:   sqlcmd -b -S SERVER -d DBNAME -i mssql/stamp.sql
-- guard:      refuses to run unless alembic_version = e61a7c9d0b58
-- note:       This file changes only the version table, for a server whose schema was brought to this release by other means.
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
    DECLARE @message NVARCHAR(2048) = CASE WHEN @found = N'74c2b9e5f3d0' THEN N'sqlrelease: nothing to do: release 1.3.0 is stamped already: this server is at release 1.3.0 (74c2b9e5f3d0)'
    ELSE CONCAT(N'sqlrelease guard: this server is at ', CASE WHEN @found IS NULL THEN N'no release (no alembic_version rows)'
        WHEN @found = N'74c2b9e5f3d0' THEN N'release 1.3.0 (74c2b9e5f3d0)'
        WHEN @found = N'8d41e6a0c2f9' THEN N'release 1.0.0 (8d41e6a0c2f9)'
        WHEN @found = N'c4b8e1f3a906' THEN N'release 1.1.0 (c4b8e1f3a906)'
        WHEN @found = N'e61a7c9d0b58' THEN N'release 1.2.0 (e61a7c9d0b58)'
        ELSE CONCAT(@found, N' (no release up to 1.3.0)') END, N'; stamp.sql of release 1.3.0 needs release 1.2.0 (e61a7c9d0b58); nothing was changed') END;
    THROW 50000, @message, 1;
END;
GO

UPDATE alembic_version SET version_num = N'74c2b9e5f3d0' WHERE alembic_version.version_num = N'e61a7c9d0b58';
IF @@ROWCOUNT <> 1
    THROW 50001, N'sqlrelease: stamp.sql of release 1.3.0: moving alembic_version from e61a7c9d0b58 to 74c2b9e5f3d0: not exactly 1 row matched', 1;
GO

DROP TABLE IF EXISTS sqlrelease_unstamped;
GO

COMMIT TRANSACTION;
GO

PRINT N'sqlrelease: stamp.sql of release 1.3.0 done: this server is at release 1.3.0 (74c2b9e5f3d0)';
GO
