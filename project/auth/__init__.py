from . import email_views, loader  # noqa: F401  (routes on bp; the flask-login user loader)
from .service import dummy_hash
from .views import bp

__all__ = ["bp"]

# At app start, not on the first unknown-email login (see service.dummy_hash).
bp.record_once(lambda state: dummy_hash(state.app.config))
