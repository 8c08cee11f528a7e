"""The tables, as the last migration leaves them."""

from app import db


class Employee(db.Model):
    __tablename__ = "employees"
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(100), nullable=False)
    email = db.Column(db.String(120))


class Department(db.Model):
    __tablename__ = "departments"  # created as "department", renamed in 1.1.0
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(50), nullable=False)
    location = db.Column(db.String(120))  # was "address"


class Recruit(db.Model):
    __tablename__ = "recruits"
    id = db.Column(db.Integer, primary_key=True)
    first_name = db.Column(db.String(100), nullable=False)
    surname = db.Column(db.String(100), nullable=False)
    chat_name = db.Column(db.String(64))
    github_name = db.Column(db.String(39))
    id_number = db.Column(db.String(32), nullable=False, unique=True)
    # Required and unique, added in three safe steps (1.2.0).
    personal_email_address = db.Column(db.String(255), nullable=False, unique=True)
