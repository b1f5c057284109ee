"""Bodies of the session routes and their mapping from the core's ``Session``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from avatar_service.core.records import Page, Session
from avatar_service.entrypoints.http.schemas.bounds import FreeObject
from avatar_service.entrypoints.http.schemas.tenancy import TenantField


def session_url(session_id: str) -> str:
    return f"/v1/sessions/{session_id}"


class SessionCreateRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A new session of ``avatar_id``; ``session_id`` omitted: one is generated."""

    avatar_id: str
    session_id: str | None = None
    metadata: FreeObject = msgspec.field(default_factory=dict)


class SessionResponse(msgspec.Struct, kw_only=True):
    session_id: str
    avatar_id: str
    metadata: dict[str, Any]
    created_at: datetime
    tenant: TenantField


class SessionListResponse(msgspec.Struct, kw_only=True):
    """One page, oldest first; pass ``next_cursor`` as ``cursor`` for the next (null: the end)."""

    sessions: list[SessionResponse]
    count: int
    next_cursor: str | None


def to_session_response(session: Session) -> SessionResponse:
    return SessionResponse(
        session_id=session.session_id,
        avatar_id=session.avatar_id,
        metadata=session.metadata,
        created_at=session.created_at,
        tenant=session.tenant,
    )


def to_session_list(page: Page[Session]) -> SessionListResponse:
    sessions = [to_session_response(s) for s in page.items]
    return SessionListResponse(sessions=sessions, count=len(sessions), next_cursor=page.next_cursor)
