"""The reader (``cleaner serve``) over HTTP: pages, forms, replay and the security rules.

Most tests use Starlette's TestClient; the Host and path-traversal tests talk raw HTTP to
a real uvicorn server on 127.0.0.1:0, so nothing normalises what they send.
"""

from __future__ import annotations

import hashlib
import html
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from origin import Origin, html_page
from starlette.routing import Route
from starlette.testclient import TestClient

from archive.capture import Fetcher, FetchError
from archive.cli import main
from archive.demo import tiny_png
from archive.store import Archive
from archive.web import create_app
from archive.web.jobs import GuardedFetcher, Job, resolve_public
from archive.web.replay import rewrite_html
from archive.web.security import Tokens
from archive.web.server import ServerThread
from cleaner.render import render_document

BASE = "http://127.0.0.1:8765"
SAME_ORIGIN = {"Origin": BASE}
SECRET = b"s" * 32
TOKEN = Tokens(SECRET).token()
LEAKS = (b"root:x:0:", b"SQLite format 3", b"WARC/1.1", b"TOPSECRET")


# -- fixtures ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped sample pages archived by ``cleaner demo`` (loopback proxy, real URLs)."""
    root = tmp_path_factory.mktemp("reader") / "archive"
    result = CliRunner().invoke(main, ["demo", "--archive", str(root)])
    assert result.exit_code == 0, result.output
    (root.parent / "secret.txt").write_text("TOPSECRET outside the archive\n")
    return root


@pytest.fixture(scope="module")
def demo(demo_root: Path) -> Iterator[SimpleNamespace]:
    """The demo archive open, and a reader app over it (fixed CSRF secret)."""
    arc = Archive(demo_root)
    app = create_app(arc, tokens=Tokens(SECRET))
    rows = arc.index.list_articles(site="okezone.com", limit=5)
    okezone = next(r for r in rows if "Korea" in r["title"])
    yield SimpleNamespace(arc=arc, app=app, okezone=okezone)
    arc.close()


@pytest.fixture
def client(demo: SimpleNamespace) -> TestClient:
    """A fresh client (no cookies) for the demo reader."""
    return TestClient(demo.app, base_url=BASE, follow_redirects=False)


def add_article(
    arc: Archive,
    url: str,
    title: str,
    text: str,
    *,
    site: str = "example.com",
    tags: tuple[str, ...] = (),
    captured: str = "2024-01-01T00:00:00Z",
    html_path: str | None = None,
) -> int:
    """Insert an article row (with a clean page on disk unless ``html_path`` is given)."""
    if html_path is None:
        html_path = f"articles/zz/{hashlib.sha1(url.encode()).hexdigest()[:16]}.html"
        path = arc.root / html_path
        path.parent.mkdir(parents=True, exist_ok=True)
        body = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n"))
        doc = render_document(
            content_html=body,
            title=title,
            byline=None,
            published=None,
            lang=None,
            site_name=site,
            lead_image=None,
            url=url,
        )
        path.write_text(doc, encoding="utf-8")
    with arc.index.transaction() as db:
        rec = arc.index.add_record(
            db,
            url=url,
            type="response",
            status=200,
            mime="text/html",
            warc_file="none.warc.gz",
            warc_offset=0,
            warc_length=0,
            record_id=f"<urn:uuid:{uuid.uuid4()}>",
            date=captured,
            payload_digest=None,
            entity_digest=None,
            truncated=None,
            refers_to=None,
        )
        cur = db.execute(
            "INSERT INTO articles (url, final_url, site, title, text, excerpt, words, "
            "captured_at, updated_at, record, rules_digest, html_path) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'x', ?)",
            (
                url,
                url,
                site,
                title,
                text,
                text[:200],
                len(text.split()),
                captured,
                captured,
                rec,
                html_path,
            ),
        )
        aid = int(cur.lastrowid or 0)
        for tag in tags:
            db.execute("INSERT INTO tags(article_id, tag) VALUES (?, ?)", (aid, tag))
    return aid


