"""A small Flask app from the tutorials: employees, departments and recruits.

In development `flask --app app db upgrade` creates its SQLite database; the
servers in production get their schema from sqlrelease bundles instead.
"""

import os

from flask import Flask
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = os.environ.get("DATABASE_URL", "sqlite:///app.db")
db = SQLAlchemy(app)
migrate = Migrate(app, db)

import models  # noqa: E402,F401  (the models register their tables with db)
