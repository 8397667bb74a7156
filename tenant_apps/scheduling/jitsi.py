"""The Jitsi Meet adapter: the only module that knows Jitsi (its token, its script, its origin).

Token authentication (prosody `token` auth with an app id and secret, HS256): `iss` is the app id,
`aud` the configured audience, `sub` the Jitsi tenant, `room` the one room the token opens (never
`*`), `nbf`/`exp` the window in which it works, and `context.user` carries string values only.
Jitsi makes every token holder a moderator unless the token says otherwise, so `moderator` is
always present: "true" for staff, "false" for citizens (who then wait in the lobby).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

import jwt
from django.conf import settings


@dataclass(frozen=True)
class JitsiJoin:
    """What the room page needs to start the IFrame API."""

    domain: str
    room_name: str
    token: str
    script_url: str
    is_moderator: bool


def jitsi_is_configured() -> bool:
    return bool(settings.JITSI_DOMAIN and settings.JITSI_APP_ID and settings.JITSI_APP_SECRET)


def jitsi_origin() -> str:
    return f"{settings.JITSI_SCHEME}://{settings.JITSI_DOMAIN}"


def jitsi_script_url() -> str:
    return f"{jitsi_origin()}/external_api.js"


def jitsi_csp_sources() -> dict[str, list[str]]:
    """The Content-Security-Policy sources the room page needs: the IFrame API script and the frame,
    from the configured Jitsi origin only (django-csp's middleware reads them from `response._csp_update`)."""
    if not jitsi_is_configured():
        return {}
    return {"script-src": [jitsi_origin()], "frame-src": [jitsi_origin()]}


def jitsi_room_name_new() -> str:
    """128 random bits: a room nobody can guess or enumerate."""
    return f"paco-{secrets.token_hex(16)}"


def jitsi_token(
    *,
    room_name: str,
    user_name: str,
    user_email: str,
    is_moderator: bool,
    not_before: dt.datetime,
    expires: dt.datetime,
) -> str:
    payload = {
        "iss": settings.JITSI_APP_ID,
        "aud": settings.JITSI_AUDIENCE,
        "sub": settings.JITSI_TENANT,
        "room": room_name,
        "nbf": int(not_before.timestamp()),
        "exp": int(expires.timestamp()),
        "context": {
            "user": {
                "name": str(user_name),
                "email": str(user_email),
                "moderator": "true" if is_moderator else "false",
            }
        },
    }
    return jwt.encode(payload, settings.JITSI_APP_SECRET, algorithm="HS256")


def jitsi_join(
    *,
    room_name: str,
    user_name: str,
    user_email: str,
    is_moderator: bool,
    not_before: dt.datetime,
    expires: dt.datetime,
) -> JitsiJoin:
    return JitsiJoin(
        domain=settings.JITSI_DOMAIN,
        room_name=room_name,
        token=jitsi_token(
            room_name=room_name,
            user_name=user_name,
            user_email=user_email,
            is_moderator=is_moderator,
            not_before=not_before,
            expires=expires,
        ),
        script_url=jitsi_script_url(),
        is_moderator=is_moderator,
    )
