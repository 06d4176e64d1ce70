"""Passkeys (WebAuthn) as a second factor, with py_webauthn doing the verification.

A passkey is added beside the authenticator app (whose recovery codes cover a lost device),
and can then answer the sign-in's second step instead of a code. The relying party is this
site: its id is the host of the public URL (browsers refuse IP addresses: use a name, such as
localhost), the expected origin is that URL. Each ceremony's challenge lives in the signed
session for one use.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from flask import current_app, request, session
from flask_babel import gettext as _

from ..models import User, utcnow
from ..user_errors import UserError
from .models import Passkey

if TYPE_CHECKING:
    from webauthn.helpers.structs import PublicKeyCredentialDescriptor

log = logging.getLogger(__name__)

CHALLENGE = "webauthn_challenge"
MAX_NAME = Passkey.name.max_length  # the column, declared in twofactor/models.py


class PasskeyError(UserError):
    """The browser's answer was refused; the message says why, in one line."""


def webauthn_lib():
    """py_webauthn with its structs and exceptions, imported on the first passkey request:
    ~6 MiB in every worker (pyOpenSSL, pyasn1, cbor2...) that other requests never use."""
    import webauthn
    import webauthn.helpers.exceptions
    import webauthn.helpers.structs

    return webauthn


def origin() -> str:
    """The site's origin: the configured public URL, else the one this request came to."""
    public = current_app.config.get("PUBLIC_URL") or request.host_url
    parts = urlsplit(public)
    return f"{parts.scheme}://{parts.netloc}"


def rp_id() -> str:
    return urlsplit(origin()).hostname or ""


def passkeys_of(user: User) -> list[Passkey]:
    return list(Passkey.select().where(Passkey.user == user.id).order_by(Passkey.id))


def descriptors(user: User) -> list[PublicKeyCredentialDescriptor]:
    webauthn = webauthn_lib()
    ids = [webauthn.base64url_to_bytes(p.credential_id) for p in passkeys_of(user)]
    descriptor = webauthn.helpers.structs.PublicKeyCredentialDescriptor
    return [descriptor(id=credential_id) for credential_id in ids]


def remember_challenge(challenge: bytes, purpose: str, user: User) -> None:
    value = webauthn_lib().helpers.bytes_to_base64url(challenge)
    session[CHALLENGE] = {"value": value, "for": purpose, "user": user.id}


def take_challenge(purpose: str, user: User) -> bytes:
    stored = session.pop(CHALLENGE, None) or {}
    if stored.get("for") != purpose or stored.get("user") != user.id:
        raise PasskeyError(_("no passkey request is under way: try again"))
    return webauthn_lib().base64url_to_bytes(stored["value"])


def registration_options(user: User) -> str:
    webauthn = webauthn_lib()
    structs = webauthn.helpers.structs
    options = webauthn.generate_registration_options(
        rp_id=rp_id(),
        rp_name=current_app.config["SITE_NAME"],
        user_name=user.email,
        user_id=str(user.id).encode(),
        exclude_credentials=descriptors(user),
        authenticator_selection=structs.AuthenticatorSelectionCriteria(
            resident_key=structs.ResidentKeyRequirement.PREFERRED,
            user_verification=structs.UserVerificationRequirement.PREFERRED,
        ),
    )
    remember_challenge(options.challenge, "register", user)
    return webauthn.options_to_json(options)


def finish_registration(user: User, credential: dict, name: str) -> Passkey:
    name = (name or "").strip()[:MAX_NAME] or "Passkey"
    webauthn = webauthn_lib()
    try:
        verified = webauthn.verify_registration_response(
            credential=json.dumps(credential),
            expected_challenge=take_challenge("register", user),
            expected_rp_id=rp_id(),
            expected_origin=origin(),
        )
    except (webauthn.helpers.exceptions.WebAuthnException, ValueError, KeyError, TypeError) as exc:
        raise PasskeyError(_("the passkey was not accepted: %(reason)s", reason=exc)) from None
    passkey = Passkey.create(
        user=user.id,
        credential_id=webauthn.helpers.bytes_to_base64url(verified.credential_id),
        public_key=webauthn.helpers.bytes_to_base64url(verified.credential_public_key),
        sign_count=verified.sign_count,
        name=name,
    )
    log.info("passkey %s added for user %s", passkey.id, user.id)
    return passkey


def authentication_options(user: User) -> str:
    webauthn = webauthn_lib()
    options = webauthn.generate_authentication_options(
        rp_id=rp_id(),
        allow_credentials=descriptors(user),
        user_verification=webauthn.helpers.structs.UserVerificationRequirement.PREFERRED,
    )
    remember_challenge(options.challenge, "authenticate", user)
    return webauthn.options_to_json(options)


def finish_authentication(user: User, credential: dict) -> Passkey:
    """Verify the assertion against the user's stored key; the sign count must move on."""
    challenge = take_challenge("authenticate", user)
    passkey = Passkey.get_or_none(
        (Passkey.user == user.id) & (Passkey.credential_id == str(credential.get("id", "")))
    )
    if passkey is None:
        raise PasskeyError(_("that passkey is not registered for this account"))
    webauthn = webauthn_lib()
    try:
        verified = webauthn.verify_authentication_response(
            credential=json.dumps(credential),
            expected_challenge=challenge,
            expected_rp_id=rp_id(),
            expected_origin=origin(),
            credential_public_key=webauthn.base64url_to_bytes(passkey.public_key),
            credential_current_sign_count=passkey.sign_count,
        )
    except (webauthn.helpers.exceptions.WebAuthnException, ValueError, KeyError, TypeError) as exc:
        raise PasskeyError(_("the passkey answer was refused: %(reason)s", reason=exc)) from None
    passkey.sign_count = verified.new_sign_count
    passkey.last_used_at = utcnow()
    passkey.save(only=[Passkey.sign_count, Passkey.last_used_at])
    return passkey


def rename(user: User, passkey_id: int, name: str) -> bool:
    name = (name or "").strip()[:MAX_NAME]
    if not name:
        return False
    query = Passkey.update(name=name).where((Passkey.id == passkey_id) & (Passkey.user == user.id))
    return query.execute() == 1


def delete(user: User, passkey_id: int) -> bool:
    query = Passkey.delete().where((Passkey.id == passkey_id) & (Passkey.user == user.id))
    return query.execute() == 1