def raw_request(
    port: int, target: str, host: str | None = None, method: str = "GET"
) -> tuple[int, bytes]:
    """Send one request exactly as written; (status, whole response)."""
    host = f"127.0.0.1:{port}" if host is None else host
    head = f"{method} {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(head.encode("utf-8"))
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0
    return status, data


def security_headers_ok(headers: object) -> None:
    """The headers every response carries (RELIABILITY E)."""
    csp = headers["content-security-policy"]  # type: ignore[index]
    assert "default-src 'none'" in csp
    assert headers["x-content-type-options"] == "nosniff"  # type: ignore[index]
    assert headers["referrer-policy"] == "no-referrer"  # type: ignore[index]
    if csp.startswith("sandbox"):
        assert "allow-same-origin" not in csp and "allow-scripts" not in csp
    else:
        assert "script-src 'none'" in csp


# -- pages ---------------------------------------------------------------------------------------
def test_home_lists_articles_with_site_date_title_excerpt_and_tags(client, demo):
    """The home page shows each recent article's site, date, title, excerpt and tags."""
    r = client.get("/")
    assert r.status_code == 200
    row = demo.okezone
    assert html.escape(row["title"]) in r.text
    assert f'href="/article/{row["id"]}"' in r.text
    assert row["site"] in r.text
    assert html.escape(row["excerpt"][:60]) in r.text
    assert '<time datetime="2023-10-27' in r.text
    assert 'class="tag" href="/?tag=demo">demo</a>' in r.text
    assert f"{demo.arc.index.count_articles()} in the archive" in r.text


def test_home_filters_by_site_and_by_tag(client, demo):
    """?site= keeps only that site's articles; ?tag= only articles with that tag."""
    r = client.get("/", params={"site": "okezone.com"})
    titles = re.findall(r'<h2><a href="/article/(\d+)">', r.text)
    expected = {str(x["id"]) for x in demo.arc.index.list_articles(site="okezone.com")}
    assert set(titles) == expected and len(expected) == 2
    site = demo.okezone["site"]
    r = client.get("/", params={"site": site})
    assert f'<option value="{site}" selected>' in r.text
    assert set(re.findall(r'<h2><a href="/article/(\d+)">', r.text)) == {str(demo.okezone["id"])}
    r = client.get("/", params={"tag": "no-such-tag"})
    assert "No articles match these filters" in r.text
    r = client.get("/", params={"tag": "demo"})
    assert len(re.findall(r'<h2><a href="/article/', r.text)) == 17


def test_home_paginates_newest_first(tmp_path):
    """Twenty articles a page, newest capture first, with working Older/Newer links."""
    arc = Archive(tmp_path / "a")
    for i in range(45):
        add_article(
            arc,
            f"https://example.com/{i}",
            f"Story {i:02d}",
            f"Text {i}",
            captured=f"2024-01-01T00:{i:02d}:00Z",
        )
    c = TestClient(create_app(arc), base_url=BASE)
    first = c.get("/").text
    assert re.findall(r">Story (\d+)<", first)[:3] == ["44", "43", "42"]
    assert len(re.findall(r">Story \d+<", first)) == 20
    assert 'rel="next" href="/?page=2"' in first and 'rel="prev"' not in first
    last = c.get("/?page=3").text
    assert re.findall(r">Story (\d+)<", last) == ["04", "03", "02", "01", "00"]
    assert 'rel="prev" href="/?page=2"' in last and 'rel="next"' not in last
    assert c.get("/?page=abc").status_code == 200
    arc.close()


def test_search_ranks_highlights_and_keeps_the_query(client, demo):
    """Results are ranked, the matches are marked, the query stays in the box."""
    r = client.get("/search", params={"q": "korea utara"})
    assert r.status_code == 200
    ids = re.findall(r'<h2><a href="/article/(\d+)">', r.text)
    assert ids[0] == str(demo.okezone["id"])
    assert "<mark>Korea</mark>" in r.text and "<mark>Utara</mark>" in r.text
    assert 'name="q" value="korea utara"' in r.text


