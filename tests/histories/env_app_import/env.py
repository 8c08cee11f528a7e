"""env.py of an application: it imports the app's models for autogenerate."""
from alembic import context

from teams_app.models import metadata as target_metadata

context.configure(url=context.config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata, literal_binds=True)
with context.begin_transaction():
    context.run_migrations()
