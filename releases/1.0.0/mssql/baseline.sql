-- sqlrelease baseline script
-- release:    1.0.0 (starts at base)
-- dialect:    mssql (SQL Server)
-- range:      base -> 8d41e6a0c2f9
-- migrations (apply order):
--   3f2a9c1e7b40  create employees
--   8d41e6a0c2f9  create department
-- run with:   sqlcmd -b -S SERVER -d DBNAME -i mssql/baseline.sql
-- guard:      refuses to run unless alembic_version = none (no version table, or an empty one)
-- note:       This file marks a server whose schema is at this release already (made by db.create_all(), a restore, a copy) as being at it: it refuses unless the version table is empty or absent, and changes nothing else.
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
IF @found IS NOT NULLBEGIN
    DECLARE @message NVARCHAR(2048) = CASE WHEN @found = N'8d41e6a0c2f9' THEN N'sqlrelease: nothing to do: release 1.0.0 is recorded already: this server is at release 1.0.0 (8d41e6a0c2f9)'
    ELSE CONCAT(N'sqlrelease guard: this server is at ', CASE WHEN @found IS NULL THEN N'no release (no alembic_version rows)'
        WHEN @found = N'3f2a9c1e7b40' THEN N'partway through release 1.0.0 (3f2a9c1e7b40, 1 of 2 migrations)'
        WHEN @found = N'8d41e6a0c2f9' THEN N'release 1.0.0 (8d41e6a0c2f9)'
        ELSE CONCAT(@found, N' (no release up to 1.0.0)') END, N'; baseline.sql of release 1.0.0 needs an empty database (no alembic_version rows); nothing was changed') END;
    THROW 50000, @message, 1;
END;
GO

IF OBJECT_ID(N'alembic_version', N'U') IS NULL
CREATE TABLE alembic_version (
    version_num VARCHAR(32) NOT NULL,
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
GO

INSERT INTO alembic_version (version_num) VALUES (N'8d41e6a0c2f9');
GO

COMMIT TRANSACTION;
GO

PRINT N'sqlrelease: baseline.sql of release 1.0.0 done: this server is at release 1.0.0 (8d41e6a0c2f9)';
GO
