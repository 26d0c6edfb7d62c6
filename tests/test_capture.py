"""Capture against a loopback origin: exact wire bytes, deadlines, caps, redirects, politeness.

RELIABILITY group D (hostile servers) and the capture half of group A (the bytes a
WARC response block will hold are exactly the bytes the server sent).
"""

from __future__ import annotations

import email.utils
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from origin import (
    MB,
    RESET_SENT,
    Conn,
    Origin,
    Request,
    add_fixture_site,
    add_hostile,
    binary_blob,
    chunk,
    gzip_bytes,
    response,
    zeros_bytes,
)

from archive.capture import (
    MAX_REDIRECTS,
    USER_AGENT,
    Fetcher,
    FetchError,
    FetchResult,
    check_recording,
)
from archive.payload import PayloadError, entity_body

DEADLINE = 2.0
with Origin() as _probe:
    SITE = add_fixture_site(_probe)


class FakeSleep:
    """An injectable ``sleep`` that records what it was asked and returns at once."""

    def __init__(self) -> None:
        """No calls yet."""
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        """Record the wait."""
        self.calls.append(seconds)


@pytest.fixture
def origin() -> Iterator[Origin]:
    """A fresh origin serving the fixture site and the hostile endpoints."""
    with Origin() as o:
        add_fixture_site(o)
        add_hostile(o)
        yield o
        assert o.errors == []


def make(**kw: object) -> Fetcher:
    """A Fetcher for tests: short deadline, no politeness delay, no robots, no real sleeps."""
    args: dict[str, object] = {
        "deadline": DEADLINE,
        "delay": 0.0,
        "respect_robots": False,
        "retries": 0,
        "sleep": FakeSleep(),
    }
    args.update(kw)
    return Fetcher(**args)  # type: ignore[arg-type]


def assert_as_sent(origin: Origin, result: FetchResult) -> None:
    """Every hop's recorded request and response are the bytes that crossed the wire."""
    assert len(result.exchanges) == len(origin.requests)
    seen: dict[str, int] = {}
    sent = origin.sent
    for ex, req in zip(result.exchanges, origin.requests, strict=True):
        i = seen.get(req.target, 0)
        seen[req.target] = i + 1
        assert ex.request == req.raw, req.target
        assert ex.response == sent[req.target][i], req.target


# -- recording --------------------------------------------------------------------------
def test_records_are_written_at_all(origin: Origin) -> None:
    """warcio records our connections: the Exchange holds the real request and response."""
    check_recording()
    ex = make().fetch(origin.url("/cl/html")).final
    assert ex.response.startswith(b"HTTP/1.1 200 OK\r\n")
    assert ex.request.startswith(b"GET /cl/html HTTP/1.1\r\n")
    assert ex.ip == "127.0.0.1"


