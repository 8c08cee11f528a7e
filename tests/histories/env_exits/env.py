"""env.py that only runs under the project's own database command, which sets config.teams_settings."""
import sys

from alembic import context

config = context.config
try:
    settings = config.teams_settings
except AttributeError:
    print("Error: please use the teams-db-manage command for teams alembic actions.")
    sys.exit(1)

context.configure(url=settings.url, target_metadata=None, literal_binds=True)
with context.begin_transaction():
    context.run_migrations()
