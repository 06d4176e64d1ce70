from . import loader  # noqa: F401  (registers the flask-login user loader)
from .views import bp

__all__ = ["bp"]
