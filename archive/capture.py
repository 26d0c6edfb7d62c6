"""Fetching pages with ``requests`` while ``warcio.capture_http`` records the wire bytes.

Import order matters: ``warcio.capture_http`` replaces ``http.client.HTTPConnection``
and urllib3 subclasses whatever is there when *it* is imported. If urllib3 came
first, nothing is recorded and nothing says so; ``check_recording()`` turns that
silent failure into an error.

Our connection classes also list ``RecordingHTTPConnection`` as a base
explicitly, so recording works even when something imported ``requests`` first
(then urllib3's own classes do not record, but ours still do).

``requests``' timeout is per read (a server dripping a byte every half second
holds it forever), so every fetch also has a total deadline enforced by a
watchdog that shuts the socket down. The deadline covers the time spent on the
network over all hops of a fetch (redirects and retries); the polite delay
between requests to a host and a server's ``Retry-After`` (at most
``max_retry_wait``) come on top. Bodies over the size cap, or cut by the
deadline or the peer, are kept as what arrived and marked ``WARC-Truncated``; a
response whose headers never completed is a ``FetchError``.
"""

from __future__ import annotations

import email.utils
import ipaddress
import socket
import threading
import time
import urllib.robotparser
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import warcio.capture_http  # noqa: I001  (must precede requests/urllib3; see module doc)
from warcio.capture_http import RecordingHTTPConnection, capture_http

import requests  # noqa: E402
import urllib3  # noqa: E402
from requests.adapters import HTTPAdapter  # noqa: E402
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool  # noqa: E402

from .payload import PayloadError, decode_content, split_head  # noqa: E402

USER_AGENT = "cleaner/0.1 (offline news archiver; +https://pypi.org/project/cleaner/)"
MAX_REDIRECTS = 20
MAX_ROBOTS_REDIRECTS = 5
MAX_ROBOTS_BYTES = 512 * 1024
CHUNK = 64 * 1024
RETRY_STATUSES = (429, 500, 502, 503, 504)
REDIRECT_STATUSES = (301, 302, 303, 307, 308)


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
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


_local = threading.local()


class _DeadlineMixin:
    """Registers each new connection's socket with the current fetch's deadline."""

    sock: Any

    def connect(self) -> None:
        """Connect, then hand the socket to the watchdog."""
        super().connect()  # type: ignore[misc]
        deadline = getattr(_local, "deadline", None)
        if deadline is not None and self.sock is not None:
            deadline.add(self.sock)


# RecordingHTTPConnection is listed explicitly: when urllib3 was imported before
# warcio.capture_http its classes derive from the unpatched http.client class and
# would record nothing; with it in our bases, recording never depends on import order.
class _HTTPConnection(
    _DeadlineMixin, urllib3.connection.HTTPConnection, RecordingHTTPConnection
):
    """HTTP connection under a deadline, recorded by warcio."""


class _HTTPSConnection(
    _DeadlineMixin, urllib3.connection.HTTPSConnection, RecordingHTTPConnection
):
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


@dataclass
class FetchResult:
    """Every hop of a fetch (redirects included); ``final`` is the last one."""

    exchanges: list[Exchange] = field(default_factory=list)

    @property
    def final(self) -> Exchange:
        """The last exchange (the page itself, after redirects)."""
        return self.exchanges[-1]


def check_target(url: str, allow_private: bool = True) -> None:
    """Refuse non-http(s) targets (and, optionally, private addresses) before any I/O."""
    try:
        parts = urlsplit(url)
    except ValueError:
        raise FetchError(f"not a valid URL: {url!r}") from None
    if parts.scheme not in ("http", "https"):
        raise FetchError(f"refused {url!r}: only http and https URLs can be archived")
    if not parts.hostname:
        raise FetchError(f"refused {url!r}: no host")
    if not allow_private:
        try:
            addr = ipaddress.ip_address(parts.hostname)
        except ValueError:
            return
        if addr.is_private or addr.is_loopback or addr.is_link_local:
            raise FetchError(f"refused {url!r}: private or loopback address")


