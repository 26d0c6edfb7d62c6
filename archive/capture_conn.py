"""The wire layer under ``archive.capture``: connections, deadline watchdog, one recorded GET.

``requests``' timeout is per read, so each request registers the sockets it
opens with a ``_Deadline`` whose watchdog shuts them down when the time is up.
Under ``public_only()`` a connection whose peer is not a public address is
closed before a byte is sent. ``_local`` is the one thread-local both read:
``get_recorded`` sets ``_local.deadline`` for the request it is making.
``get_recorded`` makes one GET through our adapter while
``warcio.capture_http`` records the bytes, and returns them as an ``Exchange``;
redirects, retries, robots.txt and politeness are the ``Fetcher``'s.

Our connection classes list warcio's ``RecordingHTTPConnection`` as a base
explicitly, so recording never depends on whether urllib3 or
``warcio.capture_http`` was imported first.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

# isort: off
# warcio.capture_http must be imported before requests/urllib3 (see archive.capture).
import warcio.capture_http  # noqa: F401
from warcio.capture_http import RecordingHTTPConnection, capture_http

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

# isort: on
from .payload import PayloadError, http_parts, split_head

CHUNK = 64 * 1024


class FetchError(Exception):
    """A fetch that produced no usable response; the message says why."""


def check_recording() -> None:
    """Raise if our connections would not be recorded by warcio (captures would be empty)."""
    for cls in (_HTTPConnection, _HTTPSConnection):
        if not issubclass(cls, RecordingHTTPConnection):
            raise FetchError(
                "internal error: HTTP connections are not recorded by warcio.capture_http, "
                "so captures would record nothing"
            )


class _Deadline:
    """The deadline for one request: when it passes, every socket it opened is shut.

    ``seconds`` is what is left of the fetch's budget; ``total`` is the configured
    deadline, named in messages.
    """

    def __init__(self, seconds: float, total: float | None = None):
        """Start the clock."""
        self.total = seconds if total is None else total
        self.end = time.monotonic() + seconds
        self.expired = False
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        self.timer = threading.Timer(seconds, self.expire)
        self.timer.daemon = True
        self.timer.start()

    def add(self, sock: socket.socket) -> None:
        """Register a socket opened for this fetch."""
        with self.lock:
            self.sockets.append(sock)
            if self.expired:
                _shutdown(sock)

    def expire(self) -> None:
        """Deadline reached: shut down the fetch's sockets so blocked reads return."""
        with self.lock:
            self.expired = True
            for s in self.sockets:
                _shutdown(s)

    def cancel(self) -> None:
        """Stop the watchdog (the fetch finished in time)."""
        self.timer.cancel()


