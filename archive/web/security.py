"""The reader's guard rails: Host allow-list, security headers, same-origin and CSRF checks.

Everything here wraps the whole application (outside Starlette's own error
handling), so error pages, 404s and 500s carry the same headers as any page.

- **Host** (DNS rebinding): only ``127.0.0.1:PORT``, ``localhost:PORT``,
  ``[::1]:PORT`` and the address the server was bound to are answered; anything
  else gets 403 on every route.
- **Headers**: every response gets a CSP (the reader's own unless the route set
  a stricter one, such as the replay route's ``sandbox``), ``nosniff``,
  ``Referrer-Policy: no-referrer``, a frame policy and a resource policy.
- **State changes** (any method but GET/HEAD) must be same-origin: the
  ``Origin`` header names this server, or, when the browser sends
  ``Origin: null`` (it does for POSTs under ``Referrer-Policy: no-referrer``),
  ``Sec-Fetch-Site: same-origin`` says so. A sandboxed archived page has an
  opaque origin, so its requests are ``cross-site`` and refused. Handlers then
  check the form's CSRF token (``check_token``).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

READER_CSP = (
    "default-src 'none'; script-src 'none'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SAFE_METHODS = ("GET", "HEAD")
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
COMMON_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
)


def host_names(bind_host: str) -> set[str]:
    """The host names (without port) this server answers to: loopback, plus the bound address."""
    names = set(LOOPBACK_NAMES)
    if bind_host and bind_host not in ("0.0.0.0", "::", ""):
        try:
            ip = ipaddress.ip_address(bind_host.strip("[]"))
        except ValueError:
            names.add(bind_host.lower())
        else:
            names.add(f"[{ip}]" if ip.version == 6 else str(ip))
    return names


def allowed_host(host: str, port: int, names: set[str]) -> bool:
    """Whether a ``Host`` header value names this server (exact, case-insensitive)."""
    host = host.strip().lower()
    candidates = {f"{n}:{port}" for n in names}
    if port == 80:
        candidates |= names
    return host in candidates


class Tokens:
    """CSRF tokens: an HMAC of a per-process secret, so a restart invalidates old forms."""

    def __init__(self, secret: bytes | None = None):
        """Use ``secret`` (tests) or a fresh random one."""
        self.secret = secret or secrets.token_bytes(32)

    def token(self, purpose: str = "form") -> str:
        """The token to put in this server's forms."""
        return hmac.new(self.secret, purpose.encode(), hashlib.sha256).hexdigest()

    def check(self, value: object, purpose: str = "form") -> bool:
        """Whether ``value`` is this server's token (constant-time comparison)."""
        return isinstance(value, str) and hmac.compare_digest(value, self.token(purpose))


def _header(scope: Scope, name: bytes) -> str | None:
    """One request header (the first), decoded as latin-1."""
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def same_origin(scope: Scope, host: str) -> bool:
    """Whether a state-changing request comes from this server's own pages."""
    own = f"http://{host.strip().lower()}"
    origin = _header(scope, b"origin")
    if origin is not None and origin != "null":
        return origin.lower() == own
    site = _header(scope, b"sec-fetch-site")
    if site is not None:
        return site == "same-origin"
    referer = _header(scope, b"referer")
    return referer is not None and (referer.lower() + "/").startswith(own + "/")


async def _plain(send: Send, status: int, text: str, extra: list[tuple[bytes, bytes]]) -> None:
    """Send a small text/plain response (used before the app runs)."""
    body = text.encode()
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class SecurityMiddleware:
    """ASGI middleware: Host allow-list, same-origin for state changes, headers everywhere."""

    def __init__(self, app: ASGIApp, bind_host: str = "127.0.0.1"):
        """Wrap ``app``; ``bind_host`` is the address the server listens on."""
        self.app = app
        self.names = host_names(bind_host)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse foreign hosts and cross-origin writes; add the headers to every response."""
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = [
            *COMMON_HEADERS,
            (b"content-security-policy", READER_CSP.encode()),
            (b"x-frame-options", b"DENY"),
            (b"cross-origin-resource-policy", b"same-origin"),
            (b"cache-control", b"no-store"),
        ]
        server = scope.get("server") or ("", 0)
        port = int(server[1] or 0)
        host = _header(scope, b"host") or ""
        if not allowed_host(host, port, self.names):
            await _plain(
                send, 403, "403 Forbidden: this server only answers to its own address\n", extra
            )
            return
        if scope["method"] not in SAFE_METHODS and not same_origin(scope, host):
            await _plain(send, 403, "403 Forbidden: cross-origin request refused\n", extra)
            return
        scope.setdefault("state", {})["origin"] = f"http://{host.strip().lower()}"

        async def send_with_headers(message: Message) -> None:
            """Add the security headers the handler did not set itself."""
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {bytes(k).lower() for k, _ in headers}
                headers += [(k, v) for k, v in extra if k not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
