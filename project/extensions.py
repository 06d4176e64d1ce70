"""Extensions created unbound here and bound to an app in `create_app`."""

from flask_login import LoginManager
from flask_wtf import CSRFProtect
from peewee import DatabaseProxy

# Every model binds to this proxy; `database.init_app` points it at a real database.
db = DatabaseProxy()
login_manager = LoginManager()
csrf = CSRFProtect()