def _shutdown(sock: socket.socket) -> None:
    """Shut a socket down, ignoring one already closed."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


_local = threading.local()


PEER_REFUSED = "a private or loopback address:"


def is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether an address is an ordinary public one (not private, loopback, link-local …)."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


@contextlib.contextmanager
def public_only() -> Iterator[None]:
    """Within the block, connections made by this thread to a non-public address are closed
    before a byte is sent (the host's DNS answer is checked where it is used, so a name that
    resolves to a public address for a check and to a private one for the fetch is caught)."""
    before = getattr(_local, "public_only", False)
    _local.public_only = True
    try:
        yield
    finally:
        _local.public_only = before


class _DeadlineMixin:
    """Registers each new connection's socket with the current fetch's deadline, and checks
    its peer address when the thread fetches for someone else (``public_only``)."""

    sock: Any
    host: str

    def _new_conn(self) -> socket.socket:
        """Open the TCP connection; refuse a non-public peer under ``public_only``."""
        sock: socket.socket = super()._new_conn()  # type: ignore[misc]
        if getattr(_local, "public_only", False) and not getattr(self, "proxy", None):
            peer = str(sock.getpeername()[0]).split("%")[0]
            if not is_public(ipaddress.ip_address(peer)):
                sock.close()
                raise urllib3.exceptions.NewConnectionError(
                    self,  # type: ignore[arg-type]
                    f"{PEER_REFUSED} {peer} ({self.host} resolved to it when connecting)",
                )
        return sock

    def connect(self) -> None:
        """Connect, then hand the socket to the watchdog."""
        super().connect()  # type: ignore[misc]
        deadline = getattr(_local, "deadline", None)
        if deadline is not None and self.sock is not None:
            deadline.add(self.sock)


# RecordingHTTPConnection is listed explicitly: when urllib3 was imported before
# warcio.capture_http its classes derive from the unpatched http.client class and
# would record nothing; with it in our bases, recording never depends on import order.
class _HTTPConnection(_DeadlineMixin, urllib3.connection.HTTPConnection, RecordingHTTPConnection):
    """HTTP connection under a deadline, recorded by warcio."""


class _HTTPSConnection(_DeadlineMixin, urllib3.connection.HTTPSConnection, RecordingHTTPConnection):
    """HTTPS connection under a deadline, recorded by warcio."""


class _HTTPPool(HTTPConnectionPool):
    """Pool creating deadline-aware HTTP connections."""

    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    """Pool creating deadline-aware HTTPS connections."""

    ConnectionCls = _HTTPSConnection


class _Adapter(HTTPAdapter):
    """requests adapter using the deadline-aware pools."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        """Install our pool classes."""
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}


def deadline_seconds(deadline: _Deadline) -> float:
    """The configured length of a deadline."""
    return float(deadline.total)


@dataclass
class Exchange:
    """One HTTP request/response as it went over the wire, plus what we read of it."""

    url: str
    request: bytes
    response: bytes
    ip: str | None
    status: int
    headers: dict[str, str]
    body: bytes
    truncated: str | None = None
    error: str | None = None


def get_recorded(
    url: str, seconds: float, *, total: float, user_agent: str, max_bytes: int, proxy: str | None
) -> Exchange:
    """GET ``url`` within ``seconds`` (``total``: the configured deadline, for messages);
    collect what the recorder saw and what we read, the body capped at ``max_bytes``."""
    captured: dict[str, Any] = {}

    def stash(request: Any, response: Any, recorder: Any) -> tuple[None, None]:
        """Keep the raw bytes the recorder saw; warcio writes nothing itself."""
        recorder.request_out.seek(0)
        recorder.response_out.seek(0)
        captured["request"] = recorder.request_out.read()
        captured["response"] = recorder.response_out.read()
        captured["ip"] = recorder.warc_headers.get("WARC-IP-Address")
        captured["url"] = recorder.url
        return None, None

    deadline = _Deadline(seconds, total)
    _local.deadline = deadline
    status, headers, body = 0, {}, b""
    truncated = error = None
    session = requests.Session()
    session.mount("http://", _Adapter())
    session.mount("https://", _Adapter())
    # Not trust_env: it would also add ~/.netrc credentials to the request, and
    # the request is archived. Environment proxies are still honoured.
    session.trust_env = False
    if proxy:
        session.proxies = {"http": proxy, "https": proxy}
    else:
        session.proxies = requests.utils.get_environ_proxies(url)
    # The watchdog ends a stalled read at the deadline; the per-read timeout only
    # matters for long deadlines (a 10 s silence is reported as "timed out"), and
    # connecting (before the watchdog has the socket) gets what is left.
    connect = min(10.0, seconds)
    per_read = min(10.0, seconds + 1.0)
    try:
        with capture_http(filter_func=stash):
            try:
                resp = session.get(
                    url,
                    stream=True,
                    allow_redirects=False,
                    timeout=(connect, per_read),
                    headers={
                        "User-Agent": user_agent,
                        "Accept-Encoding": "gzip, deflate",
                        "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
                    },
                )
            except requests.RequestException as exc:
                raise FetchError(_describe(exc, deadline, url)) from None
            status = resp.status_code
            headers = {k.lower(): v for k, v in resp.headers.items()}
            chunks: list[bytes] = []
            size = 0
            try:
                for chunk in resp.raw.stream(CHUNK, decode_content=False):
                    chunks.append(chunk)
                    size += len(chunk)
                    if size > max_bytes:
                        truncated = "length"
                        break
            except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
                truncated = "time" if deadline.expired else "disconnect"
                error = _describe(exc, deadline, url)
            # The watchdog's shutdown can look like a clean end of a body that is
            # delimited by the connection closing: the deadline decides.
            if deadline.expired and truncated != "length":
                truncated = "time"
                error = error or _describe(None, deadline, url)
            body = b"".join(chunks)
            resp.close()
    finally:
        deadline.cancel()
        _local.deadline = None
        session.close()
    if "response" not in captured:
        raise FetchError(f"{url}: nothing was recorded (connection closed before a response)")
    head, _ = split_head(captured["response"])
    if head != captured["response"]:
        headers = _header_dict(captured["response"]) or headers
    else:
        # http.client takes a connection closed inside the headers for their end;
        # a response without its blank line is not a response.
        why = (
            f"headers not complete within the {_secs(deadline.total)} s deadline"
            if deadline.expired
            else "connection closed inside the response headers"
        )
        raise FetchError(f"{url}: {why}")
    return Exchange(
        url=url,
        request=captured["request"],
        response=captured["response"],
        ip=captured.get("ip"),
        status=status,
        headers=headers,
        body=body,
        truncated=truncated,
        error=error,
    )


def _header_dict(response: bytes) -> dict[str, str]:
    """Headers of a recorded response, names lowercased, repeats joined by ', '.

    Parsed from the recorded bytes rather than taken from http.client, which stops
    at the first header name that is not plain ASCII and drops the rest.
    """
    try:
        _, parsed, _ = http_parts(response)
    except PayloadError:
        return {}
    out: dict[str, str] = {}
    for name, value in parsed:
        key = name.lower()
        out[key] = f"{out[key]}, {value}" if key in out else value
    return out


def _secs(seconds: float) -> str:
    """Seconds for messages: ``2``, ``0.3``."""
    return f"{seconds:g}"


def _describe(exc: BaseException | None, deadline: _Deadline, url: str) -> str:
    """A one-line reason for a failed fetch."""
    if deadline.expired or exc is None:
        return f"{url}: no complete response within the {_secs(deadline.total)} s deadline"
    text = str(exc).split("\n")[0]
    if "timed out" in text.lower() or isinstance(exc, requests.Timeout):
        return f"{url}: timed out"
    if isinstance(exc, requests.ConnectionError):
        if PEER_REFUSED in str(exc):  # public_only closed the connection
            peer = str(exc).split(PEER_REFUSED, 1)[1].split()[0]
            return f"{url}: refused: {PEER_REFUSED} {peer}"
        return f"{url}: connection failed ({text[:200]})"
    return f"{url}: {type(exc).__name__}: {text[:200]}"
