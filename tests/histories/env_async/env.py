"""env.py of an asyncio application (Alembic's async template with the shared-connection recipe).

Online it runs on config.attributes["connection"] when the caller hands one over,
else it makes an AsyncEngine, which needs an async driver and greenlet.
"""
import asyncio

from sqlalchemy import engine_from_config, pool

from alembic import context

config = context.config


def run_migrations(connection):
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations(engine):
    async with engine.connect() as connection:
        await connection.run_sync(run_migrations)


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=None, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
elif config.attributes.get("connection") is not None:
    run_migrations(config.attributes["connection"])
else:
    from sqlalchemy.ext.asyncio import AsyncEngine  # needs greenlet and an async driver

    engine = AsyncEngine(engine_from_config(config.get_section(config.config_ini_section), prefix="sqlalchemy.",
                                            poolclass=pool.NullPool))
    asyncio.run(run_async_migrations(engine))
