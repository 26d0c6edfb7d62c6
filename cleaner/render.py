"""The complete, self-contained reading document around a cleaned article body.

The document carries its metadata in ``<meta>`` tags and marks its body with
``data-cleaner-content``, so cleaning a cleaned page finds the same article and
metadata again (``clean(clean(x).html) == clean(x)``).
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any

GENERATOR = "cleaner"
CSP = "default-src 'none'; img-src http: https: data:; style-src 'unsafe-inline'"

STYLE = """
:root { color-scheme: light dark; }
body { margin: 0 auto; max-width: 42rem; padding: 2rem 1.25rem 4rem; font: 1.125rem/1.65 Georgia,
  "Times New Roman", serif; color: #1d1d1f; background: #fdfdfb; }
@media (prefers-color-scheme: dark) { body { color: #e6e6e3; background: #161616; }
  a { color: #8ab4f8; } }
h1 { font-size: 2rem; line-height: 1.2; margin: 0 0 .5rem; }
.cleaner-meta { color: #6b6b6b; font: .9rem/1.4 system-ui, sans-serif; margin-bottom: 1.5rem; }
img { max-width: 100%; height: auto; }
figure { margin: 1.5rem 0; } figcaption { font-size: .9rem; color: #6b6b6b; }
blockquote { margin-left: 0; padding-left: 1rem; border-left: 3px solid #ccc; }
pre { overflow-x: auto; } table { border-collapse: collapse; }
td, th { border: 1px solid #ccc; padding: .25rem .5rem; }
"""


def human_date(iso: str) -> str:
    """``2023-10-27T17:33:00+07:00`` as ``27 Oct 2023, 17:33 (UTC+07:00)``; dates as dates."""
    try:
        value = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if "T" not in iso:
        return value.strftime("%-d %b %Y")
    zone = value.strftime("%z")
    suffix = f" (UTC{zone[:3]}:{zone[3:]})" if zone else ""
    return value.strftime("%-d %b %Y, %H:%M") + suffix


def _meta(name: str, value: str | None, attr: str = "name") -> str:
    """One ``<meta>`` line, or nothing for an empty value."""
    if not value:
        return ""
    return f'<meta {attr}="{escape(name)}" content="{escape(value)}">\n'


def render_document(
    *,
    content_html: str,
    title: str | None,
    byline: str | None,
    published: str | None,
    lang: str | None,
    site_name: str | None,
    lead_image: str | None,
    url: str | None,
    csp: str = CSP,
    lead_caption: str | None = None,
    show_lead: bool = False,
    headline: str | None = None,
) -> str:
    """Wrap a sanitised body fragment in the reading document (``headline``: the title the
    reader sees, when it differs from the metadata's ``title``)."""
    shown_title = headline or title
    lang_attr = f' lang="{escape(lang)}"' if lang else ""
    head = [
        '<meta charset="utf-8">\n',
        _meta("Content-Security-Policy", csp, "http-equiv"),
        _meta("referrer", "no-referrer"),
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        _meta("generator", GENERATOR),
        f"<title>{escape(shown_title or '')}</title>\n",
        _meta("og:title", title, "property"),
        _meta("author", byline),
        _meta("article:published_time", published, "property"),
        _meta("og:site_name", site_name, "property"),
        _meta("og:image", lead_image, "property"),
        f'<link rel="canonical" href="{escape(url)}">\n' if url else "",
        f"<style>{STYLE}</style>\n",
    ]
    meta_bits = [escape(b) for b in (byline, site_name) if b]
    if published:
        shown = escape(human_date(published))
        meta_bits.append(f'<time datetime="{escape(published)}">{shown}</time>')
    source = (
        f' · <a href="{escape(url)}" rel="noopener noreferrer nofollow">source</a>' if url else ""
    )
    lead = ""
    if show_lead and lead_image:
        cap = f"<figcaption>{escape(lead_caption)}</figcaption>" if lead_caption else ""
        lead = (
            f'<figure class="cleaner-lead"><img src="{escape(lead_image)}" '
            f'alt="{escape(lead_caption or "")}">{cap}</figure>\n'
        )
    header = (
        f"<header><h1>{escape(shown_title or '')}</h1>\n"
        f'<p class="cleaner-meta">{" · ".join(meta_bits)}{source}</p>\n{lead}</header>\n'
    )
    return (
        f"<!DOCTYPE html>\n<html{lang_attr}>\n<head>\n{''.join(head)}</head>\n<body>\n"
        f"<article>\n{header}<div data-cleaner-content>\n{content_html}\n</div>\n</article>\n"
        "</body>\n</html>\n"
    )


def render_result(result: Any, content_html: str | None = None, csp: str = CSP) -> str:
    """The reading document for a CleanResult (optionally with another body, e.g. joined
    pages of a multi-page article)."""
    return render_document(
        content_html=result.content_html if content_html is None else content_html,
        title=result.title,
        byline=result.byline,
        published=result.published,
        lang=result.lang,
        site_name=result.site_name,
        lead_image=result.lead_image,
        url=result.source_url,
        csp=csp,
        lead_caption=result.lead_caption,
        show_lead=result.show_lead,
        headline=result.headline,
    )