def test_search_escapes_everything_and_marks_only_the_matches(tmp_path):
    """Markup and brackets in article text come out as text; only matches become <mark>."""
    arc = Archive(tmp_path / "a")
    text = 'Ini <script>alert(1)</script> [catatan] & "kutipan" tentang gempa bumi.'
    add_article(arc, "https://example.com/x", "<b>Gempa</b>", text)
    c = TestClient(create_app(arc), base_url=BASE)
    r = c.get("/search", params={"q": "gempa"})
    assert "<script>alert" not in r.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; [catatan] &amp;" in r.text
    assert "<mark>gempa</mark> bumi" in r.text and r.text.count("<mark>") == 1
    assert "&lt;b&gt;Gempa&lt;/b&gt;" in r.text
    r = c.get("/search", params={"q": '"><img src=x>'})
    assert "<img src=x>" not in r.text
    assert 'value="&#34;&gt;&lt;img src=x&gt;"' in r.text
    arc.close()


@pytest.mark.parametrize(
    "query", ['"', "AND AND", "NEAR(", "*", "col:", "title:korea", "a OR", "(", "^", "'", "\\"]
)
def test_search_with_fts_syntax_is_never_an_error(client, query):
    """Any search input gives a normal results page (user text is quoted before MATCH)."""
    r = client.get("/search", params={"q": query})
    assert r.status_code == 200
    assert "Search" in r.text


def test_search_site_filter(client, demo):
    """The site filter keeps only matches from that site and stays selected."""
    everywhere = client.get("/search", params={"q": "jakarta"}).text
    all_sites = set(re.findall(r'<span class="site">([^<]+)</span>', everywhere))
    assert len(all_sites) > 2
    r = client.get("/search", params={"q": "jakarta", "site": "tempo.co"})
    sites = re.findall(r'<span class="site">([^<]+)</span>', r.text)
    assert sites and all(s.endswith("tempo.co") for s in sites)
    assert 'name="q" value="jakarta"' in r.text


def test_article_page_has_clean_body_source_capture_date_and_links(client, demo):
    """The article page shows the clean text, its source URL, capture date and the links."""
    row = demo.okezone
    r = client.get(f"/article/{row['id']}")
    assert r.status_code == 200
    assert "Ada spekulasi mengenai kemungkinan Korea Utara" in r.text
    assert "Advertisement" not in r.text.split('<article class="clean">')[1]
    assert f'href="{html.escape(row["url"])}"' in r.text
    assert f'<time datetime="{row["captured_at"]}">' in r.text
    assert f'href="/article/{row["id"]}/original"' in r.text
    assert f'href="/article/{row["id"]}/removed"' in r.text
    assert "<script" not in r.text.lower()
    assert "script-src 'none'" in r.headers["content-security-policy"]


def test_text_size_setting_is_remembered(client, demo):
    """The text-size form sets a cookie; later pages use that size (no JavaScript needed)."""
    aid = demo.okezone["id"]
    assert 'class="size-m"' in client.get(f"/article/{aid}").text
    r = client.post(
        "/settings",
        data={"csrf": TOKEN, "size": "xl", "next": f"/article/{aid}"},
        headers=SAME_ORIGIN,
    )
    assert r.status_code == 303 and r.headers["location"] == f"/article/{aid}"
    assert "reader_size=xl" in r.headers["set-cookie"]
    assert "samesite=strict" in r.headers["set-cookie"].lower()
    assert 'class="size-xl"' in client.get(f"/article/{aid}").text
    r = client.post(
        "/settings",
        data={"csrf": TOKEN, "size": "l", "next": "//evil.example/"},
        headers=SAME_ORIGIN,
    )
    assert r.headers["location"] == "/"


def test_removed_page_lists_each_rule_reason_and_removed_text(client, demo):
    """Each removal shows its rule, its reason, the removed text and a link to the original."""
    row = demo.okezone
    r = client.get(f"/article/{row['id']}/removed")
    removals = [x for x in __import__("json").loads(row["removals"])]
    assert removals
    shown = html.unescape(r.text)
    for i, item in enumerate(removals):
        assert f"<code>{item['rule_id']}</code>" in shown
        assert f"<h2>{item['reason'] or 'No reason given'}</h2>" in shown
        assert f'href="/article/{row["id"]}/original?mark={i}"' in r.text
    texts = [s for item in removals for s in item["samples"] if not s.startswith("<")]
    assert any("Follow" in t for t in texts) and any("Advertisement" in t for t in texts)
    for t in texts:
        assert f"<li>{html.escape(t, quote=False)}</li>" in r.text.replace("&#39;", "'").replace(
            "&#34;", '"'
        )