class Fetcher:
    """Polite, bounded HTTP fetching with every exchange recorded."""

    def __init__(self, *, user_agent: str = USER_AGENT, deadline: float = 30.0,
                 max_bytes: int = 20 * 1024 * 1024, max_redirects: int = MAX_REDIRECTS,
                 retries: int = 2, delay: float = 1.0, respect_robots: bool = True,
                 sleep: Callable[[float], None] = time.sleep, max_retry_wait: float = 60.0,
                 proxy: str | None = None):
        """Configure limits; nothing is fetched yet."""
        check_recording()
        self.user_agent = user_agent
        self.deadline = deadline
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.retries = retries
        self.delay = delay
        self.respect_robots = respect_robots
        self.sleep = sleep
        self.max_retry_wait = max_retry_wait
        self.proxy = proxy
        self._hosts: dict[str, threading.Lock] = {}
        self._last: dict[str, float] = {}
        self._robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}
        self._meta = threading.Lock()
        self.robots_exchanges: list[Exchange] = []

    # -- politeness --------------------------------------------------------
    def _host_lock(self, host: str) -> threading.Lock:
        """One request at a time per host."""
        with self._meta:
            return self._hosts.setdefault(host, threading.Lock())

    def _wait_turn(self, host: str) -> None:
        """Sleep until the polite delay since the last request to this host has passed."""
        last = self._last.get(host)
        if last is not None:
            wait = self.delay - (time.monotonic() - last)
            if wait > 0:
                self.sleep(wait)

    def allowed(self, url: str) -> tuple[bool, list[Exchange]]:
        """Whether robots.txt allows ``url``; returns the robots exchanges made to learn it."""
        if not self.respect_robots:
            return True, []
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        made: list[Exchange] = []
        with self._meta:
            known = origin in self._robots
        if not known:
            parser: urllib.robotparser.RobotFileParser | None = None
            try:
                ex = self._one(origin + "/robots.txt")
                made.append(ex)
                if ex.status == 200 and not ex.truncated:
                    parser = urllib.robotparser.RobotFileParser()
                    parser.parse(ex.body.decode("utf-8", "replace").splitlines())
                elif ex.status in (401, 403):
                    parser = urllib.robotparser.RobotFileParser()
                    parser.disallow_all = True
            except FetchError:
                parser = None
            with self._meta:
                self._robots[origin] = parser
        parser = self._robots.get(origin)
        return (parser is None or parser.can_fetch(self.user_agent, url)), made

    # -- fetching ----------------------------------------------------------
    def fetch(self, url: str) -> FetchResult:
        """Fetch ``url`` following up to ``max_redirects`` redirects, each hop recorded."""
        result = FetchResult()
        current = url
        seen = 0
        while True:
            check_target(current)
            ex = self._with_retries(current)
            result.exchanges.append(ex)
            location = ex.headers.get("location")
            if ex.status in (301, 302, 303, 307, 308) and location and not ex.error:
                seen += 1
                if seen > self.max_redirects:
                    ex.error = f"more than {self.max_redirects} redirects"
                    return result
                nxt = urljoin(current, location.strip())
                try:
                    check_target(nxt)
                except FetchError as exc:
                    ex.error = f"redirect {exc}"
                    return result
                current = nxt
                continue
            return result

    def _with_retries(self, url: str) -> Exchange:
        """Fetch once, retrying 429/5xx with backoff that honours Retry-After."""
        attempt = 0
        while True:
            ex = self._one(url)
            if ex.status not in (429, 500, 502, 503, 504) or attempt >= self.retries:
                return ex
            attempt += 1
            wait = min(self.max_retry_wait, 2.0 ** attempt)
            ra = ex.headers.get("retry-after", "").strip()
            if ra.isdigit():
                wait = min(self.max_retry_wait, float(ra))
            self.sleep(wait)

    def _one(self, url: str) -> Exchange:
        """One HTTP GET under the deadline, size cap and politeness; the wire bytes recorded."""
        host = urlsplit(url).netloc.lower()
        lock = self._host_lock(host)
        with lock:
            self._wait_turn(host)
            try:
                return self._get(url)
            finally:
                self._last[host] = time.monotonic()

    def _get(self, url: str) -> Exchange:
        """Do the request; collect what the recorder saw and what we read."""
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

        deadline = _Deadline(self.deadline)
        _local.deadline = deadline
        status, headers, body = 0, {}, b""
        truncated = error = None
        session = requests.Session()
        session.mount("http://", _Adapter())
        session.mount("https://", _Adapter())
        if self.proxy:
            session.trust_env = False
            session.proxies = {"http": self.proxy, "https": self.proxy}
        try:
            with capture_http(filter_func=stash):
                try:
                    resp = session.get(
                        url, stream=True, allow_redirects=False,
                        timeout=(min(10.0, self.deadline), min(10.0, self.deadline)),
                        headers={"User-Agent": self.user_agent,
                                 "Accept-Encoding": "gzip, deflate",
                                 "Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
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
                        if size > self.max_bytes:
                            truncated = "length"
                            break
                except (requests.RequestException, urllib3.exceptions.HTTPError,
                        OSError) as exc:
                    truncated = "time" if deadline.expired else "disconnect"
                    error = _describe(exc, deadline, url)
                body = b"".join(chunks)
                resp.close()
        finally:
            deadline.cancel()
            _local.deadline = None
            session.close()
        if "response" not in captured:
            raise FetchError(f"{url}: nothing was recorded (connection closed before a response)")
        return Exchange(url=url, request=captured["request"], response=captured["response"],
                        ip=captured.get("ip"), status=status, headers=headers, body=body,
                        truncated=truncated, error=error)


def _describe(exc: BaseException, deadline: _Deadline, url: str) -> str:
    """A one-line reason for a failed fetch."""
    if deadline.expired:
        return f"{url}: no complete response within the {deadline_seconds(deadline):.0f} s deadline"
    text = str(exc).split("\n")[0]
    if "timed out" in text.lower() or isinstance(exc, requests.Timeout):
        return f"{url}: timed out"
    if isinstance(exc, requests.ConnectionError):
        return f"{url}: connection failed ({text[:200]})"
    return f"{url}: {type(exc).__name__}: {text[:200]}"


def deadline_seconds(deadline: _Deadline) -> float:
    """The configured length of a deadline."""
    return float(deadline.timer.interval)
