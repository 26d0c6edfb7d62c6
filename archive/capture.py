"""Fetching pages with ``requests`` while ``warcio.capture_http`` records the wire bytes.

Import order used to matter: ``warcio.capture_http`` replaces
``http.client.HTTPConnection`` and urllib3 subclasses whatever is there when *it*
is imported, so if urllib3 came first nothing was recorded and nothing said so.
Our connection classes therefore list ``RecordingHTTPConnection`` as a base
explicitly: recording works whichever was imported first, and
``check_recording()`` asserts it.

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

import contextlib
import email.utils
import ipaddress
import socket
import threading
import time
import urllib.robotparser
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

# isort: off
# warcio.capture_http must be imported before requests/urllib3 (see the module doc).
import warcio.capture_http  # noqa: F401
from warcio.capture_http import RecordingHTTPConnection, capture_http

import requests
import urllib3
from requests.adapters import HTTPAdapter
from requests.utils import requote_uri
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

# isort: on
from .payload import PayloadError, decode_content, http_parts, split_head

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


class _Budget:
    """Network time left for one fetch, shared by its hops and retries."""

    def __init__(self, seconds: float):
        """Start with the whole deadline."""
        self.total = seconds
        self.spent = 0.0

    def left(self) -> float:
        """Seconds of network time still allowed."""
        return self.total - self.spent


class Fetcher:
    """Polite, bounded HTTP fetching with every exchange recorded."""

    def __init__(
        self,
        *,
        user_agent: str = USER_AGENT,
        deadline: float = 30.0,
        max_bytes: int = 20 * 1024 * 1024,
        max_redirects: int = MAX_REDIRECTS,
        retries: int = 2,
        delay: float = 1.0,
        respect_robots: bool = True,
        sleep: Callable[[float], None] = time.sleep,
        max_retry_wait: float = 60.0,
        proxy: str | None = None,
    ):
        """Configure limits; nothing is fetched yet. ``proxy``: an http:// proxy for all."""
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
        self._robots_locks: dict[str, threading.Lock] = {}
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
        """Whether robots.txt allows ``url``; returns the robots exchanges made to learn it.

        Follows RFC 9309: redirects are followed (up to 5); a 5xx answer means
        "disallow all" for now; other 4xx (but 401/403) and an unreachable
        robots.txt allow everything. The file is read content-decoded.
        """
        if not self.respect_robots:
            return True, []
        check_target(url)
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        made: list[Exchange] = []
        with self._meta:
            lock = self._robots_locks.setdefault(origin, threading.Lock())
        with lock:  # one robots.txt fetch per origin, even with many threads
            with self._meta:
                known = origin in self._robots
            if not known:
                parser = self._load_robots(origin + "/robots.txt", made)
                with self._meta:
                    self._robots[origin] = parser
                    self.robots_exchanges.extend(made)
        with self._meta:
            parser = self._robots.get(origin)
        return (parser is None or parser.can_fetch(self.user_agent, url)), made

    def _load_robots(
        self, url: str, made: list[Exchange]
    ) -> urllib.robotparser.RobotFileParser | None:
        """Fetch and parse one robots.txt; None means "no rules" (everything allowed)."""
        try:
            # No retries: a 5xx already means "disallow all" (RFC 9309).
            result = self.fetch(url, max_redirects=MAX_ROBOTS_REDIRECTS, retries=0)
        except FetchError:
            return None
        made.extend(result.exchanges)
        ex = result.final
        parser = urllib.robotparser.RobotFileParser()
        if ex.status in (401, 403) or 500 <= ex.status <= 599:
            parser.parse(["User-agent: *", "Disallow: /"])
            return parser
        if ex.status != 200 or (ex.error and not ex.truncated):
            return None
        try:
            text = decode_content(
                ex.body, ex.headers.get("content-encoding"), MAX_ROBOTS_BYTES + CHUNK
            )
        except PayloadError:
            return None
        # RFC 9309 lets a crawler stop at 500 KiB; the rules read so far still apply.
        parser.parse(text[:MAX_ROBOTS_BYTES].decode("utf-8", "replace").splitlines())
        return parser

    # -- fetching ----------------------------------------------------------
    def fetch(
        self, url: str, *, max_redirects: int | None = None, retries: int | None = None
    ) -> FetchResult:
        """Fetch ``url`` following up to ``max_redirects`` redirects, each hop recorded.

        Raises FetchError (before any I/O) for a non-http(s) URL, and when the first
        hop gets no response at all. Later problems end the fetch early with the
        reason in ``final.error``.
        """
        limit = self.max_redirects if max_redirects is None else max_redirects
        tries = self.retries if retries is None else retries
        result = FetchResult()
        budget = _Budget(self.deadline)
        current = url
        seen = 0
        while True:
            check_target(current)
            try:
                ex = self._with_retries(current, budget, tries)
            except FetchError as exc:
                if not result.exchanges:
                    raise
                result.final.error = f"redirect target failed: {exc}"
                return result
            result.exchanges.append(ex)
            location = ex.headers.get("location")
            if ex.status not in REDIRECT_STATUSES or not location or ex.error:
                return result
            seen += 1
            if seen > limit:
                ex.error = f"stopped after {limit} redirects: more than {limit} redirects"
                return result
            nxt = urljoin(current, _location(location))
            try:
                check_target(nxt)
            except FetchError as exc:
                ex.error = f"redirect {exc}"
                return result
            nxt = requote_uri(nxt)  # a Location may carry raw non-ASCII or spaces
            if budget.left() <= 0:
                ex.error = (
                    f"{nxt}: not fetched, the {_secs(self.deadline)} s deadline was used up "
                    f"after {seen} redirects"
                )
                return result
            current = nxt

    def _with_retries(self, url: str, budget: _Budget, retries: int) -> Exchange:
        """Fetch once, retrying 429/5xx with backoff that honours Retry-After."""
        attempt = 0
        while True:
            ex = self._one(url, budget)
            if ex.status not in RETRY_STATUSES or attempt >= retries or ex.error:
                return ex
            attempt += 1
            wait = min(self.max_retry_wait, 2.0**attempt)
            asked = _retry_after(ex.headers.get("retry-after", ""))
            if asked is not None:
                if asked > self.max_retry_wait:
                    # Retrying sooner than asked is rude; give the answer back instead.
                    ex.error = (
                        f"{url}: HTTP {ex.status}, Retry-After {_secs(asked)} s is longer "
                        f"than the {_secs(self.max_retry_wait)} s we wait"
                    )
                    return ex
                wait = asked
            if budget.left() <= 0:
                ex.error = f"{url}: HTTP {ex.status}; no time left to retry"
                return ex
            self.sleep(wait)

    def _one(self, url: str, budget: _Budget | None = None) -> Exchange:
        """One HTTP GET under the deadline, size cap and politeness; the wire bytes recorded."""
        budget = budget or _Budget(self.deadline)
        host = urlsplit(url).netloc.lower()
        lock = self._host_lock(host)
        with lock:
            self._wait_turn(host)
            started = time.monotonic()
            try:
                return self._get(url, max(budget.left(), 0.001))
            finally:
                now = time.monotonic()
                budget.spent += now - started
                self._last[host] = now

    def _get(self, url: str, seconds: float) -> Exchange:
        """Do the request within ``seconds``; collect what the recorder saw and what we read."""
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

        deadline = _Deadline(seconds, self.deadline)
        _local.deadline = deadline
        status, headers, body = 0, {}, b""
        truncated = error = None
        session = requests.Session()
        session.mount("http://", _Adapter())
        session.mount("https://", _Adapter())
        # Not trust_env: it would also add ~/.netrc credentials to the request, and
        # the request is archived. Environment proxies are still honoured.
        session.trust_env = False
        if self.proxy:
            session.proxies = {"http": self.proxy, "https": self.proxy}
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
                            "User-Agent": self.user_agent,
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
                        if size > self.max_bytes:
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


def _location(value: str) -> str:
    """A Location header as text: its bytes are UTF-8 in practice, though read as latin-1."""
    value = value.strip()
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def _retry_after(value: str) -> float | None:
    """Seconds asked for by a Retry-After header (delta-seconds or HTTP-date), if valid."""
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - time.time())


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


def deadline_seconds(deadline: _Deadline) -> float:
    """The configured length of a deadline."""
    return float(deadline.total)
