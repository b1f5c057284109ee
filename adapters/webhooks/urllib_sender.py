"""The standard-library webhook sender: one POST per call, redirects refused."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any

from avatar_service.core.errors import Unavailable
from avatar_service.core.ports import WebhookSender


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a 3xx comes back as the answer, never followed


class UrllibWebhookSender(WebhookSender):
    """``WebhookSender`` over ``urllib.request``; safe to share between threads."""

    PLUGIN_NAME = "urllib"

    def __init__(self, user_agent: str = "avatar-service-webhooks") -> None:
        self._opener = urllib.request.build_opener(_NoRedirects())
        self._user_agent = user_agent

    def post(self, url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> int:
        request = urllib.request.Request(
            url, data=body, method="POST", headers={"User-Agent": self._user_agent, **headers}
        )
        try:
            with self._opener.open(request, timeout=timeout) as response:
                response.read(64 * 1024)
                return int(response.status)
        except urllib.error.HTTPError as exc:
            exc.close()
            return int(exc.code)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise Unavailable(f"no answer from the webhook receiver {url}: {reason}") from None

    def check(self) -> None:
        return None