def test_original_is_replayed_in_a_sandboxed_frame(client, demo):
    """The original page frames /replay/RECORD with a bare sandbox; the frame document is
    served under CSP sandbox, rewritten so it loads only archived copies."""
    row = demo.okezone
    r = client.get(f"/article/{row['id']}/original")
    frame = re.search(r"<iframe[^>]*>", r.text).group(0)  # type: ignore[union-attr]
    assert " sandbox " in frame and "allow-" not in frame
    assert f'src="/replay/{row["record"]}"' in frame
    assert "frame-src http://127.0.0.1:8765/replay/" in r.headers["content-security-policy"]
    doc = client.get(f"/replay/{row['record']}")
    csp = doc.headers["content-security-policy"]
    assert csp.startswith("sandbox;") and "allow-" not in csp
    assert "img-src http://127.0.0.1:8765/replay/ data:" in csp
    assert "Ada spekulasi mengenai kemungkinan Korea Utara" in doc.text
    srcs = re.findall(r'\ssrc="([^"]*)"', doc.text)
    assert srcs and all(s.startswith(("/replay/", "data:")) for s in srcs)
    image = client.get(srcs[0])
    assert image.headers["content-type"] == "image/png" and image.content.startswith(b"\x89PNG")
    assert "<base" not in doc.text.lower()


def test_removal_is_outlined_on_the_original(client, demo):
    """?mark=N outlines the elements that removal took in the replayed original."""
    row = demo.okezone
    removals = __import__("json").loads(row["removals"])
    n = next(i for i, x in enumerate(removals) if "remove_text" in x["rule_id"])
    page = client.get(f"/article/{row['id']}/original?mark={n}")
    assert f"mark={n}#cleaner-removed" in page.text
    doc = client.get(f"/replay/{row['record']}?article={row['id']}&mark={n}")
    marked = re.findall(r"<[^>]*data-cleaner-removed[^>]*>", doc.text)
    assert marked and 'id="cleaner-removed"' in doc.text


def test_rewrite_leaves_nothing_that_loads_from_the_web():
    """Unarchived images, preloads, CSS url()s, frames, <base> and meta refresh are removed."""
    page = (
        '<html><head><base href="http://evil.test/"><meta http-equiv="refresh" content="0;url=/x">'
        '<link rel="preload" href="http://evil.test/a.js"><link rel="stylesheet" href="/s.css">'
        '<style>body{background:url("http://evil.test/bg.png")}</style></head><body>'
        '<img src="/a.png" srcset="/a.png 1x, http://evil.test/b.png 2x"><img src="http://t.test/p">'
        '<iframe src="http://evil.test/f"></iframe><div style="background:url(/bg.png)">x</div>'
        '<video src="http://evil.test/v.mp4" poster="http://evil.test/p.jpg"></video>'
        '<svg><image xlink:href="http://evil.test/x.png"></image></svg></body></html>'
    )
    archived = {"http://site.test/a.png": "/replay/7", "http://site.test/s.css": "/replay/8"}
    out, _ = rewrite_html(page, "http://site.test/page", archived.get)
    assert "evil.test" not in out and "t.test" not in out and "refresh" not in out
    assert "<base" not in out
    assert 'src="/replay/7"' in out and 'srcset="/replay/7 1x"' in out
    assert 'href="/replay/8"' in out
    assert "url()" in out


