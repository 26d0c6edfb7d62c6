"""Speed and memory benchmarks of the archive application: loopback only, bounded, seeded.

Usage::

    python bench/archive_bench.py batch [--pages 500] [--concurrency 8] [--hosts 1]
        [--kind fixture|article] [--json]
    python bench/archive_bench.py reclean [--articles 10000] [--sample 1000] [--json]
    python bench/archive_bench.py search [--articles 100000] [--queries 1000] [--json]
    python bench/archive_bench.py import-memory [--size-mb 1024] [--page-images 3] [--keep]
        [--json]
    python bench/archive_bench.py image-memory [--images 10] [--image-mb 8] [--code DIR]
        [--json]

Each subcommand prints its figures, medians and a baseline measured in the same run
(as a ratio), or one JSON object with ``--json``; progress goes to stderr. Nothing
leaves the machine: pages come from ``tests/origin.py`` on 127.0.0.1 (in a child
process, so its threads do not compete with the archiver for one GIL), and synthetic
articles are written straight into WARC files. Temporary directories are removed at
the end unless ``--keep`` is given.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for _p in (ROOT, ROOT / "tests"):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

MB = 1024 * 1024
SCRIPT = str(Path(__file__).resolve())
SEARCH_TARGET_P95_MS = 50.0
IMPORT_TARGET_PEAK_MB = 300.0


# -- reporting ----------------------------------------------------------------
def log(msg: str) -> None:
    """Progress to stderr."""
    sys.stderr.write(f"[{time.strftime('%H:%M:%S')}] {msg}\n")
    sys.stderr.flush()


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile ``q`` (0-100) of ``values``."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 100))))
    return ordered[rank - 1]


def code_version() -> str:
    """The project's git commit, marked ``+dirty`` when archive/ or cleaner/ has local edits."""
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "archive", "cleaner"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return head.strip() + ("+dirty" if dirty.strip() else "")


class Report:
    """The figures of one benchmark, printed as text lines or as one JSON object."""

    def __init__(self, name: str, argv: list[str]):
        """Start a report for benchmark ``name`` run as ``argv``."""
        self.data: dict[str, Any] = {"benchmark": name, "command": " ".join(["python", *argv])}
        self.lines: list[str] = [f"== archive bench: {name} ==", f"command: {self.data['command']}"]
        self.data["loadavg_start"] = round(os.getloadavg()[0], 2)
        self.data["code"] = code_version()
        self.lines.append(f"code: {self.data['code']}")

    def put(self, key: str, value: Any, label: str, unit: str = "", fmt: str = "{:,.1f}") -> None:
        """Record one figure under ``key`` and print it as ``label: value unit``."""
        self.data[key] = value
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        shown = fmt.format(value) if number else str(value)
        self.lines.append(f"  {label:<46} {shown} {unit}".rstrip())

    def section(self, title: str) -> None:
        """Start a titled group of lines."""
        self.lines.append(title)

    def text(self, line: str) -> None:
        """A free line of text (not in the JSON)."""
        self.lines.append(line)

    def note(self, text: str) -> None:
        """A remark that also goes into the JSON ``notes``."""
        self.data.setdefault("notes", []).append(text)
        self.lines.append(f"  note: {text}")

    def emit(self, as_json: bool) -> None:
        """Print the report to stdout (with the machine's load, as other jobs skew timings)."""
        self.data["loadavg_end"] = round(os.getloadavg()[0], 2)
        self.lines.append(
            f"  machine: {os.cpu_count()} CPUs, 1-min load average "
            f"{self.data['loadavg_start']} at start, {self.data['loadavg_end']} "
            "at end"
        )
        if as_json:
            print(json.dumps(self.data, indent=2, ensure_ascii=False))
        else:
            print("\n".join(self.lines))
        sys.stdout.flush()


@contextlib.contextmanager
def workdir(prefix: str, keep: bool) -> Iterator[Path]:
    """A temporary directory, removed afterwards unless ``keep``."""
    path = Path(tempfile.mkdtemp(prefix=f"archive-bench-{prefix}-"))
    try:
        yield path
    finally:
        if keep:
            log(f"kept {path}")
        else:
            shutil.rmtree(path, ignore_errors=True)


# -- synthetic text -------------------------------------------------------------
def _words(text: str) -> tuple[str, ...]:
    """The blank-separated words of ``text``."""
    return tuple(text.split())


ID_COMMON = _words(
    "yang dan di itu dengan untuk dari dalam tidak ini pada akan ke juga ada oleh karena "
    "bisa sudah saat lebih tersebut mereka kata telah para bahwa kami kita adalah menjadi "
    "hingga masih hal namun harus secara atau setelah sebagai tahun orang baru dapat "
    "pihak banyak warga pemerintah kota jalan hari ini-itu sejumlah belum kembali antara "
    "sangat bagi tengah agar seperti hanya salah satu dua tiga lalu kepada serta menurut "
    "sementara"
)
EN_COMMON = _words(
    "the of and to in is for on that with as was by at from it this be are has have said "
    "were will an not after new more also been year people government city"
)
PROPER = _words(
    "jakarta bandung surabaya medan makassar semarang yogyakarta bali bogor depok jokowi "
    "prabowo anies ganjar indonesia rusia ukraina korea china amerika jepang persija "
    "persib pertamina kpk dpr polri tni bumn ojk garuda telkom"
)
ONSETS = (
    "b",
    "c",
    "d",
    "g",
    "h",
    "j",
    "k",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "t",
    "w",
    "y",
    "ng",
    "ny",
    "kh",
    "sy",
    "tr",
    "pr",
    "st",
)
VOWELS = ("a", "a", "i", "u", "e", "o", "ai", "au")
CODAS = ("", "", "", "n", "ng", "r", "s", "k", "t", "l", "h", "m")
PREFIXES = ("", "", "", "me", "mem", "men", "ber", "di", "ter", "pe", "per", "ke", "se")
SUFFIXES = ("", "", "", "", "kan", "an", "nya", "i", "lah")
NAMES = (
    "Salsabila Puteri",
    "Rina Susanti",
    "Dewi Lestari",
    "Fajar Nugroho",
    "Agus Setiawan",
    "Budi Santoso",
    "Siti Rahmawati",
    "Andi Pratama",
    "Nur Hidayah",
    "Rizky Maulana",
    "Wahyu Hidayat",
    "Putri Ayuningtyas",
    "Hendra Gunawan",
    "Yulia Safitri",
    "Dimas Saputra",
    "Intan Permatasari",
    "Arief Rahman",
    "Maya Anggraini",
    "Teguh Prasetyo",
    "Lina Marlina",
)
MONTHS_ID = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
DAYS_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jum'at", "Sabtu", "Minggu")


def _synthetic_word(rng: random.Random) -> str:
    """One Indonesian-like word from syllables and affixes."""
    root = "".join(
        rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS)
        for _ in range(rng.choice((1, 2, 2, 2, 3, 3)))
    )
    return rng.choice(PREFIXES) + root + rng.choice(SUFFIXES)


