from . import email_views, loader  # noqa: F401  (routes on bp; the flask-login user loader)
from .views import bp

__all__ = ["bp"]