def test_non_html_payloads_download_as_attachments(tmp_path):
    """JSON, text, JavaScript and binary payloads are never shown inline: attachment only."""
    arc = Archive(tmp_path / "a")
    records = {}
    with Origin() as origin:
        bodies = {
            "/data.json": (b'{"a": "<script>alert(1)</script>"}', "application/json"),
            "/notes.txt": (b"<html><script>alert(1)</script>", "text/plain"),
            "/app.js": (b"alert(document.cookie)", "application/javascript"),
            "/blob": (b"\x00\x01<script>", None),
        }
        for path, (body, ctype) in bodies.items():
            origin.add_page(path, body, content_type=ctype)
        fetcher = Fetcher(delay=0, respect_robots=False)
        for path in bodies:
            for ex in fetcher.fetch(origin.url(path)).exchanges:
                records[path] = arc.store_exchange(ex)
    c = TestClient(create_app(arc), base_url=BASE)
    for path, rid in records.items():
        for route in (f"/replay/{rid}", f"/raw/{rid}"):
            r = c.get(route)
            assert r.status_code == 200, route
            assert r.headers["content-type"] == "application/octet-stream"
            assert r.headers["content-disposition"].startswith("attachment;")
            assert r.content == bodies[path][0]
            security_headers_ok(r.headers)
    arc.close()


# -- the Add form --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "javascript:alert(1)",
        "ftp://example.com/x",
        "data:text/html,hi",
        "http://127.0.0.1/admin",
        "http://localhost:8080/",
        "http://app.localhost/",
        "http://10.0.0.1/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "not a url",
        "",
    ],
)
def test_add_refuses_non_http_and_private_targets(client, demo, url):
    """Only http(s) to public addresses is accepted; the form says why, no job starts."""
    before = len(demo.app.state.reader.jobs.jobs)
    r = client.post("/add", data={"csrf": TOKEN, "url": url, "tags": ""}, headers=SAME_ORIGIN)
    assert r.status_code == 400
    assert 'class="error" role="alert"' in r.text
    assert len(demo.app.state.reader.jobs.jobs) == before


def test_hostnames_resolving_to_loopback_are_refused():
    """The per-request check resolves the host: a name for 127.0.0.1 is refused too."""
    with pytest.raises(FetchError, match="private or loopback"):
        resolve_public("http://localhost:9/")


def test_a_redirect_to_a_private_address_is_refused(monkeypatch):
    """Every hop is checked: a public page redirecting to 127.0.0.1 stops at the redirect."""
    real = socket.getaddrinfo

    def fake_dns(host: str, *args: object, **kwargs: object) -> object:
        """public.test resolves to a public address; everything else as usual."""
        if host == "public.test":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 80))]
        return real(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", fake_dns)
    lines: list[str] = []
    with Origin() as origin:
        origin.add_page("/secret", b"<p>internal</p>")
        origin.add_redirect("http://public.test/r", origin.url("/secret"))
        fetcher = GuardedFetcher(
            allow_private=False,
            report=lines.append,
            proxy=origin.base,
            delay=0,
            respect_robots=False,
        )
        result = fetcher.fetch("http://public.test/r")
        assert origin.hits("/secret") == 0
    assert result.final.status == 302
    assert "private or loopback" in (result.final.error or "")


def test_dns_rebinding_to_loopback_is_refused_at_connect_time(monkeypatch):
    """A name that resolves to a public address for the check and to 127.0.0.1 when the
    fetch connects (DNS rebinding) is refused at connect time: no request reaches it."""
    real = socket.getaddrinfo
    answers = {"count": 0}

    def rebinding_dns(host: str, *args: object, **kwargs: object) -> object:
        """rebind.test: public on the first lookup, then loopback."""
        if host != "rebind.test":
            return real(host, *args, **kwargs)  # type: ignore[arg-type]
        answers["count"] += 1
        if answers["count"] == 1:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 80))]
        return real("127.0.0.1", *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_dns)
    with Origin() as origin:
        origin.add_page("/secret", b"<p>internal</p>")
        port = origin.base.rsplit(":", 1)[1].rstrip("/")
        fetcher = GuardedFetcher(
            allow_private=False, report=lambda line: None, delay=0, respect_robots=False
        )
        refused = r"refused: a private or loopback address: 127\.0\.0\.1"
        with pytest.raises(FetchError, match=refused):
            fetcher.fetch(f"http://rebind.test:{port}/secret", retries=0)
        assert origin.hits("/secret") == 0
    assert answers["count"] >= 2