def test_recording_does_not_depend_on_import_order(tmp_path: Path) -> None:
    """Even with requests imported before warcio.capture_http, records are written."""
    script = f"""
import sys
sys.path[:0] = [{str(Path(__file__).parent)!r}, {str(Path(__file__).parents[1])!r}]
import requests, urllib3.connection  # the wrong order, on purpose
import warcio.capture_http
assert not issubclass(urllib3.connection.HTTPConnection,
                      warcio.capture_http.RecordingHTTPConnection)
from archive.capture import Fetcher
from origin import Origin
with Origin() as o:
    o.add_page("/x", b"hello")
    ex = Fetcher(delay=0, respect_robots=False).fetch(o.url("/x")).final
    assert ex.response == o.sent["/x"][0], ex.response
print("recorded", len(ex.response))
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("recorded ")


@pytest.mark.parametrize("path", list(SITE))
def test_recorded_bytes_are_identical_to_what_the_origin_sent(origin: Origin, path: str) -> None:
    """Content-length, chunked, gzip, deflate, empty, 204/304/404/500, binary, odd headers."""
    result = make().fetch(origin.url(path))
    assert_as_sent(origin, result)
    final = result.final
    assert final.truncated is None and final.error is None
    assert final.status == int(final.response[9:12])


def test_bodies_read_are_dechunked_but_still_encoded(origin: Origin) -> None:
    """``Exchange.body`` is the payload without chunk framing, content coding untouched."""
    f = make()
    plain = f.fetch(origin.url("/same/content-length")).final.body
    for size in (1, 7, 64, 4096):
        assert f.fetch(origin.url(f"/chunked/{size}")).final.body == plain
    gz = f.fetch(origin.url("/gzip-chunked/7")).final
    assert gz.body == f.fetch(origin.url("/gzip")).final.body
    assert gz.body.startswith(b"\x1f\x8b") and entity_body(gz.response) == plain
    assert f.fetch(origin.url("/binary-1mb")).final.body == binary_blob()


def test_non_ascii_headers_and_paths_survive(origin: Origin) -> None:
    """Latin-1 header bytes are kept exactly; UTF-8 paths are requested percent-encoded."""
    f = make()
    ex = f.fetch(origin.url("/headers/latin1")).final
    assert b"X-Note: na\xefve \xa3 \xff\r\n" in ex.response
    assert ex.headers["x-note"] == "naïve £ ÿ"
    assert ex.headers["content-disposition"] == 'attachment; filename="résumé.txt"'
    ex = f.fetch(f"http://127.0.0.1:{origin.port}/café").final
    assert ex.status == 200
    assert origin.requests[-1].target == "/caf%C3%A9"


def test_headers_after_a_non_ascii_header_name_are_not_lost(origin: Origin) -> None:
    """http.client stops parsing at a non-ASCII name; Exchange.headers still has them all."""
    ex = make().fetch(origin.url("/headers/latin1-name")).final
    assert ex.headers["x-café"] == "1"
    assert ex.headers["x-after"] == "yes" and ex.headers["content-length"] == "3"
    assert ex.body == b"abc" and ex.truncated is None


def test_redirect_location_in_raw_utf8_is_followed_to_the_right_path(origin: Origin) -> None:
    """A Location header carrying raw UTF-8 bytes leads to the UTF-8 path, as browsers do."""
    result = make().fetch(origin.url("/redirect/utf8"))
    assert [r.target for r in origin.requests] == ["/redirect/utf8", "/caf%C3%A9"]
    assert result.final.status == 200
    assert result.final.url == origin.url("/caf%C3%A9")
    assert_as_sent(origin, result)


# -- hostile servers --------------------------------------------------------------------
HOSTILE = {
    "/hostile/never": "FetchError: {url}: no complete response within the 2 s deadline",
    "/hostile/drip-headers": "FetchError: {url}: headers not complete within the 2 s deadline",
    "/hostile/drip-body": "time: {url}: no complete response within the 2 s deadline",
    "/hostile/endless-chunked-slow": "time: {url}: no complete response within the 2 s deadline",
    "/hostile/reset": "disconnect",
    "/hostile/short": "disconnect",
}


@pytest.mark.parametrize("path", list(HOSTILE))
def test_hostile_server_fetch_ends_within_deadline(origin: Origin, path: str) -> None:
    """Never answers, drips, endless stream, reset: done by deadline + 1 s, with a reason."""
    url = origin.url(path)
    start = time.monotonic()
    try:
        ex = make().fetch(url).final
    except FetchError as exc:
        outcome = f"FetchError: {exc}"
    else:
        assert ex.error, "a cut response must say why"
        assert origin.sent[path][0].startswith(ex.response)
        outcome = f"{ex.truncated}: {ex.error}"
    elapsed = time.monotonic() - start
    assert elapsed < DEADLINE + 1, f"{path} took {elapsed:.2f} s"
    assert outcome.startswith(HOSTILE[path].format(url=url))


def test_reset_mid_body_keeps_what_arrived(origin: Origin) -> None:
    """A RST mid-body is a 'disconnect' truncation whose record is a prefix of what was sent."""
    ex = make().fetch(origin.url("/hostile/reset")).final
    assert ex.truncated == "disconnect"
    assert "Connection reset by peer" in (ex.error or "")
    assert len(ex.body) <= RESET_SENT
    assert origin.sent["/hostile/reset"][0].startswith(ex.response)


def test_size_cap_truncates_with_length(origin: Origin) -> None:
    """A body over ``max_bytes`` stops early and is marked 'length'; exactly the cap is whole."""
    ex = make(max_bytes=100_000).fetch(origin.url("/binary-1mb")).final
    assert ex.truncated == "length" and ex.error is None
    assert 100_000 < len(ex.body) < MB and binary_blob().startswith(ex.body)
    assert origin.sent["/binary-1mb"][0].startswith(ex.response)
    whole = make(max_bytes=MB).fetch(origin.url("/binary-1mb")).final
    assert whole.truncated is None and whole.body == binary_blob()


def test_endless_chunked_stream_stops_at_the_size_cap(origin: Origin) -> None:
    """A fast endless stream ends at the size cap, well inside the deadline."""
    start = time.monotonic()
    ex = make(max_bytes=4 * MB).fetch(origin.url("/hostile/endless-chunked")).final
    assert time.monotonic() - start < DEADLINE
    assert ex.truncated == "length"
    assert 4 * MB < len(ex.body) < 5 * MB


@pytest.mark.parametrize("path", ["/hostile/bomb-gzip", "/hostile/bomb-deflate"])
def test_decompression_bomb_is_stored_compressed_and_refused_on_decoding(
    origin: Origin, path: str
) -> None:
    """Capture keeps the ~1 MB wire bytes; decoding them stops at the cap with a clear error."""
    ex = make().fetch(origin.url(path)).final
    assert ex.truncated is None and len(ex.body) < 2 * MB
    assert ex.body == zeros_bytes(1024 * MB, "gzip" if "gzip" in path else "zlib")
    with pytest.raises(PayloadError, match=f"^decompressed body exceeds {20 * MB} bytes$"):
        entity_body(ex.response, 20 * MB)


def test_deadline_covers_all_hops_of_a_fetch() -> None:
    """Slow redirect hops share one deadline: 20 hops of 0.8 s do not take 16 s."""

    def slow_hop(conn: Conn, request: Request) -> None:
        """Answer after 0.8 s with a redirect to the next hop."""
        n = int(request.target.rsplit("/", 1)[1])
        if conn.sleep(0.8):
            conn.send(
                f"HTTP/1.1 302 Found\r\nLocation: /slow/{n + 1}\r\n"
                "Content-Length: 0\r\n\r\n".encode()
            )

    with Origin() as o:
        for n in range(25):
            o.add_handler(f"/slow/{n}", slow_hop)
        start = time.monotonic()
        result = make().fetch(o.url("/slow/0"))
        elapsed = time.monotonic() - start
    assert elapsed < DEADLINE + 1, f"took {elapsed:.2f} s"
    assert len(result.exchanges) == 2
    assert result.final.error == (
        f"redirect target failed: {o.url('/slow/2')}: no complete response within the 2 s deadline"
    )


# -- redirects --------------------------------------------------------------------------
def test_redirect_loop_stops_at_20_with_every_hop_recorded(origin: Origin) -> None:
    """A loop is followed 20 times, then stops with a reason; each hop is its own Exchange."""
    result = make().fetch(origin.url("/hostile/loop/a"))
    assert len(result.exchanges) == MAX_REDIRECTS + 1 == len(origin.requests)
    assert result.final.error == "stopped after 20 redirects: more than 20 redirects"
    assert [ex.url[-1] for ex in result.exchanges] == list("ab" * 10 + "a")
    assert_as_sent(origin, result)


def test_redirect_chain_of_25_stops_at_20(origin: Origin) -> None:
    """Hop 21 of a 25-long chain is where it stops; nothing beyond it is requested."""
    result = make().fetch(origin.url("/hostile/chain/25"))
    assert [r.target for r in origin.requests] == [f"/hostile/chain/{n}" for n in range(25, 4, -1)]
    assert result.final.error == "stopped after 20 redirects: more than 20 redirects"
    assert result.final.status == 302
    assert_as_sent(origin, result)


def test_redirect_chain_of_exactly_20_is_followed(origin: Origin) -> None:
    """Twenty redirects are allowed: the page at the end is fetched."""
    result = make().fetch(origin.url("/hostile/chain/20"))
    assert len(result.exchanges) == 21
    assert result.final.status == 200 and result.final.error is None
    assert result.final.body == b"end of the chain"


@pytest.mark.parametrize(
    "name,location",
    [
        ("file", "file:///etc/passwd"),
        ("data", "data:text/html,<script>alert(1)</script>"),
        ("javascript", "javascript:alert(document.cookie)"),
        ("ftp", "ftp://127.0.0.1/x"),
    ],
)
def test_redirect_to_other_schemes_is_refused_without_any_request(
    origin: Origin, monkeypatch: pytest.MonkeyPatch, name: str, location: str
) -> None:
    """The redirect is recorded; its target is refused before any connection is made."""
    connects: list[object] = []
    guarded = socket.socket.connect

    def counting(self: socket.socket, address: tuple[str, int]) -> None:
        """Count connections, then make them through the loopback guard."""
        connects.append(address)
        return guarded(self, address)

    monkeypatch.setattr(socket.socket, "connect", counting)
    result = make().fetch(origin.url(f"/hostile/to-{name}"))
    assert len(result.exchanges) == 1 and len(origin.requests) == 1
    assert connects == [("127.0.0.1", origin.port)]
    assert result.final.error == (
        f"redirect refused {location!r}: only http and https URLs can be archived"
    )


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "data:text/html,hi", "javascript:alert(1)", "ftp://127.0.0.1/"],
)
def test_direct_fetch_of_other_schemes_raises_before_any_io(
    monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    """No socket, no DNS: the URL is refused by looking at it."""

    def no_io(*args: object, **kw: object) -> None:
        """Fail the test on any network I/O."""
        raise AssertionError("network I/O attempted")

    monkeypatch.setattr(socket.socket, "connect", no_io)
    monkeypatch.setattr(socket, "getaddrinfo", no_io)
    f = make(respect_robots=True)
    with pytest.raises(FetchError) as exc:
        f.fetch(url)
    assert str(exc.value) == f"refused {url!r}: only http and https URLs can be archived"
    with pytest.raises(FetchError):
        f.allowed(url)


# -- retries ----------------------------------------------------------------------------
def _status(status: int, *headers: tuple[str, str]) -> bytes:
    """A small response with ``status`` and extra headers."""
    return response(f"status {status}".encode(), list(headers), status=status)


def test_503_with_retry_after_is_retried_once_after_that_wait() -> None:
    """503 + Retry-After: 1, then 200: one retry, after sleeping exactly 1 s."""
    sleep = FakeSleep()
    with Origin() as o:
        o.add_sequence("/r", [_status(503, ("Retry-After", "1")), _status(200)])
        result = make(retries=2, sleep=sleep).fetch(o.url("/r"))
        assert o.hits("/r") == 2
    assert sleep.calls == [1.0]
    assert result.final.status == 200 and len(result.exchanges) == 1


def test_429_retry_after_is_honoured_in_both_forms() -> None:
    """429 with delta-seconds and with an HTTP-date are both waited for."""
    sleep = FakeSleep()
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    with Origin() as o:
        o.add_sequence(
            "/r",
            [
                _status(429, ("Retry-After", "7")),
                _status(429, ("Retry-After", when)),
                _status(200),
            ],
        )
        result = make(retries=2, sleep=sleep).fetch(o.url("/r"))
    assert result.final.status == 200
    assert sleep.calls[0] == 7.0 and 27 < sleep.calls[1] <= 30


def test_retries_give_up_after_the_configured_number() -> None:
    """A 503 forever: 1 + retries requests, exponential backoff, the 503 returned."""
    sleep = FakeSleep()
    with Origin() as o:
        o.add("/r", _status(503))
        result = make(retries=3, sleep=sleep).fetch(o.url("/r"))
        assert o.hits("/r") == 4
    assert sleep.calls == [2.0, 4.0, 8.0]
    assert result.final.status == 503


def test_retry_after_longer_than_we_wait_is_not_retried_early() -> None:
    """Retry-After: 3600 is not cut short: no retry, and the reason says why."""
    sleep = FakeSleep()
    with Origin() as o:
        o.add_sequence("/r", [_status(503, ("Retry-After", "3600")), _status(200)])
        result = make(retries=2, sleep=sleep, max_retry_wait=60).fetch(o.url("/r"))
        assert o.hits("/r") == 1
    assert sleep.calls == []
    assert result.final.error == (
        f"{o.url('/r')}: HTTP 503, Retry-After 3600 s is longer than the 60 s we wait"
    )


# -- robots.txt ---------------------------------------------------------------------------
ROBOTS = b"User-agent: *\nDisallow: /private/\n"


@pytest.mark.parametrize(
    "robots",
    [
        response(ROBOTS, content_type="text/plain"),
        response(ROBOTS, content_type="text/plain", gzip=True),
        response(ROBOTS, content_type="text/plain", chunked=5),
    ],
    ids=["plain", "gzip", "chunked"],
)
def test_robots_disallow_is_honoured(robots: bytes) -> None:
    """Disallowed paths are refused (also when robots.txt is gzip-encoded); fetched once."""
    with Origin() as o:
        o.add("/robots.txt", robots)
        f = make(respect_robots=True)
        ok, made = f.allowed(o.url("/private/a.html"))
        assert not ok and len(made) == 1 and made[0].status == 200
        assert f.allowed(o.url("/public/a.html")) == (True, [])
        assert o.hits("/robots.txt") == 1


def test_robots_group_for_our_user_agent_wins() -> None:
    """A ``User-agent: cleaner`` group applies to us instead of the ``*`` group."""
    rules = b"User-agent: *\nDisallow: /\n\nUser-agent: cleaner\nDisallow: /no-cleaner/\n"
    with Origin() as o:
        o.add("/robots.txt", response(rules, content_type="text/plain"))
        f = make(respect_robots=True)
        assert f.allowed(o.url("/no-cleaner/x"))[0] is False
        assert f.allowed(o.url("/news/a.html")) == (True, [])


def test_respect_robots_false_ignores_robots() -> None:
    """With respect_robots=False nothing is asked and everything is allowed."""
    with Origin() as o:
        o.add("/robots.txt", response(ROBOTS, content_type="text/plain"))
        assert make(respect_robots=False).allowed(o.url("/private/a.html")) == (True, [])
        assert o.requests == []


def test_robots_404_allows() -> None:
    """No robots.txt (404): everything is allowed, and the 404 exchange is returned."""
    with Origin() as o:
        ok, made = make(respect_robots=True).allowed(o.url("/private/a.html"))
    assert ok and [ex.status for ex in made] == [404]


def test_robots_5xx_disallows_and_redirects_are_followed() -> None:
    """RFC 9309: a 5xx robots.txt means disallow all; a redirected robots.txt is followed."""
    sleep = FakeSleep()
    with Origin() as o:
        o.add("/robots.txt", _status(503))
        ok, made = make(respect_robots=True, retries=2, sleep=sleep).allowed(o.url("/a.html"))
        assert ok is False and [ex.status for ex in made] == [503]
        assert o.hits("/robots.txt") == 1 and sleep.calls == []
    with Origin() as o:
        o.add_redirect("/robots.txt", "/real-robots.txt", 301)
        o.add("/real-robots.txt", response(ROBOTS, content_type="text/plain"))
        ok, made = make(respect_robots=True).allowed(o.url("/private/a.html"))
    assert not ok and [ex.status for ex in made] == [301, 200]


# -- politeness and identity ---------------------------------------------------------------
def test_requests_to_one_host_are_spaced_by_delay() -> None:
    """Two fetches to the same host arrive at least ``delay`` apart; other hosts do not wait."""
    with Origin() as a, Origin(host="127.0.0.2") as b:
        a.add_page("/1", b"one")
        a.add_page("/2", b"two")
        b.add_page("/3", b"three")
        f = make(delay=0.3, sleep=time.sleep)
        f.fetch(a.url("/1"))
        start = time.monotonic()
        f.fetch(b.url("/3"))
        other_host = time.monotonic() - start
        f.fetch(a.url("/2"))
        gap = a.requests[1].time - a.requests[0].time
    assert gap >= 0.3
    assert other_host < 0.2


def test_polite_delay_uses_the_injected_sleep() -> None:
    """The wait before a second request to a host goes through ``sleep``, about ``delay``."""
    sleep = FakeSleep()
    with Origin() as o:
        o.add_page("/1", b"one")
        f = make(delay=5.0, sleep=sleep)
        f.fetch(o.url("/1"))
        f.fetch(o.url("/1"))
    assert len(sleep.calls) == 1 and 4.5 < sleep.calls[0] <= 5.0


def test_user_agent_sent_is_the_honest_one(origin: Origin) -> None:
    """The User-Agent names this tool with a contact URL; requests' default never shows."""
    make().fetch(origin.url("/cl/html"))
    headers = origin.requests[0].headers
    assert headers["user-agent"] == USER_AGENT
    assert USER_AGENT.startswith("cleaner/") and "+https://" in USER_AGENT
    assert b"python-requests" not in origin.requests[0].raw


