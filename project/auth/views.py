"""Accounts: register, log in, log out (filled in by the accounts work)."""

from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/auth")