def test_add_archives_a_page_with_progress_and_result(tmp_path):
    """With --allow-private a loopback page is archived: job page, progress, article link."""
    arc = Archive(tmp_path / "a")
    app = create_app(
        arc,
        allow_private=True,
        tokens=Tokens(SECRET),
        fetcher_options={"delay": 0, "deadline": 10},
    )
    c = TestClient(app, base_url=BASE, follow_redirects=False)
    with Origin() as origin:
        origin.add_page("/a.html", html_page(1, images=1))
        origin.add_page("/img/1-0.png", tiny_png(), content_type="image/png")
        r = c.post(
            "/add",
            data={"csrf": TOKEN, "url": origin.url("/a.html"), "tags": "satu, dua"},
            headers=SAME_ORIGIN,
        )
        assert r.status_code == 303 and r.headers["location"].startswith("/jobs/")
        job_url = r.headers["location"]
        deadline = time.monotonic() + 20
        page = c.get(job_url).text
        while "Read “" not in page and time.monotonic() < deadline:
            assert '<meta http-equiv="refresh" content="1">' in page or "Archived" in page
            time.sleep(0.1)
            page = c.get(job_url).text
    assert "Archived" in page and "refresh" not in page
    assert "fetching " + origin.url("/a.html") in page
    aid = int(re.search(r'href="/article/(\d+)"', page).group(1))  # type: ignore[union-attr]
    assert arc.index.tags(aid) == ["dua", "satu"]
    assert "Judul 1" in c.get(f"/article/{aid}").text
    app.state.reader.jobs.close()
    arc.close()


# -- state changes: token and same origin --------------------------------------------------------
def _post_routes(app: object) -> list[str]:
    """Paths of every route that accepts POST (enumerated from the router)."""
    return [r.path for r in app.routes if isinstance(r, Route) and "POST" in (r.methods or ())]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "headers, token",
    [
        (SAME_ORIGIN, None),
        (SAME_ORIGIN, "0" * 64),
        ({"Origin": "http://evil.example"}, TOKEN),
        ({"Origin": "http://127.0.0.1:8766"}, TOKEN),
        ({"Origin": "null", "Sec-Fetch-Site": "cross-site"}, TOKEN),
        ({"Origin": "null"}, TOKEN),
        ({}, TOKEN),
        ({"Referer": "http://evil.example/"}, TOKEN),
    ],
)
def test_state_changing_requests_need_token_and_same_origin(client, demo, headers, token):
    """Every POST route refuses a missing/wrong token or a foreign origin with 403, and
    nothing changes (no job, no cookie)."""
    routes = _post_routes(demo.app)
    assert set(routes) == {"/add", "/settings"}
    jobs = len(demo.app.state.reader.jobs.jobs)
    for path in routes:
        data = {"url": "http://example.com/", "size": "xl", "next": "/"}
        if token:
            data["csrf"] = token
        r = client.post(path, data=data, headers=headers)
        assert r.status_code == 403, (path, headers, token)
        assert "set-cookie" not in r.headers
    assert len(demo.app.state.reader.jobs.jobs) == jobs


def test_same_origin_post_without_origin_uses_sec_fetch_site(client):
    """Under Referrer-Policy no-referrer browsers send Origin: null; Sec-Fetch-Site decides."""
    r = client.post(
        "/settings",
        data={"csrf": TOKEN, "size": "s", "next": "/"},
        headers={"Origin": "null", "Sec-Fetch-Site": "same-origin"},
    )
    assert r.status_code == 303


