"""Two-factor sign-in: authenticator-app codes (TOTP) with recovery codes, and passkeys."""

from . import passkey_views  # noqa: F401  (adds the passkey routes to bp)
from .views import begin_second_step, bp

__all__ = ["begin_second_step", "bp"]