class TextGen:
    """A seeded vocabulary with Zipf-like word frequencies (rank 0 is the most frequent)."""

    def __init__(self, seed: int = 1, size: int = 4000, exponent: float = 1.0):
        """Build ``size`` words: function words first, names and synthetic words after."""
        rng = random.Random(seed)
        head: list[str] = []
        en = iter(EN_COMMON)
        for i, w in enumerate(ID_COMMON):
            head.append(w)
            if i % 3 == 2:
                head.append(next(en, ""))
        head = [w for w in head if w]
        seen = set(head) | set(PROPER)
        rest: list[str] = []
        while len(head) + len(rest) + len(PROPER) < size:
            w = _synthetic_word(rng)
            if len(w) >= 3 and w not in seen:
                seen.add(w)
                rest.append(w)
        for name in PROPER:  # names sit among the frequent content words
            rest.insert(rng.randrange(0, 600), name)
        self.vocab = head + rest
        self.proper = frozenset(PROPER)
        self.rank = {w: i for i, w in enumerate(self.vocab)}
        weights = [1.0 / (r + 2.7) ** exponent for r in range(len(self.vocab))]
        total = 0.0
        self.cum: list[float] = []
        for w in weights:
            total += w
            self.cum.append(total)
        self.share = [w / total for w in weights]

    def words(self, rng: random.Random, k: int) -> list[str]:
        """``k`` words drawn by frequency."""
        return rng.choices(self.vocab, cum_weights=self.cum, k=k)

    def sentences(self, rng: random.Random, n_words: int) -> list[str]:
        """About ``n_words`` words as sentences of 8-20 words."""
        words = self.words(rng, n_words)
        out: list[str] = []
        i = 0
        while i < len(words):
            n = rng.randint(8, 20)
            chunk = [w.capitalize() if w in self.proper else w for w in words[i : i + n]]
            i += n
            chunk[0] = chunk[0].capitalize()
            if len(chunk) > 10 and rng.random() < 0.4:
                chunk[len(chunk) // 2] += ","
            out.append(" ".join(chunk) + ".")
        return out

    def title(self, rng: random.Random) -> str:
        """A headline of 6-12 capitalised words."""
        return " ".join(w.capitalize() for w in self.words(rng, rng.randint(6, 12)))


# -- synthetic news pages -------------------------------------------------------------
@dataclass
class Story:
    """The text and metadata of one synthetic article."""

    ident: int
    title: str
    author: str
    date: datetime
    paragraphs: list[str]
    related: list[str]
    caption: str

    @property
    def slug(self) -> str:
        """The title as a URL slug."""
        return "-".join(self.title.lower().split()[:8])

    @property
    def date_id(self) -> str:
        """The date as Indonesian sites print it."""
        d = self.date
        return f"{DAYS_ID[d.weekday()]}, {d.day} {MONTHS_ID[d.month - 1]} {d.year} |{d:%H:%M} WIB"


def make_story(gen: TextGen, rng: random.Random, ident: int, body_bytes: int) -> Story:
    """A story whose paragraphs add up to about ``body_bytes`` of text."""
    paragraphs: list[str] = []
    size = 0
    while size < body_bytes:
        para = " ".join(gen.sentences(rng, rng.randint(30, 90)))
        paragraphs.append(para)
        size += len(para) + 8
    start = datetime(2015, 1, 1, tzinfo=timezone.utc)
    date = start + timedelta(minutes=rng.randrange(10 * 365 * 24 * 60))
    return Story(
        ident,
        gen.title(rng),
        rng.choice(NAMES),
        date,
        paragraphs,
        [gen.title(rng) for _ in range(rng.randint(3, 6))],
        " ".join(gen.sentences(rng, 14))[:160],
    )


def _esc(text: str) -> str:
    """Escape text for HTML."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _body(s: Story, images: list[str], ad: str, read_also: str) -> str:
    """Paragraphs with inline images, an ad slot and a read-also line mixed in."""
    parts: list[str] = []
    for i, para in enumerate(s.paragraphs):
        parts.append(f"<p>{_esc(para)}</p>")
        if i == 0:
            parts.extend(
                f'<figure><img src="{u}" alt="foto {k}"><figcaption>{_esc(s.caption)}'
                "</figcaption></figure>"
                for k, u in enumerate(images)
            )
        if i == 1:
            parts.append(read_also)
        if i == 2:
            parts.append(ad)
    return "\n".join(parts)


def okezone_page(s: Story, url: str, lead: str, images: list[str]) -> str:
    """A page in okezone.com's 2023 markup (as tests/sites/okezone.com/2023-korea-utara)."""
    ad = '<div class="detads"><div class="adv-label">Advertisement</div></div>'
    also = f'<p><strong>Baca juga:</strong> <a href="{url}-baca">{_esc(s.related[0])}</a></p>'
    related = "".join(
        f'<li><a href="{url}-{k}"><img class="lazy" src="https://cdn.okezone.com/'
        f'images/blank.gif" alt="">{_esc(t)}</a></li>'
        for k, t in enumerate(s.related)
    )
    return f"""<!DOCTYPE html>
<html lang="id"><head><meta charset="utf-8"><title>{_esc(s.title)} : Okezone News</title>
<meta property="og:image" content="{lead}">
<meta property="article:published_time" content="{s.date.isoformat()}">
<script>window.googletag = window.googletag || {{cmd: []}};</script></head><body>
<div class="ads-top"><div class="adv-label">Advertisement</div>
<div id="div-gpt-ad-okz-bb"></div></div>
<nav class="nav-okz"><ul class="menu-top"><li><a href="https://infografis.okezone.com/">INFOGRAFIS</a>
<a href="https://index.okezone.com/">INDEKS</a></li></ul></nav>
<div class="container-detail"><div class="title"><h1>{_esc(s.title)}</h1></div>
<div class="reporter"><div class="namerep"><a href="https://www.okezone.com/author/x">{s.author}</a>
,&nbsp;Jurnalis-<b>{s.date_id}</b></div></div>
<div class="detail-img" id="imageCheckWidth"><img id="imgCheck" src="{lead}" alt="">
<div class="caption-img-ab"><p>{_esc(s.caption)} (Foto: Reuters)</p></div></div>
<div class="detail-fontsize"><ul><li><a class="font-button minus">A</a></li><li>
<a class="font-button normal">A</a></li><li><a class="font-button plus">A</a></li></ul></div>
<div id="contentx" class="read" itemprop="articleBody">
{_body(s, images, ad, also)}
<div class="wa-channel"><a href="https://whatsapp.com/channel/okezone">Follow WhatsApp Channel
Okezone untuk update berita terbaru setiap hari</a></div>
<div class="box-berita-terkait"><h3>Berita Terkait</h3><ul>{related}</ul></div>
<div class="detail-tag"><a href="https://news.okezone.com/">Telusuri berita news lainnya</a></div>
<div class="detads-bottom"><div class="adv-label">Advertisement</div></div>
</div></div>
<div class="ads-bottom"><div class="adv-label">Advertisement</div></div>
<footer class="footer-okz"><ul><li><a href="https://www.okezone.com/redaksi">Redaksi</a></li></ul>
</footer><script>googletag.cmd.push(function() {{ googletag.display('div-gpt-ad'); }});</script>
</body></html>"""


def detik_page(s: Story, url: str, lead: str, images: list[str]) -> str:
    """A page in detik.com's 2015 markup (as tests/sites/detik.com/2015-baterai-ponsel)."""
    ad = (
        '<div class="banner_inside_article"><div class="banner_reg cad_skyp"><script>'
        "OA_show('skycrapper');</script></div></div>"
    )
    also = f'<a href="{url}-baca" class="baca">Baca juga: {_esc(s.related[0])}</a>'
    related = "".join(
        f'<li><a href="{url}-{k}">{_esc(t)}</a></li>' for k, t in enumerate(s.related)
    )
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{_esc(s.title)}</title>
<meta property="og:image" content="{lead}">
<meta name="pubdate" content="{s.date:%Y-%m-%d T%H:%M:%SZ}" itemprop="datePublished">
<script type="text/javascript">function OA_show(z){{}}</script></head><body>
<div id="header"><ul class="menu"><li><a href="https://inet.detik.com">detikinet</a></li>
<li><a href="https://inet.detik.com/kanal/317/gadget">Gadget</a></li></ul></div>
<div class="container"><div id="detikcontent" class="equalize"><div class="kiri content_1">
<div class="content_detail">
<div id="trending"><strong>Berita Utama</strong><ul class="trendscontent">{related}</ul></div>
<ul class="breadcrumb"><li><a href="https://inet.detik.com">Home</a></li></ul>
<div id="cad_topdetail" class="top_detail"><script>OA_show('topdetail');</script></div>
<h1 class="l_blue2_detik">{_esc(s.title)}</h1>
<div class="author"><strong>{s.author}</strong> - detikinet</div>
<div class="date">{DAYS_ID[s.date.weekday()]}, {s.date:%d/%m/%Y %H:%M} WIB</div>
<div class="pic_artikel"><img src="{lead}" alt=""><span>{_esc(s.caption)}</span></div>
<div class="text_detail"><strong>Jakarta</strong> -
{_body(s, images, ad, also)}
<strong>(rns/tfn)</strong></div>
<div class="share_bottom"><a href="#">Share on Facebook</a> <a href="#">Tweet</a></div>
<div class="box_terkait"><h3>Foto Video Terkait</h3><ul>{related}</ul></div>
</div></div></div></div>
<div id="footer"><p>detikcom - Copyright PT. Agranet Multicitra Siberindo</p></div>
</body></html>"""


def kompas_page(s: Story, url: str, lead: str, images: list[str]) -> str:
    """A page in kompas.com's 2016 markup (as tests/sites/kompas.com/2016-tarif-angkot)."""
    ad = (
        '<div class="mb2 clearfix"><div id="div-gpt-ad-0000-8"><script>'
        "googletag.display('div-gpt-ad-0000-8');</script></div></div>"
    )
    also = f'<p><strong>Baca juga:</strong> <a href="{url}-baca">{_esc(s.related[0])}</a></p>'
    related = "".join(
        f'<li><a href="{url}-{k}">{_esc(t)}</a></li>' for k, t in enumerate(s.related)
    )
    return f"""<!DOCTYPE html>
<html lang="id"><head><meta charset="utf-8"><title>{_esc(s.title)} - Kompas.com</title>
<meta name="author" content="Kompas Cyber Media"><meta property="og:image" content="{lead}" />
<script>var googletag = googletag || {{}}; googletag.cmd = googletag.cmd || [];</script>
</head><body>
<div class="kcm-header"><ul class="kcm-nav"><li><a href="https://news.kompas.com/">News</a></li>
</ul></div>
<div class="container"><div class="row"><div id="leftside" class="span8 mainside">
<div class="kcm-read"><div class="kcm-read-top clearfix">
<ul class="kcm-breadcrumb orange"><li><h4><a href="https://news.kompas.com/">News</a></h4></li></ul>
<h2>{_esc(s.title)}</h2><div class="clearfix">
<div class="kcm-date msmall grey">{s.date_id}</div>
<div class="kcm-social-right kcm-social-share clearfix"><ul><li><a href="#">fb</a></li></ul></div>
</div><div class="photo"><img src="{lead}" alt=""><span class="pb_10 author">KOMPAS.com</span>
{_esc(s.caption)}</div></div>
<div class="kcm-read-body clearfix"><div class="span2">
<div class="kcm-read-terkait"><h3>Terkait</h3><ul>{related}</ul></div>{ad}</div>
<div class="span6"><div class="kcm-read-text-wrap"><div class="kcm-read-text">
{_body(s, images, ad, also)}
</div><div class="kcm-read-copy mt2"><table class="grey"><tbody><tr><td>Penulis</td>
<td>: {s.author}</td></tr></tbody></table></div>
<div id="btn-share-bawah" class="kcm-social-share mt2"><ul><li><a href="#komentar">komentar</a>
</li></ul></div></div></div></div></div>
<div id="komentar"><h3>Komentar</h3><div class="kcm-comment-box"></div></div></div></div></div>
<div class="kcm-footer"><p>Copyright 2008 - 2016 PT. Kompas Cyber Media.</p></div>
<script src="https://asset.kompas.com/js/read.js"></script></body></html>"""


def generic_page(s: Story, url: str, lead: str, images: list[str]) -> str:
    """A WordPress-like news page of a site without a rule (generic detection)."""
    ad = '<div class="ad-slot"><span>Iklan</span><ins class="adsbygoogle"></ins></div>'
    also = (
        f'<div class="baca-juga"><b>Baca Juga</b> <a href="{url}-b">{_esc(s.related[0])}</a></div>'
    )
    related = "".join(
        f'<li><a href="{url}-{k}">{_esc(t)}</a></li>' for k, t in enumerate(s.related)
    )
    return f"""<!DOCTYPE html>
<html lang="id"><head><meta charset="utf-8"><title>{_esc(s.title)} | Warta Contoh</title>
<meta property="og:title" content="{_esc(s.title)}"><meta property="og:image" content="{lead}">
<meta property="article:published_time" content="{s.date.isoformat()}">
<script async src="https://www.googletagmanager.com/gtag/js"></script></head><body>
<header class="site-header"><a class="logo" href="/">Warta Contoh</a><nav><ul>
<li><a href="/nasional">Nasional</a></li><li><a href="/ekonomi">Ekonomi</a></li></ul></nav></header>
<div class="wrap"><main><article class="post">
<h1 class="entry-title">{_esc(s.title)}</h1>
<div class="entry-meta">Oleh <span class="author">{s.author}</span> · {s.date_id}</div>
<ul class="share-buttons"><li><a href="#">Facebook</a></li><li><a href="#">Twitter</a></li>
<li><a href="#">WhatsApp</a></li></ul>
<div class="featured"><img src="{lead}" alt=""></div>
<div class="entry-content">
{_body(s, images, ad, also)}
</div><div class="tags"><a href="/tag/a">berita</a> <a href="/tag/b">nasional</a></div>
<div class="related-posts"><h3>Berita Terkait</h3><ul>{related}</ul></div>
</article></main><aside class="sidebar"><h3>Terpopuler</h3><ol>{related}</ol></aside></div>
<div id="comments"><h3>Komentar</h3></div>
<footer class="site-footer"><p>© Warta Contoh</p></footer></body></html>"""


Template = Callable[[Story, str, str, list[str]], str]
SITES: tuple[tuple[str, Template], ...] = (
    ("news.okezone.com", okezone_page),
    ("inet.detik.com", detik_page),
    ("regional.kompas.com", kompas_page),
    ("www.warta-contoh.example", generic_page),
)


def site_urls(host: str, s: Story, n_images: int) -> tuple[str, str, list[str]]:
    """The article URL, its lead image URL and inline image URLs on ``host``."""
    d = s.date
    page = f"https://{host}/read/{d:%Y/%m/%d}/{s.ident}/{s.slug}"
    img = f"https://img.{host.split('.', 1)[1]}/content/{d:%Y/%m/%d}/{s.ident}"
    return page, f"{img}/lead.jpg", [f"{img}/{k}.jpg" for k in range(n_images)]


def article_html(gen: TextGen, seed: int, ident: int) -> tuple[str, bytes, list[str]]:
    """A synthetic article of 5-30 KB: (URL, HTML bytes, every image URL it shows)."""
    rng = random.Random(seed * 1_000_003 + ident)
    host, template = SITES[rng.randrange(len(SITES))]
    target = int(5000 * 6 ** rng.random())  # 5-30 KB, log-uniform
    story = make_story(gen, rng, ident, max(1000, target - 3500))
    n_images = rng.choice((0, 0, 1, 1, 1, 2))
    url, lead, images = site_urls(host, story, n_images)
    return url, template(story, url, lead, images).encode("utf-8"), [lead, *images]


def http_request(url: str) -> bytes:
    """A browser-like GET request for ``url``."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return (
        f"GET {parts.path or '/'} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        "User-Agent: cleaner/0.1 (offline news archiver)\r\n"
        "Accept-Encoding: gzip, deflate\r\nAccept: text/html,*/*;q=0.8\r\n"
        "Connection: close\r\n\r\n"
    ).encode("ascii")


def http_response(rng: random.Random, body: bytes, content_type: str, vary_framing: bool) -> bytes:
    """An HTTP response; HTML is sometimes gzip-encoded and/or chunked, as sites send it."""
    from origin import response

    headers = [
        ("Date", "Fri, 27 Oct 2023 10:33:00 GMT"),
        ("Server", "nginx"),
        ("Cache-Control", "max-age=60"),
    ]
    gz = vary_framing and rng.random() < 0.5
    chunked = rng.choice((None, 4096, 16384)) if vary_framing and rng.random() < 0.4 else None
    return response(body, headers, chunked=chunked, gzip=gz, content_type=content_type)


def fake_image(rng: random.Random, size: int, kind: str = "jpeg") -> bytes:
    """Incompressible bytes behind a real JPEG or MP4 signature."""
    magic = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" if kind == "jpeg" else b"\x00\x00\x00\x18ftypmp42"
    return magic + rng.randbytes(size - len(magic))


# -- timing instrumentation ---------------------------------------------------------
class Timers:
    """Exclusive wall time per category, per thread, by wrapping functions in place."""

    def __init__(self) -> None:
        """No wrappers yet."""
        self._local = threading.local()
        self._tables: list[dict[str, list[float]]] = []
        self._lock = threading.Lock()
        self._undo: list[tuple[Any, str, Any]] = []

    def _state(self) -> tuple[list[list[Any]], dict[str, list[float]]]:
        """This thread's stack of open regions and its totals."""
        st = getattr(self._local, "stack", None)
        if st is None:
            st = self._local.stack = []
            table: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
            self._local.table = table
            with self._lock:
                self._tables.append(table)
        return st, self._local.table

    def enter(self, category: str) -> None:
        """Open a region: the enclosing region's clock pauses."""
        st, table = self._state()
        now = time.perf_counter()
        if st:
            table[st[-1][0]][0] += now - st[-1][1]
        st.append([category, now])
        table[category][1] += 1

    def leave(self) -> None:
        """Close the innermost region; the enclosing one's clock resumes."""
        st, table = self._state()
        now = time.perf_counter()
        category, start = st.pop()
        table[category][0] += now - start
        if st:
            st[-1][1] = now

    def wrap(self, owner: Any, name: str, category: str) -> None:
        """Time every call of ``owner.name`` under ``category``."""
        orig = getattr(owner, name)

        @functools.wraps(orig)
        def timed(*args: Any, **kwargs: Any) -> Any:
            """The wrapped call, timed."""
            self.enter(category)
            try:
                return orig(*args, **kwargs)
            finally:
                self.leave()

        setattr(owner, name, timed)
        self._undo.append((owner, name, orig))

    def wrap_cm(self, owner: Any, name: str, category: str) -> None:
        """Time the whole ``with owner.name(...)`` block under ``category``."""
        orig = getattr(owner, name)

        @contextlib.contextmanager
        def timed(*args: Any, **kwargs: Any) -> Iterator[Any]:
            """The wrapped context manager, timed from enter to exit."""
            self.enter(category)
            try:
                with orig(*args, **kwargs) as value:
                    yield value
            finally:
                self.leave()

        setattr(owner, name, timed)
        self._undo.append((owner, name, orig))

    def restore(self) -> None:
        """Put every wrapped function back."""
        for owner, name, orig in reversed(self._undo):
            setattr(owner, name, orig)
        self._undo.clear()

    def totals(self) -> dict[str, tuple[float, int]]:
        """{category: (seconds, calls)} summed over threads."""
        out: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
        with self._lock:
            for table in self._tables:
                for cat, (sec, calls) in table.items():
                    out[cat][0] += sec
                    out[cat][1] += int(calls)
        return {k: (v[0], int(v[1])) for k, v in out.items()}


CAT_FETCH = "fetching: network + recording (Fetcher._get)"
CAT_FETCH_WAIT = "fetching: per-host lock wait + glue (Fetcher.fetch)"
CAT_WARC = "WARC writing incl. gzip + fsync (WarcWriter.write_*)"
CAT_CLEAN = "cleaning (cleaner.clean)"
CAT_COMMIT = "index commits (Index.transaction blocks)"
CAT_INLINE = "image inlining, streamed to the page (store.write_inlined)"
HEADLINE = (CAT_FETCH, CAT_WARC, CAT_CLEAN, CAT_COMMIT, CAT_INLINE)


def instrument(timers: Timers) -> None:
    """Wrap the archive's stages so ``timers`` sees where the time goes (those that exist)."""
    import archive.store as store
    from archive.capture import Fetcher
    from archive.index import Index
    from archive.warcfile import WarcWriter

    plan: list[tuple[Any, str, str]] = [
        (store.Archive, "archive_url", "archive_url glue"),
        (store.Archive, "reclean_article", "reclean_article glue"),
        (Fetcher, "fetch", CAT_FETCH_WAIT),
        (Fetcher, "_get", CAT_FETCH),
        *(
            (WarcWriter, name, CAT_WARC)
            for name in ("write_exchange", "write_revisit", "append_member", "write_resource")
        ),
        (store.Archive, "store_exchange", "store_exchange: digests + parsing"),
        *(
            (Index, name, "index reads (lookups)")
            for name in ("record", "record_by_entity", "latest_response", "article_by_url")
        ),
        (store.Archive, "_read", "WARC read-back (read_record)"),
        (store.Archive, "clean_record", "page decode (clean_record, entity_body)"),
        (store, "clean", CAT_CLEAN),
        (store.Archive, "_image_bytes", "image decode (_image_bytes)"),
        (store, "write_inlined", CAT_INLINE),
        (store, "inline_images", CAT_INLINE),
        (store, "render_result", "render document (render_result)"),
        (store, "render_document", "render document (render_document)"),
        (store.Archive, "_write_page", "clean page write incl. fsync (_write_page)"),
        (store.Archive, "save_article", "save_article glue"),
    ]
    # The archive evolves: a stage that is not there (renamed) is simply not timed.
    for owner, name, category in plan:
        if callable(getattr(owner, name, None)):
            timers.wrap(owner, name, category)
    timers.wrap_cm(Index, "transaction", CAT_COMMIT)


def breakdown(report: Report, timers: Timers, key: str) -> None:
    """Add the per-category shares of ``timers`` to the report."""
    totals = timers.totals()
    whole = sum(sec for sec, _ in totals.values()) or 1.0
    rows = {
        cat: {"seconds": round(sec, 3), "share": round(sec / whole, 4), "calls": calls}
        for cat, (sec, calls) in sorted(totals.items(), key=lambda kv: -kv[1][0])
    }
    report.data[key] = {"thread_seconds": round(whole, 3), "categories": rows}
    report.text(
        f"  where the time goes ({whole:,.1f} thread-seconds, exclusive time, "
        "all worker threads summed):"
    )
    for cat in [c for c in HEADLINE if c in rows] + [c for c in rows if c not in HEADLINE]:
        r = rows[cat]
        report.text(
            f"    {r['share'] * 100:5.1f} %  {r['seconds']:9.2f} s  {r['calls']:>7} calls  {cat}"
        )


# -- child processes ---------------------------------------------------------------------
def vm_hwm_kb() -> int:
    """This process's peak resident set size (VmHWM) in KiB."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def run_child(
    args: list[str], timeout: float, stdin: bool = False
) -> tuple[dict[str, Any], int, float]:
    """Run this script's hidden subcommand; (its JSON output, its ru_maxrss KiB, wall s)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, SCRIPT, *args],
        stdout=subprocess.PIPE,
        stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
    )
    killer = threading.Timer(timeout, proc.kill)
    killer.start()
    try:
        out = proc.stdout.read() if proc.stdout else b""
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    finally:
        killer.cancel()
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"child {args[0]} failed with exit code {proc.returncode}")
    return json.loads(out.decode("utf-8")), usage.ru_maxrss, wall