def test_netrc_credentials_are_never_sent_or_archived(
    origin: Origin, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ~/.netrc entry for the host must not put an Authorization header into the WARC."""
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login me password secret\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    ex = make().fetch(origin.url("/cl/html")).final
    assert b"authorization" not in ex.request.lower()
    assert "authorization" not in origin.requests[0].headers


def test_proxy_receives_absolute_form_requests() -> None:
    """With ``proxy=``, requests go to the proxy in absolute form and are recorded as sent."""
    with Origin() as proxy:
        proxy.add_page("http://news.example.test/a.html", b"via proxy")
        result = make(proxy=proxy.base).fetch("http://news.example.test/a.html")
        assert [r.target for r in proxy.requests] == ["http://news.example.test/a.html"]
        assert_as_sent(proxy, result)
    assert result.final.body == b"via proxy"


# -- concurrency ------------------------------------------------------------------------------
def test_concurrent_fetches_each_get_their_own_bytes() -> None:
    """8 threads fetch 40 paths at once; every Exchange holds its own request and response."""
    state = {"now": 0, "max": 0}
    lock = threading.Lock()
    bodies = {f"/c/{i}": f"<p>page {i} ".encode() * (50 + i * 37) for i in range(40)}

    def slow(conn: Conn, request: Request) -> None:
        """Send a page in two halves with a pause, so requests overlap."""
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
        try:
            body = bodies[request.target]
            size = 7 if int(request.target[3:]) % 2 else None
            raw = response(body, chunked=size, gzip=int(request.target[3:]) % 3 == 0)
            conn.send(raw[: len(raw) // 2])
            conn.sleep(0.05)
            conn.send(raw[len(raw) // 2 :])
        finally:
            with lock:
                state["now"] -= 1

    with Origin() as o:
        for path in bodies:
            o.add_handler(path, slow)
        results: dict[str, FetchResult] = {}
        errors: list[BaseException] = []

        def worker(paths: list[str]) -> None:
            """Fetch a share of the paths with this thread's own Fetcher."""
            f = make()
            try:
                for p in paths:
                    results[p] = f.fetch(o.url(p))
            except BaseException as exc:
                errors.append(exc)

        paths = list(bodies)
        threads = [threading.Thread(target=worker, args=(paths[i::8],)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        sent = o.sent
    assert errors == []
    assert state["max"] > 1, "requests never overlapped"
    for path, body in bodies.items():
        ex = results[path].final
        assert ex.response == sent[path][0]
        assert ex.request.startswith(f"GET {path} HTTP/1.1\r\n".encode())
        assert entity_body(ex.response) == body


def test_chunk_and_gzip_helpers_round_trip() -> None:
    """The origin's own builders produce what they claim (guards the fixtures)."""
    raw = response(b"abc", chunked=1, gzip=True)
    assert raw.endswith(chunk(gzip_bytes(b"abc"), 1))
    assert entity_body(raw) == b"abc"


def test_shared_fetcher_across_threads_asks_robots_once() -> None:
    """One Fetcher used by 8 threads: robots.txt is fetched once and every page is right."""
    with Origin() as o:
        o.add("/robots.txt", response(ROBOTS, content_type="text/plain"))
        bodies = {f"/s/{i}": f"shared {i}".encode() * (i + 1) for i in range(40)}
        for path, body in bodies.items():
            o.add_page(path, body, chunked=3 if len(body) % 2 else None)
        f = make(respect_robots=True)
        got: dict[str, bytes] = {}
        verdicts: list[bool] = []

        def worker(paths: list[str]) -> None:
            """Check robots, then fetch, for a share of the paths."""
            for p in paths:
                verdicts.append(f.allowed(o.url(p))[0])
                got[p] = f.fetch(o.url(p)).final.body

        paths = list(bodies)
        threads = [threading.Thread(target=worker, args=(paths[i::8],)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert o.hits("/robots.txt") == 1
    assert verdicts == [True] * 40
    assert got == bodies
