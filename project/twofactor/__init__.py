"""Two-factor sign-in: authenticator-app codes (TOTP) with recovery codes."""

from .views import begin_second_step, bp

__all__ = ["begin_second_step", "bp"]