@contextlib.contextmanager
def origin_process(pages: int, hosts: int, kind: str, seed: int) -> Iterator[list[str]]:
    """Start the fixture origin(s) in a child process; yields each origin's base URL."""
    proc = subprocess.Popen(
        [
            sys.executable,
            SCRIPT,
            "_origin",
            "--pages",
            str(pages),
            "--hosts",
            str(hosts),
            "--kind",
            kind,
            "--seed",
            str(seed),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError("the origin process did not start")
        yield json.loads(line)["bases"]
    finally:
        if proc.stdin:
            proc.stdin.close()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def page_paths(n: int) -> tuple[str, list[str]]:
    """The request-targets of fixture page ``n`` and of its two images."""
    return f"/page/{n}.html", [f"/img/{n}-{i}.png" for i in range(2)]


def cmd_origin(args: argparse.Namespace) -> int:
    """Hidden: serve ``--pages`` pages (+2 images each) until stdin closes."""
    from origin import Origin, html_page, png

    gen = TextGen(args.seed)
    origins = [Origin() for _ in range(args.hosts)]
    for n in range(args.pages):
        o = origins[n % args.hosts]
        path, imgs = page_paths(n)
        if args.kind == "fixture":
            body = html_page(n, images=2)
        else:
            rng = random.Random(args.seed * 7919 + n)
            _, template = SITES[rng.randrange(len(SITES))]
            story = make_story(gen, rng, n, int(5000 * 6 ** rng.random()) - 3500)
            body = template(story, o.url(path), o.url(imgs[0]), [o.url(imgs[1])]).encode()
        o.add_page(path, body)
        for i, img in enumerate(imgs):
            o.add_page(img, png(n * 10 + i), content_type="image/png")
    print(json.dumps({"bases": [o.base for o in origins]}), flush=True)
    sys.stdin.read()
    for o in origins:
        o.close()
    return 0


def cmd_rawfetch(args: argparse.Namespace) -> int:
    """Hidden: fetch the pages and images with plain ``requests``; print timings as JSON."""
    from concurrent.futures import ThreadPoolExecutor

    import requests

    groups: list[list[str]] = json.loads(Path(args.urls).read_text())
    errors = 0
    lock = threading.Lock()

    def one(group: list[str]) -> float:
        """Fetch one page and its images, like archive_url does; return the seconds."""
        nonlocal errors
        t0 = time.perf_counter()
        for url in group:
            # A fresh session (connection) per request, as Fetcher does: the origin
            # closes after each response without saying so, and reusing a pooled
            # connection would race that close (ECONNRESET).
            r = requests.get(url, timeout=10)
            if r.status_code != 200:
                with lock:
                    errors += 1
        return time.perf_counter() - t0

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
        lat = list(pool.map(one, groups))
    wall = time.perf_counter() - t0
    print(json.dumps({"wall": wall, "latencies": lat, "errors": errors}))
    return 0


# -- 1. batch ------------------------------------------------------------------------------
def cmd_batch(args: argparse.Namespace) -> int:
    """Archive N loopback pages with run_batch; baseline: plain requests at equal concurrency."""
    rep = Report("batch", sys.argv)
    with (
        workdir("batch", args.keep) as tmp,
        origin_process(args.pages, args.hosts, args.kind, args.seed) as bases,
    ):
        groups = []
        for n in range(args.pages):
            base = bases[n % len(bases)]
            path, imgs = page_paths(n)
            groups.append([base + path] + [base + i for i in imgs])
        urls_file = tmp / "urls.json"
        urls_file.write_text(json.dumps(groups))

        log(
            f"baseline: plain requests, {args.pages} pages x 3 URLs, concurrency {args.concurrency}"
        )
        raw, _, _ = run_child(
            ["_rawfetch", "--urls", str(urls_file), "--concurrency", str(args.concurrency)],
            timeout=900,
        )

        import archive  # noqa: F401  (warcio.capture_http before requests)
        from archive.batch import run_batch
        from archive.capture import Fetcher
        from archive.store import Archive

        def one_run(root: Path, timers: Timers | None) -> tuple[float, list[float], dict, float]:
            """One batch into a fresh archive: (wall s, page latencies, statuses, cpu s)."""
            lat: list[float] = []
            arc = Archive(root)
            if timers is not None:
                instrument(timers)
            inner = arc.archive_url

            def timed(*a: Any, **kw: Any) -> Any:
                """archive_url with its latency recorded."""
                t = time.perf_counter()
                try:
                    return inner(*a, **kw)
                finally:
                    lat.append(time.perf_counter() - t)

            arc.archive_url = timed  # type: ignore[method-assign]
            fetcher = Fetcher(delay=0, respect_robots=False, deadline=10.0)
            cpu0 = time.process_time()
            t0 = time.perf_counter()
            try:
                outcomes = run_batch(
                    arc, fetcher, [g[0] for g in groups], (), args.concurrency, refresh=False
                )
            finally:
                wall = time.perf_counter() - t0
                cpu = time.process_time() - cpu0
                if timers is not None:
                    timers.restore()
                arc.close()
            statuses: dict[str, int] = defaultdict(int)
            for o in outcomes:
                statuses[o.status] += 1
            return wall, lat, dict(statuses), cpu

        log(f"timed run: run_batch of {args.pages} pages at concurrency {args.concurrency}")
        wall, lat, statuses, cpu = one_run(tmp / "arc1", None)
        log("instrumented run (timers around each stage), fresh archive")
        timers = Timers()
        iwall, _, istatuses, _ = one_run(tmp / "arc2", timers)

    rate = args.pages / wall
    raw_rate = args.pages / raw["wall"]
    rep.put("pages", args.pages, "pages (each with 2 images)", fmt="{:,}")
    rep.put("concurrency", args.concurrency, "concurrency (run_batch threads)", fmt="{}")
    rep.put("hosts", args.hosts, "origins (host:port; one fetch at a time each)", fmt="{}")
    rep.put("kind", args.kind, "page kind")
    rep.section("archive (run_batch: fetch + WARC + clean + images + index):")
    rep.put("wall_s", round(wall, 3), "wall time", "s", "{:.2f}")
    rep.put("pages_per_s", round(rate, 2), "throughput (wall)", "pages/s", "{:.1f}")
    rep.put(
        "page_ms_median",
        round(statistics.median(lat) * 1000, 2),
        "archive_url latency median",
        "ms",
        "{:.1f}",
    )
    rep.put("page_ms_p95", round(pct(lat, 95) * 1000, 2), "archive_url latency p95", "ms", "{:.1f}")
    rep.put(
        "cpu_utilisation", round(cpu / wall, 2), "process CPU / wall (2 cores = 2.0)", "", "{:.2f}"
    )
    rep.put("statuses", statuses, "outcomes")
    rep.section("baseline (plain requests, same URLs, same concurrency, no recording):")
    rep.put("baseline_pages_per_s", round(raw_rate, 2), "throughput (wall)", "pages/s", "{:.1f}")
    rep.put(
        "baseline_page_ms_median",
        round(statistics.median(raw["latencies"]) * 1000, 2),
        "page+2 images latency median",
        "ms",
        "{:.1f}",
    )
    rep.put("baseline_errors", raw["errors"], "non-200 answers", fmt="{}")
    rep.put(
        "ratio_archive_vs_raw",
        round(rate / raw_rate, 3),
        "ratio archive / raw fetch (pages/s)",
        "",
        "{:.3f}",
    )
    rep.section(f"instrumented run (wall {iwall:.2f} s, outcomes {dict(istatuses)}):")
    breakdown(rep, timers, "breakdown")
    rep.note(
        "the origin (tests/origin.py) runs in a child process; each connection carries "
        "one request (no keep-alive), for the archiver and the baseline alike"
    )
    rep.note(
        "Fetcher serialises requests per host:port, so with --hosts 1 at most one "
        "fetch is on the wire at a time whatever the concurrency"
    )
    rep.emit(args.json)
    return 0


# -- 2. reclean ------------------------------------------------------------------------------
def write_article_warc(directory: Path, count: int, seed: int) -> tuple[int, int]:
    """Write ``count`` synthetic articles and their images as WARC; (records, bytes)."""
    from archive.warcfile import WarcWriter

    gen = TextGen(seed)
    rng = random.Random(seed)
    records = 0
    with WarcWriter(directory, prefix="synthetic") as writer:
        for i in range(count):
            url, html, images = article_html(gen, seed, i)
            writer.write_exchange(
                url,
                http_request(url),
                http_response(rng, html, "text/html; charset=utf-8", True),
                "127.0.0.1",
            )
            records += 2
            for img in images:
                data = fake_image(rng, rng.randint(8 * 1024, 48 * 1024))
                writer.write_exchange(
                    img,
                    http_request(img),
                    http_response(rng, data, "image/jpeg", False),
                    "127.0.0.1",
                )
                records += 2
            if i and i % 2000 == 0:
                log(f"  wrote {i:,} articles")
    size = sum(p.stat().st_size for p in directory.glob("*.warc.gz"))
    return records, size


def cmd_reclean(args: argparse.Namespace) -> int:
    """Time reclean_article over an imported archive; baseline: cleaner.clean alone."""
    rep = Report("reclean", sys.argv)
    import archive  # noqa: F401
    from archive.importer import import_warc
    from archive.payload import entity_body, header, http_parts
    from archive.store import Archive
    from cleaner import clean

    with workdir("reclean", args.keep) as tmp:
        log(f"writing {args.articles:,} synthetic articles (+ images) with WarcWriter")
        t0 = time.perf_counter()
        records, size = write_article_warc(tmp / "src", args.articles, args.seed)
        t_write = time.perf_counter() - t0
        log(f"importing {size / MB:,.1f} MB with import_warc")
        arc = Archive(tmp / "arc")
        t0 = time.perf_counter()
        made = 0
        for path in sorted((tmp / "src").glob("*.warc.gz")):
            made += len(import_warc(arc, path).articles)
        t_import = time.perf_counter() - t0
        rows = arc.index.list_articles(limit=10**9)
        rows.sort(key=lambda r: r["id"])

        log(f"timed: reclean_article(write={not args.dry_run}) over {len(rows):,} articles")
        lat: list[float] = []
        changed = 0
        t0 = time.perf_counter()
        for n, row in enumerate(rows, 1):
            t = time.perf_counter()
            did, _, _ = arc.reclean_article(row, write=not args.dry_run)
            lat.append(time.perf_counter() - t)
            changed += did
            if n % 2000 == 0:
                log(f"  {n:,} re-cleaned")
        wall = time.perf_counter() - t0

        log("baseline: cleaner.clean alone on the same entity bodies")
        base: list[float] = []
        for row in rows:
            block, url = arc.response_block(row["record"])
            _, headers, _ = http_parts(block)
            ctype = header(headers, "content-type")
            body = entity_body(block)
            t = time.perf_counter()
            clean(body, url=url, content_type=ctype, rules=arc.rules)
            base.append(time.perf_counter() - t)

        sample = rows[: min(args.sample, len(rows))]
        log(f"instrumented: reclean_article over the first {len(sample):,} articles")
        timers = Timers()
        instrument(timers)
        try:
            for row in sample:
                arc.reclean_article(row, write=not args.dry_run)
        finally:
            timers.restore()
        arc.close()

    rate = len(rows) / wall
    base_total = sum(base)
    rep.section("archive built by writing a WARC and importing it (import_warc):")
    rep.put("articles", len(rows), "articles in the archive", fmt="{:,}")
    rep.put(
        "warc_records", records, "WARC records written (pages + images, req + resp)", fmt="{:,}"
    )
    rep.put("warc_mb", round(size / MB, 1), "WARC size", "MB")
    rep.put("build_write_s", round(t_write, 1), "time to write the WARC", "s")
    rep.put("build_import_s", round(t_import, 1), "time to import it", "s")
    rep.put(
        "build_import_articles_per_s", round(made / t_import, 1), "import throughput", "articles/s"
    )
    rep.section(f"reclean_article (write={not args.dry_run}), one process, in id order:")
    rep.put("wall_s", round(wall, 2), "wall time", "s", "{:.2f}")
    rep.put("pages_per_s", round(rate, 1), "throughput", "pages/s")
    rep.put(
        "ms_median", round(statistics.median(lat) * 1000, 2), "per article median", "ms", "{:.2f}"
    )
    rep.put("ms_p95", round(pct(lat, 95) * 1000, 2), "per article p95", "ms", "{:.2f}")
    rep.put("changed", changed, "articles whose text changed (same rules)", fmt="{:,}")
    rep.section("baseline: cleaner.clean alone on the same bytes:")
    rep.put("baseline_pages_per_s", round(len(base) / base_total, 1), "throughput", "pages/s")
    rep.put(
        "baseline_ms_median",
        round(statistics.median(base) * 1000, 2),
        "per page median",
        "ms",
        "{:.2f}",
    )
    rep.put(
        "ratio_reclean_vs_clean",
        round(wall / base_total, 3),
        "ratio reclean time / clean time",
        "",
        "{:.3f}",
    )
    rep.put(
        "clean_share",
        round(base_total / wall, 3),
        "share of reclean time that is cleaning",
        "",
        "{:.3f}",
    )
    rep.section(f"instrumented reclean of {len(sample):,} articles:")
    breakdown(rep, timers, "breakdown")
    rep.note(
        "synthetic pages: okezone/detik/kompas markup (site rules apply) and a "
        "WordPress-like site without a rule (generic detection); 0-2 inline images "
        "plus a lead image per article, 8-48 KB each; HTML partly gzip/chunked"
    )
    rep.emit(args.json)
    return 0


# -- 3. search ----------------------------------------------------------------------------------
SEARCH_SITES = (
    ("news.okezone.com", 8),
    ("inet.detik.com", 6),
    ("regional.kompas.com", 5),
    ("antaranews.com", 4),
    ("tempo.co", 3),
    ("liputan6.com", 3),
    ("republika.co.id", 2),
    ("viva.co.id", 2),
    ("kapanlagi.com", 1),
    ("www.warta-contoh.example", 1),
)
SITE_FILTERS = (
    "okezone.com",
    "detik.com",
    "kompas.com",
    "antaranews.com",
    "tempo.co",
    "kapanlagi.com",
)


def build_search_index(
    path: Path, count: int, gen: TextGen, seed: int
) -> tuple[list[list[str]], float]:
    """Insert ``count`` synthetic articles straight into an Index; (sample texts, seconds)."""
    from archive.index import Index, dumps

    rng = random.Random(seed)
    idx = Index(path)
    sites = [s for s, _ in SEARCH_SITES]
    weights = [w for _, w in SEARCH_SITES]
    samples: list[list[str]] = []
    start = datetime(2015, 1, 1, tzinfo=timezone.utc)
    t0 = time.perf_counter()
    with idx.transaction() as db:
        rec = idx.add_record(
            db,
            url="https://placeholder.invalid/",
            type="response",
            status=200,
            mime="text/html",
            warc_file="placeholder.warc.gz",
            warc_offset=0,
            warc_length=0,
            record_id="<urn:uuid:placeholder>",
            date="2015-01-01T00:00:00Z",
            payload_digest=None,
            entity_digest=None,
            truncated=None,
            refers_to=None,
        )
    cols = (
        "url",
        "final_url",
        "site",
        "title",
        "byline",
        "published",
        "lang",
        "text",
        "excerpt",
        "words",
        "captured_at",
        "updated_at",
        "record",
        "pages",
        "rules_digest",
        "html_path",
        "removals",
    )
    sql = f"INSERT INTO articles ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
    batch: list[tuple[Any, ...]] = []
    for i in range(count):
        site = rng.choices(sites, weights)[0]
        n_words = rng.randint(300, 800)
        words = gen.words(rng, n_words)
        if len(samples) < 3000:
            samples.append(words)
        paras, sent = [], []
        for j, w in enumerate(words):
            sent.append(w)
            if len(sent) >= 14 and (j % 17 == 0):
                paras.append(" ".join(sent).capitalize() + ".")
                sent = []
        paras.append(" ".join(sent).capitalize() + ".")
        text = "\n\n".join(" ".join(paras[k : k + 4]) for k in range(0, len(paras), 4))
        when = (start + timedelta(minutes=i * 45)).strftime("%Y-%m-%dT%H:%M:%SZ")
        url = f"https://{site}/read/{i}/{'-'.join(words[:6])}"
        batch.append(
            (
                url,
                url,
                site,
                gen.title(rng),
                rng.choice(NAMES),
                when,
                "id" if rng.random() < 0.8 else "en",
                text,
                text[:280],
                n_words,
                when,
                when,
                rec,
                dumps([rec]),
                "bench",
                f"articles/{i % 256:02x}/{i}.html",
                "[]",
            )
        )
        if len(batch) >= 1000 or i == count - 1:
            with idx.transaction() as db:
                db.executemany(sql, batch)
            batch.clear()
        if i and i % 20000 == 0:
            log(f"  inserted {i:,} articles")
    secs = time.perf_counter() - t0
    idx.close()
    return samples, secs


def make_queries(
    gen: TextGen, samples: list[list[str]], n: int, seed: int
) -> list[tuple[str, str, str | None]]:
    """``n`` queries: (kind, text, site filter or None), in a seeded random order."""
    rng = random.Random(seed + 17)
    v = gen.vocab
    plan = (
        ("word-frequent (rank<100)", 0.10),
        ("word-mid (rank 100-999)", 0.15),
        ("word-rare (rank>=1000)", 0.15),
        ("two words", 0.20),
        ("phrase", 0.15),
        ("prefix*", 0.15),
        ("name + word", 0.10),
    )
    out: list[tuple[str, str, str | None]] = []
    for kind, share in plan:
        for _ in range(round(n * share)):
            if kind.startswith("word-frequent"):
                q = v[rng.randrange(0, 100)]
            elif kind.startswith("word-mid"):
                q = v[rng.randrange(100, 1000)]
            elif kind.startswith("word-rare"):
                q = v[rng.randrange(1000, len(v))]
            elif kind == "two words":
                q = f"{v[rng.randrange(50, 1500)]} {v[rng.randrange(50, 1500)]}"
            elif kind == "phrase":
                words = rng.choice(samples)
                k = rng.randrange(0, len(words) - 3)
                q = '"' + " ".join(words[k : k + rng.choice((2, 3))]) + '"'
            elif kind == "prefix*":
                w = v[rng.randrange(100, len(v))]
                q = w[: max(3, min(len(w) - 1, rng.randint(3, 5)))] + "*"
            else:
                q = f"{rng.choice(PROPER).capitalize()} {v[rng.randrange(100, 2000)]}"
            site = rng.choice(SITE_FILTERS) if rng.random() < 0.25 else None
            out.append((kind, q, site))
    while len(out) < n:
        out.append(("word-mid (rank 100-999)", v[rng.randrange(100, 1000)], None))
    rng.shuffle(out)
    return out[:n]


def cmd_search(args: argparse.Namespace) -> int:
    """Time 1,000 varied searches over 100,000 articles; baseline: SELECT count(*)."""
    rep = Report("search", sys.argv)
    import archive  # noqa: F401
    from archive.index import Index

    gen = TextGen(args.seed)
    with workdir("search", args.keep) as tmp:
        path = tmp / "index.sqlite3"
        log(f"inserting {args.articles:,} synthetic articles directly with Index")
        samples, build_s = build_search_index(path, args.articles, gen, args.seed)
        queries = make_queries(gen, samples, args.queries, args.seed)
        idx = Index(path)
        for _, q, site in queries[:10]:  # warm-up: page cache and statement cache
            idx.search(q, site=site, limit=20)
        log(f"timing {len(queries):,} queries")
        per_kind: dict[str, list[float]] = defaultdict(list)
        site_lat: list[float] = []
        lat: list[float] = []
        hits = 0
        slow: list[tuple[float, str, str | None]] = []
        for kind, q, site in queries:
            t = time.perf_counter()
            res = idx.search(q, site=site, limit=20)
            dt = (time.perf_counter() - t) * 1000
            lat.append(dt)
            per_kind[kind].append(dt)
            if site:
                site_lat.append(dt)
            hits += bool(res)
            slow.append((dt, q, site))
        base: list[float] = []
        for _ in range(200):
            t = time.perf_counter()
            idx.db.execute("SELECT count(*) FROM articles").fetchone()
            base.append((time.perf_counter() - t) * 1000)
        idx.close()
        db_mb = path.stat().st_size / MB

    p95 = pct(lat, 95)
    rep.put("articles", args.articles, "articles (rows inserted directly with Index)", fmt="{:,}")
    rep.put("build_s", round(build_s, 1), "insert time (FTS5 triggers, 1,000 per commit)", "s")
    rep.put("db_mb", round(db_mb, 1), "index size", "MB")
    rep.put("vocabulary", len(gen.vocab), "vocabulary (Zipf-like, s=1)", "words", "{:,}")
    rep.put("queries", len(lat), "queries timed individually (limit 20)", fmt="{:,}")
    rep.put("queries_with_hits", hits, "queries with at least one hit", fmt="{:,}")
    rep.section("Index.search latency:")
    rep.put("p50_ms", round(pct(lat, 50), 2), "p50", "ms", "{:.2f}")
    rep.put("p95_ms", round(p95, 2), f"p95 (target <= {SEARCH_TARGET_P95_MS:g} ms)", "ms", "{:.2f}")
    rep.put("p99_ms", round(pct(lat, 99), 2), "p99", "ms", "{:.2f}")
    rep.put("max_ms", round(max(lat), 2), "max", "ms", "{:.2f}")
    rep.put("target_met", p95 <= SEARCH_TARGET_P95_MS, "p95 target met")
    rep.put(
        "site_filter_p50_ms",
        round(pct(site_lat, 50), 2),
        f"with --site filter ({len(site_lat)} queries) p50",
        "ms",
        "{:.2f}",
    )
    rep.put(
        "site_filter_p95_ms", round(pct(site_lat, 95), 2), "with --site filter p95", "ms", "{:.2f}"
    )
    rep.text("  by query kind (n, p50 / p95 / max ms):")
    kinds = {}
    for kind, vals in sorted(per_kind.items()):
        kinds[kind] = {
            "n": len(vals),
            "p50_ms": round(pct(vals, 50), 2),
            "p95_ms": round(pct(vals, 95), 2),
            "max_ms": round(max(vals), 2),
        }
        rep.text(
            f"    {kind:<28} {len(vals):>4}  {pct(vals, 50):8.2f} / {pct(vals, 95):8.2f} "
            f"/ {max(vals):8.2f}"
        )
    rep.data["by_kind"] = kinds
    slow.sort(reverse=True)
    rep.data["slowest"] = [{"ms": round(ms, 1), "query": q, "site": s} for ms, q, s in slow[:10]]
    rep.text(
        "  slowest: "
        + "; ".join(f"{q!r}{' site=' + s if s else ''} {ms:.0f} ms" for ms, q, s in slow[:5])
    )
    rep.section("baseline: SELECT count(*) FROM articles round trip:")
    rep.put("baseline_ms_median", round(statistics.median(base), 3), "median", "ms", "{:.3f}")
    rep.put(
        "ratio_p50_vs_count",
        round(pct(lat, 50) / statistics.median(base), 2),
        "ratio search p50 / count(*) median",
        "",
        "{:.2f}",
    )
    rep.note(
        "rows were inserted directly with Index (SQL INSERT, FTS5 kept by the triggers), "
        "not captured or cleaned; warm page cache; 10 warm-up queries not counted"
    )
    rep.emit(args.json)
    return 0


# -- 4. import-memory -----------------------------------------------------------------------------
def write_big_warc(
    directory: Path, size: int, seed: int, page_images: int = 3
) -> tuple[int, int, int]:
    """Stream about ``size`` bytes of WARC (large media, some pages); (records, pages, bytes)."""
    from archive.warcfile import WarcWriter

    gen = TextGen(seed)
    rng = random.Random(seed)
    records = pages = written = 0
    images: list[str] = []
    with WarcWriter(directory, prefix="big", max_size=size * 2) as writer:
        i = 0
        while written < size:
            i += 1
            roll = rng.random()
            if roll < 0.25 and images:
                url, html, _ = article_html(gen, seed, i)
                recent = images[-max(20, page_images) :]
                shown = rng.sample(recent, min(len(recent), rng.randint(1, page_images)))
                extra = "".join(f'<p><img src="{u}" alt=""></p>' for u in shown)
                html = html.replace(b"</p>", b"</p>" + extra.encode(), 1)
                body = http_response(rng, html, "text/html; charset=utf-8", True)
                pages += 1
            elif roll < 0.85:
                url = f"https://img.example-media.test/photo/{i}.jpg"
                body = http_response(
                    rng, fake_image(rng, rng.randint(1 * MB, 8 * MB - 4096)), "image/jpeg", False
                )
                images.append(url)
            else:
                url = f"https://video.example-media.test/clip/{i}.mp4"
                body = http_response(
                    rng, fake_image(rng, rng.randint(2 * MB, 8 * MB), "mp4"), "video/mp4", False
                )
            ref, req = writer.write_exchange(url, http_request(url), body, "127.0.0.1")
            written += ref.length + req.length
            records += 2
            del body
    size_on_disk = sum(p.stat().st_size for p in directory.glob("*.warc.gz"))
    return records, pages, size_on_disk


def cmd_import_child(args: argparse.Namespace) -> int:
    """Hidden: import the WARC files of a directory; print figures (incl. VmHWM) as JSON."""
    import archive  # noqa: F401
    from archive.importer import import_warc
    from archive.store import Archive

    before = vm_hwm_kb()
    arc = Archive(Path(args.archive))
    out: dict[str, Any] = {"records": 0, "articles": 0, "problems": [], "skipped": 0}
    t0 = time.perf_counter()
    for path in sorted(Path(args.warcs).glob("*.warc.gz")):
        rep = import_warc(arc, path)
        out["records"] += rep.records
        out["articles"] += len(rep.articles)
        out["problems"] += rep.problems
        out["skipped"] += len(rep.skipped)
    arc.close()
    out["import_s"] = time.perf_counter() - t0
    out["vmhwm_kb_before_import"] = before
    out["vmhwm_kb"] = vm_hwm_kb()
    print(json.dumps(out))
    return 0


def cmd_import_baseline(args: argparse.Namespace) -> int:
    """Hidden: only import the archive package (and what import_warc pulls in)."""
    import archive
    import archive.importer
    import archive.store

    del archive

    print(json.dumps({"vmhwm_kb": vm_hwm_kb()}))
    return 0


def cmd_import_memory(args: argparse.Namespace) -> int:
    """Peak RSS and throughput of import_warc on a ~1 GB WARC, in a child process."""
    rep = Report("import-memory", sys.argv)
    size = args.size_mb * MB
    with workdir("import", args.keep) as tmp:
        log(f"writing a ~{args.size_mb:,} MB WARC (streamed, record by record)")
        t0 = time.perf_counter()
        records, pages, on_disk = write_big_warc(tmp / "src", size, args.seed, args.page_images)
        t_write = time.perf_counter() - t0
        log("baseline child: import the archive package only")
        _, base_rss, _ = run_child(["_import-baseline"], timeout=120)
        log(f"import child: import_warc of {on_disk / MB:,.0f} MB")
        child, rss, wall = run_child(
            ["_import-child", "--warcs", str(tmp / "src"), "--archive", str(tmp / "arc")],
            timeout=3600,
        )
        arc_mb = sum(p.stat().st_size for p in (tmp / "arc").rglob("*") if p.is_file()) / MB

    peak_mb = rss / 1024
    rep.put("warc_mb", round(on_disk / MB, 1), "WARC size on disk", "MB")
    rep.put("warc_records", records, "records (request + response)", fmt="{:,}")
    rep.put(
        "html_pages",
        pages,
        f"HTML pages among them (1-{args.page_images} large images each)",
        fmt="{:,}",
    )
    rep.put("write_s", round(t_write, 1), "time to write it", "s")
    rep.section("import child (import_warc in a subprocess):")
    rep.put(
        "peak_rss_mb",
        round(peak_mb, 1),
        f"peak RSS, ru_maxrss (target <= {IMPORT_TARGET_PEAK_MB:g} MB)",
        "MB",
    )
    rep.put("peak_vmhwm_mb", round(child["vmhwm_kb"] / 1024, 1), "peak RSS, /proc VmHWM", "MB")
    rep.put("target_met", peak_mb <= IMPORT_TARGET_PEAK_MB, "peak target met")
    rep.put("import_s", round(child["import_s"], 2), "import_warc time", "s", "{:.2f}")
    rep.put("mb_per_s", round(on_disk / MB / child["import_s"], 1), "import throughput", "MB/s")
    rep.put("child_wall_s", round(wall, 2), "child wall incl. start-up", "s", "{:.2f}")
    rep.put("records_imported", child["records"], "records imported", fmt="{:,}")
    rep.put("articles", child["articles"], "articles made", fmt="{:,}")
    rep.put("problems", len(child["problems"]), "problems reported", fmt="{:,}")
    rep.put("archive_mb", round(arc_mb, 1), "archive size after import", "MB")
    rep.section("baseline child (imports archive.importer and archive.store only):")
    rep.put("baseline_peak_rss_mb", round(base_rss / 1024, 1), "peak RSS, ru_maxrss", "MB")
    rep.put(
        "ratio_peak_vs_baseline",
        round(rss / base_rss, 2),
        "ratio import peak / baseline",
        "",
        "{:.2f}",
    )
    rep.put(
        "import_over_baseline_mb",
        round((rss - base_rss) / 1024, 1),
        "import peak above baseline",
        "MB",
    )
    rep.note(
        "media bodies are incompressible random bytes behind JPEG/MP4 signatures, "
        f"1-8 MB; HTML pages show 1-{args.page_images} of the preceding JPEGs, so import "
        "inlines them"
    )
    rep.emit(args.json)
    return 0


# -- image-memory ------------------------------------------------------------------------------
IMAGE_SITE = "http://images.bench.test"


def write_image_article(root: Path, images: int, image_bytes: int, seed: int) -> str:
    """Record one article page showing ``images`` JPEGs of ``image_bytes`` each (incompressible
    bytes behind a JPEG signature) into a fresh archive, not yet saved; the page URL."""
    from archive.capture_conn import Exchange
    from archive.store import Archive

    rng = random.Random(seed)
    srcs = [f"{IMAGE_SITE}/img/{i}.jpg" for i in range(images)]

    def record(arc: Archive, url: str, body: bytes, ctype: str) -> None:
        """Store one 200 response (and its request)."""
        head = f"HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n\r\n"
        req = f"GET {url} HTTP/1.1\r\nHost: images.bench.test\r\n\r\n".encode()
        arc.store_exchange(Exchange(url, req, head.encode() + body, "127.0.0.1", 200, {}, b""))

    url = f"{IMAGE_SITE}/article.html"
    with Archive(root) as arc:
        for src in srcs:
            record(arc, src, b"\xff\xd8\xff\xe0" + rng.randbytes(image_bytes - 4), "image/jpeg")
        body = "".join(
            f"<p>Paragraph {i} of the article, long enough to be kept as its text; "
            f"{' '.join(EN_COMMON[:40])}.</p>"
            f'<figure><img src="{src}" alt="figure {i}"></figure>'
            for i, src in enumerate(srcs)
        )
        page = (
            "<!doctype html><html><head><meta charset=utf-8><title>Images</title></head>"
            f"<body><article><h1>An article with {images} large images</h1>{body}"
            "<p>The end.</p></article></body></html>"
        )
        record(arc, url, page.encode(), "text/html; charset=utf-8")
    return url


def cmd_image_child(args: argparse.Namespace) -> int:
    """Hidden: one step of saving the image article (baseline, save or reclean); VmHWM as JSON."""
    if args.code:
        sys.path.insert(0, str(Path(args.code).resolve()))
    import hashlib

    import archive
    from archive.store import Archive

    arc = Archive(Path(args.archive))
    rid = arc.index.latest_response(args.url)["id"]
    page = arc.clean_record(rid)
    if isinstance(page, str):
        raise SystemExit(page)
    out: dict[str, Any] = {"archive_module": archive.__file__, "images": len(page.result.images)}
    t0 = time.perf_counter()
    if args.step == "save":
        arc.save_article(args.url, [page], arc.stored_images([page]), ())
    elif args.step == "reclean":
        out["changed"] = arc.reclean_article(arc.index.article_by_url(args.url))[0]
    out["seconds"] = time.perf_counter() - t0
    row = arc.index.article_by_url(args.url)
    if row is not None:
        path = Path(args.archive) / row["html_path"]
        out["page_bytes"] = path.stat().st_size
        out["page_mtime_ns"] = path.stat().st_mtime_ns
        digest = hashlib.sha256()
        with open(path, "rb") as fh:
            while chunk := fh.read(MB):
                digest.update(chunk)
        out["page_sha256"] = digest.hexdigest()
    arc.close()
    out["vmhwm_kb"] = vm_hwm_kb()
    print(json.dumps(out))
    return 0


def cmd_image_memory(args: argparse.Namespace) -> int:
    """Peak RSS of saving (and re-cleaning) one article with N large images, in child processes."""
    rep = Report("image-memory", sys.argv)
    size = int(args.image_mb * MB)
    with workdir("images", args.keep) as tmp:
        log(f"recording an article with {args.images} images of {size / MB:g} MB")
        url = write_image_article(tmp / "arc", args.images, size, args.seed)
        common = ["--archive", str(tmp / "arc"), "--url", url]
        if args.code:
            common += ["--code", args.code]
        steps: dict[str, tuple[dict[str, Any], int]] = {}
        for step in ("baseline", "save", "reclean"):
            log(f"child: {step}")
            out, rss, _ = run_child(["_image-child", *common, "--step", step], timeout=600)
            steps[step] = (out, rss)

    base, save, reclean = (steps[s][0] for s in ("baseline", "save", "reclean"))
    rep.put("archive_module", base["archive_module"], "archive package imported from")
    rep.put("images", base["images"], "images on the page", fmt="{:,}")
    rep.put("image_mb", round(size / MB, 2), "bytes per image", "MB")
    rep.put("page_mb", round(save["page_bytes"] / MB, 1), "clean page written", "MB")
    rep.put("page_sha256", save["page_sha256"], "sha256 of the clean page")
    rep.section("peak RSS (VmHWM) of a fresh child process:")
    rep.put(
        "baseline_vmhwm_mb",
        round(base["vmhwm_kb"] / 1024, 1),
        "baseline: open archive, clean the page",
        "MB",
    )
    rep.put(
        "save_vmhwm_mb",
        round(save["vmhwm_kb"] / 1024, 1),
        "save: stored_images + save_article",
        "MB",
    )
    rep.put(
        "save_over_baseline_mb",
        round((save["vmhwm_kb"] - base["vmhwm_kb"]) / 1024, 1),
        "  above baseline",
        "MB",
    )
    rep.put("save_s", round(save["seconds"], 2), "  time to save", "s", "{:.2f}")
    rep.put(
        "reclean_vmhwm_mb",
        round(reclean["vmhwm_kb"] / 1024, 1),
        "reclean, page unchanged (compare only)",
        "MB",
    )
    rep.put(
        "reclean_over_baseline_mb",
        round((reclean["vmhwm_kb"] - base["vmhwm_kb"]) / 1024, 1),
        "  above baseline",
        "MB",
    )
    rep.put("reclean_s", round(reclean["seconds"], 2), "  time to reclean", "s", "{:.2f}")
    rep.put(
        "reclean_rewrote",
        reclean["page_mtime_ns"] != save["page_mtime_ns"],
        "  clean page rewritten by reclean",
    )
    rep.note(
        "images are incompressible bytes behind a JPEG signature; --code DIR measures the "
        "archive package found in DIR (e.g. a `git archive` of an older commit) instead"
    )
    rep.emit(args.json)
    return 0


# -- command line ----------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run one benchmark."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print one JSON object")
    common.add_argument("--seed", type=int, default=1, help="seed of every generator")
    common.add_argument("--keep", action="store_true", help="keep the temporary files")
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="{batch,reclean,search,import-memory,image-memory}"
    )
    p = sub.add_parser("batch", parents=[common], help="archive N loopback pages with run_batch")
    p.add_argument("--pages", type=int, default=500)
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument(
        "--hosts", type=int, default=1, help="spread the pages over this many origins (host:port)"
    )
    p.add_argument(
        "--kind",
        choices=("fixture", "article"),
        default="fixture",
        help="tests/origin.py html_page (tiny) or synthetic 5-30 KB articles",
    )
    p.set_defaults(func=cmd_batch)
    p = sub.add_parser("reclean", parents=[common], help="re-clean M imported articles")
    p.add_argument("--articles", type=int, default=10_000)
    p.add_argument("--sample", type=int, default=1000, help="articles in the instrumented pass")
    p.add_argument("--dry-run", action="store_true", help="reclean_article(write=False)")
    p.set_defaults(func=cmd_reclean)
    p = sub.add_parser("search", parents=[common], help="query latency over a large index")
    p.add_argument("--articles", type=int, default=100_000)
    p.add_argument("--queries", type=int, default=1000)
    p.set_defaults(func=cmd_search)
    p = sub.add_parser("import-memory", parents=[common], help="peak RSS of import_warc")
    p.add_argument("--size-mb", type=int, default=1024)
    p.add_argument(
        "--page-images", type=int, default=3, help="at most this many large images on one page"
    )
    p.set_defaults(func=cmd_import_memory)
    p = sub.add_parser(
        "image-memory", parents=[common], help="peak RSS of saving one article with large images"
    )
    p.add_argument("--images", type=int, default=10)
    p.add_argument("--image-mb", type=float, default=8.0, help="size of each image (max 8)")
    p.add_argument(
        "--code", help="import the archive package from this directory (e.g. an older commit)"
    )
    p.set_defaults(func=cmd_image_memory)
    p = sub.add_parser("_origin")
    p.add_argument("--pages", type=int, required=True)
    p.add_argument("--hosts", type=int, default=1)
    p.add_argument("--kind", default="fixture")
    p.add_argument("--seed", type=int, default=1)
    p.set_defaults(func=cmd_origin)
    p = sub.add_parser("_rawfetch")
    p.add_argument("--urls", required=True)
    p.add_argument("--concurrency", type=int, default=8)
    p.set_defaults(func=cmd_rawfetch)
    p = sub.add_parser("_import-child")
    p.add_argument("--warcs", required=True)
    p.add_argument("--archive", required=True)
    p.set_defaults(func=cmd_import_child)
    p = sub.add_parser("_image-child")
    p.add_argument("--archive", required=True)
    p.add_argument("--url", required=True)
    p.add_argument("--step", choices=("baseline", "save", "reclean"), required=True)
    p.add_argument("--code")
    p.set_defaults(func=cmd_image_child)
    p = sub.add_parser("_import-baseline")
    p.set_defaults(func=cmd_import_baseline)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
