from . import token_views  # noqa: F401  (routes on bp)
from .views import bp

__all__ = ["bp"]