# -- headers on every route ----------------------------------------------------------------------
def test_every_route_and_error_page_sends_the_security_headers(demo):
    """Every route of the router, and every error page, carries CSP, nosniff and no-referrer."""
    row = demo.okezone
    demo.app.state.reader.jobs.jobs["testjob"] = Job("testjob", "http://example.com/", ())
    values = {"article_id": row["id"], "record_id": row["record"], "job_id": "testjob"}
    c = TestClient(demo.app, base_url=BASE, follow_redirects=False)
    seen = []
    for route in demo.app.routes:
        path = re.sub(r"\{(\w+)(:\w+)?\}", lambda m: str(values[m.group(1)]), route.path)
        for method in sorted(route.methods or ()):
            if method == "HEAD":
                continue
            if method == "POST":
                r = c.post(
                    path, data={"csrf": TOKEN, "size": "m", "url": "ftp://x"}, headers=SAME_ORIGIN
                )
            else:
                r = c.get(path)
            assert r.status_code in (200, 303, 400), (method, path, r.status_code)
            security_headers_ok(r.headers)
            seen.append((method, route.path))
    assert len(seen) == len(demo.app.routes) == 12
    del demo.app.state.reader.jobs.jobs["testjob"]

    errors = {
        "404 unknown path": c.get("/no/such/page"),
        "404 unknown article": c.get("/article/999999"),
        "404 unknown record": c.get("/replay/999999"),
        "404 unknown job": c.get("/jobs/nope"),
        "405": c.put("/", headers=SAME_ORIGIN),
        "400": c.post(
            "/settings", content=b"x", headers={**SAME_ORIGIN, "content-type": "text/plain"}
        ),
        "403 token": c.post("/settings", data={"size": "m"}, headers=SAME_ORIGIN),
        "403 origin": c.post("/settings", data={"csrf": TOKEN, "size": "m"}),
        "403 host": c.get("/", headers={"Host": "evil.example"}),
    }
    for name, r in errors.items():
        assert r.status_code == int(name[:3]), name
        security_headers_ok(r.headers)


def test_server_error_page_sends_the_security_headers(demo_root):
    """A bug (500) still gets the reader's error page and every header, and no traceback."""
    arc = Archive(demo_root)
    app = create_app(arc)

    def boom(request: object) -> None:
        """A handler with a bug."""
        raise RuntimeError("secret internals")

    app.router.routes.append(Route("/boom", boom))
    r = TestClient(app, base_url=BASE, raise_server_exceptions=False).get("/boom")
    assert r.status_code == 500
    assert "secret internals" not in r.text and "Traceback" not in r.text
    assert "Something went wrong" in r.text
    security_headers_ok(r.headers)
    arc.close()


# -- Host header (DNS rebinding) and path traversal, on a real server ----------------------------
@pytest.fixture(scope="module")
def live(demo: SimpleNamespace) -> Iterator[ServerThread]:
    """The demo reader served by uvicorn on 127.0.0.1:0."""
    with ServerThread(demo.app) as server:
        yield server


def foreign_hosts(port: int) -> list[str]:
    """Thirty Host values that do not name this server."""
    p = port
    return [
        "evil.example",
        f"evil.example:{p}",
        "127.0.0.1",
        f"127.0.0.1:{p + 1}",
        "localhost",
        "localhost:80",
        f"localhost.:{p}",
        f"127.0.0.1.nip.io:{p}",
        f"0.0.0.0:{p}",
        f"[::ffff:127.0.0.1]:{p}",
        f"2130706433:{p}",
        f"0x7f000001:{p}",
        f"127.1:{p}",
        f"localhost.evil.example:{p}",
        f"evil.127.0.0.1.example:{p}",
        f"127.0.0.2:{p}",
        f"10.0.0.1:{p}",
        f"192.168.1.10:{p}",
        "[::1]",
        f"[::2]:{p}",
        f"localhost:{p}:{p}",
        f"localhost:0{p}",
        f"127.0.0.1:{p}.evil.example",
        f"evil.example@127.0.0.1:{p}",
        f"127.0.0.1:{p}@evil.example",
        f"localhost:{p} evil",
        f"user:pass@localhost:{p}",
        f"LOCALHOST.:{p}",
        f"xn--localhost:{p}",
        f"169.254.169.254:{p}",
    ]


