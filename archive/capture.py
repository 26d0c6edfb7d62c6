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

import email.utils
import ipaddress
import threading
import time
import urllib.robotparser
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

# isort: off
# warcio.capture_http must be imported before requests/urllib3 (see the module doc).
import warcio.capture_http  # noqa: F401

from requests.utils import requote_uri

# isort: on
# The connection layer and one recorded request (archive.capture_conn); the names
# imported "as" themselves are re-exported for the modules that import them from here.
from .capture_conn import CHUNK, Exchange, FetchError, _secs, check_recording, get_recorded
from .capture_conn import PEER_REFUSED as PEER_REFUSED
from .capture_conn import _Adapter as _Adapter
from .capture_conn import _Deadline as _Deadline
from .capture_conn import _DeadlineMixin as _DeadlineMixin
from .capture_conn import _describe as _describe
from .capture_conn import _header_dict as _header_dict
from .capture_conn import _HTTPConnection as _HTTPConnection
from .capture_conn import _HTTPPool as _HTTPPool
from .capture_conn import _HTTPSConnection as _HTTPSConnection
from .capture_conn import _HTTPSPool as _HTTPSPool
from .capture_conn import _local as _local
from .capture_conn import _shutdown as _shutdown
from .capture_conn import deadline_seconds as deadline_seconds
from .capture_conn import is_public as is_public
from .capture_conn import public_only as public_only
from .payload import PayloadError, decode_content

USER_AGENT = "cleaner/0.1 (offline news archiver; +https://pypi.org/project/cleaner/)"
MAX_REDIRECTS = 20
MAX_ROBOTS_REDIRECTS = 5
MAX_ROBOTS_BYTES = 512 * 1024
RETRY_STATUSES = (429, 500, 502, 503, 504)
REDIRECT_STATUSES = (301, 302, 303, 307, 308)


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
        return get_recorded(
            url,
            seconds,
            total=self.deadline,
            user_agent=self.user_agent,
            max_bytes=self.max_bytes,
            proxy=self.proxy,
        )


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