def test_foreign_host_headers_get_403_on_every_route(live, demo):
    """DNS rebinding: 30 foreign Host values get 403 (on pages, replay and POST routes)."""
    hosts = foreign_hosts(live.port)
    assert len(set(hosts)) == 30
    targets = [
        "/",
        "/search?q=korea",
        f"/article/{demo.okezone['id']}",
        f"/replay/{demo.okezone['record']}",
        "/static/reader.css",
        "/nope",
    ]
    for i, host in enumerate(hosts):
        status, data = raw_request(live.port, targets[i % len(targets)], host)
        assert status == 403, (host, data[:200])
        assert b"Korea" not in data
        status, _ = raw_request(live.port, "/add", host, method="POST")
        assert status == 403, host
    for ok in (f"127.0.0.1:{live.port}", f"localhost:{live.port}", f"[::1]:{live.port}"):
        assert raw_request(live.port, "/", ok)[0] == 200, ok


TRAVERSALS = [
    "../../../../../../etc/passwd",
    "..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
    "%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "%2e%2e%2f%2e%2e%2findex.sqlite3",
    "..\\..\\..\\..\\etc\\passwd",
    "..%5c..%5c..%5c..%5cetc%5cpasswd",
    "%252e%252e%252f%252e%252e%252fetc%252fpasswd",
    "..%c0%af..%c0%af..%c0%afetc%c0%afpasswd",
    "....//....//....//....//etc/passwd",
    "../index.sqlite3",
    "../../secret.txt",
    "/etc/passwd",
]
PREFIXES = ["/static/", "/article/", "/replay/", "/raw/", "/article/1/"]


def test_path_traversal_payloads_get_400_or_404_and_never_a_file(live, demo_root):
    """60 traversal payloads on every kind of route: 400/404, never a file's content."""
    payloads = [p + t for p in PREFIXES for t in TRAVERSALS]
    assert len(payloads) == 60
    for target in payloads:
        status, data = raw_request(live.port, target)
        assert status in (400, 404), (target, status)
        assert not any(leak in data for leak in LEAKS), target


def test_article_file_paths_resolve_inside_the_archive(tmp_path):
    """An index row pointing outside the archive (or a symlink out) is a 404, not a leak."""
    arc = Archive(tmp_path / "a")
    (tmp_path / "secret.html").write_text("<article>TOPSECRET</article>")
    (arc.root / "articles" / "ln.html").symlink_to(tmp_path / "secret.html")
    bad = [
        "../secret.html",
        str(tmp_path / "secret.html"),
        "articles/ln.html",
        "..",
        "",
        "articles/../../secret.html",
        "index.sqlite3",
    ]
    ids = [add_article(arc, f"https://e.com/{i}", "t", "x", html_path=p) for i, p in enumerate(bad)]
    c = TestClient(create_app(arc), base_url=BASE)
    for aid in ids:
        r = c.get(f"/article/{aid}")
        assert r.status_code == 404 and "TOPSECRET" not in r.text
    arc.close()


# -- the command ---------------------------------------------------------------------------------
def test_serve_listens_on_loopback_by_default(tmp_path):
    """`cleaner serve --port 0` binds 127.0.0.1 only and answers there."""
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "cleaner"),
            "serve",
            "--port",
            "0",
            "--archive",
            str(tmp_path / "a"),
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stderr.readline()  # type: ignore[union-attr]
        port = int(re.search(r"http://127\.0\.0\.1:(\d+)/", line).group(1))  # type: ignore[union-attr]
        listening = Path("/proc/net/tcp").read_text().splitlines()[1:]
        local = [ln.split()[1] for ln in listening if ln.split()[3] == "0A"]
        assert f"0100007F:{port:04X}" in local
        assert f"00000000:{port:04X}" not in local
        assert raw_request(port, "/")[0] == 200
    finally:
        proc.terminate()
        proc.wait(10)


def test_serve_reports_a_busy_port_without_a_traceback(tmp_path):
    """A port already in use is a one-line error, exit 1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        r = CliRunner().invoke(
            main, ["serve", "--port", str(port), "--archive", str(tmp_path / "a")]
        )
    assert r.exit_code == 1
    assert r.output.startswith(f"Error: cannot listen on 127.0.0.1:{port}:")
    assert "Traceback" not in r.output
