"""The safety pass: our URL policy on the lxml tree, then nh3's allow-list sanitiser.

What leaves here can be opened offline without acting on the reader's machine:
no script, event handler, frame, object, embed, form, ``<base>``, meta refresh,
``srcdoc``, ``style`` (so no CSS ``url()``/``@import``), no link that is not
http(s)/mailto, no tracking pixel. nh3 (ammonia) does the allow-list; the URL
policy and image resolution it cannot do are done first, on the tree (in
``urlpolicy``, with what a URL means in ``urls``). Their public names are
importable from here too.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any, cast
from urllib.parse import urlsplit

import nh3
from lxml import etree

from .actions import drop, drop_tag, raw_text
from .parse import fragment_div, html_parser, inner_html
from .urlpolicy import (
    LAZY_ATTRS,
    close_empty_items,
    resolve_image,
    resolve_links,
    resolve_urls,
    url_policy,
)
from .urls import (
    CACHED_URL_CHARS,
    TRACKER_HOSTS,
    URL_SCHEMES,
    is_local_host,
    is_tracker,
    safe_image_url,
    srcset_candidates,
)

__all__ = [
    "ALLOWED_ATTRS",
    "ALLOWED_TAGS",
    "LAZY_ATTRS",
    "TRACKER_HOSTS",
    "URL_SCHEMES",
    "is_local_host",
    "is_tracker",
    "resolve_image",
    "resolve_links",
    "resolve_urls",
    "safe_image_url",
    "sanitize_fragment",
    "srcset_candidates",
    "url_policy",
]

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "dd",
    "del",
    "details",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "samp",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "u",
    "ul",
    "var",
    "section",
    "article",
    "header",
}
ALLOWED_ATTRS = {
    "*": {"lang", "dir", "title"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start", "reversed"},
    "time": {"datetime"},
}


# The longest attribute value kept (characters). Escaped (``&quot;`` is six bytes), the
# allowed attributes of one element (seven at most) then stay within the tag length the
# parser accepts (``parse.MAX_TAG_BYTES``), so the reading document can be cleaned again.
ATTR_MAX = 16384


# The ``rel`` nh3 gives every link, last of its attributes.
LINK_REL = "noopener noreferrer nofollow"
# That ``rel`` with another attribute after it: nh3 moves an element's last attribute into
# the place of one its filter drops (``_attribute_filter``), and a link's ``rel`` then comes
# before others; cleaning again would write it last.
_REL_NOT_LAST = f'rel="{LINK_REL}" '


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    """nh3 callback: drops an overlong value (``ATTR_MAX``); final URL check on every
    surviving URL attribute."""
    if len(value) > ATTR_MAX:
        return None
    if attr in ("href", "src"):
        check = _url_allowed if len(value) > CACHED_URL_CHARS else _url_allowed_cached
        return value if check(tag == "img", value) else None
    return value


def _url_allowed(img: bool, value: str) -> bool:
    """``_attribute_filter``'s verdict on one URL (cached: both allow-list passes see it)."""
    try:
        scheme = urlsplit(value.strip()).scheme.lower()
    except ValueError:
        return False
    if img and (scheme not in ("http", "https") or is_tracker(value)):
        return False
    return scheme in URL_SCHEMES


_url_allowed_cached = functools.lru_cache(maxsize=4096)(_url_allowed)


def _allow_list_options(remote_images: bool) -> dict[str, Any]:
    """nh3's options: our tags, attributes and URL filter."""
    return {
        "tags": ALLOWED_TAGS if remote_images else ALLOWED_TAGS - {"img"},
        "attributes": ALLOWED_ATTRS,
        "url_schemes": URL_SCHEMES,
        "strip_comments": True,
        "link_rel": LINK_REL,
        "attribute_filter": _attribute_filter,
        "clean_content_tags": {
            "script",
            "style",
            "template",
            "noscript",
            "iframe",
            "object",
            "textarea",
            "select",
            "svg",
            "math",
            "noembed",
            "noframes",
            "xmp",
            "title",
        },
    }


@functools.lru_cache(maxsize=2)
def _cleaner(remote_images: bool) -> Callable[[str], str]:
    """A reusable nh3 sanitiser (nh3 ≥ 0.3 ``Cleaner``: the options are converted once,
    not on every call), else ``nh3.clean`` with the options."""
    options = _allow_list_options(remote_images)
    reusable = getattr(nh3, "Cleaner", None)
    if reusable is not None:
        return cast(Callable[[str], str], reusable(**options).clean)
    return functools.partial(nh3.clean, **options)


def _allow_list(html: str, remote_images: bool) -> str:
    """One nh3 pass with our tags, attributes and URL filter."""
    return _cleaner(remote_images)(html)


def _as_libxml2_reads_it(html: str) -> tuple[str, etree._Element] | None:
    """Re-serialise a fragment the way libxml2 nests it, with libxml2's tree of it (the one
    that serialisation writes); None if it cannot be done losslessly."""
    # (libxml2's default limits first: a fragment that passes them is no deeper than 256.)
    for huge in (False, True):
        parser = html_parser(huge_tree=huge)
        try:
            root = fragment_div(html.encode("utf-8"), parser)
        except (etree.LxmlError, ValueError):
            return None
        if not any(
            e.type_name == "ERR_RESOURCE_LIMIT" or "depth" in e.message.lower()
            for e in parser.error_log
        ):
            break
    else:
        return None
    if huge:
        _flatten_below(root, MAX_FRAGMENT_DEPTH)
    close_empty_items(root)
    _unnest_as_html5(root, terms="<dd" in html or "<dt" in html, headings="<h" in html)
    # An image whose URL the allow-list refused shows nothing, and cleaning the document
    # again drops it (the URL policy keeps no image without one): it goes now.
    for img in [i for i in root.iter("img") if not i.get("src")]:
        drop(img)
    return inner_html(root), root


# The deepest an element of the article can be: the reading document puts the article four
# levels down, and the parser refuses a page nested deeper than 2048 (``parse``), so a page
# nested near that depth would clean to a document that cannot be cleaned again.
MAX_FRAGMENT_DEPTH = 2000


def _flatten_below(root: etree._Element, depth: int) -> None:
    """Replace what each element ``depth`` levels under ``root`` holds by its text (markup
    that deep is wrappers around wrappers; the text is what a reader gets)."""
    level = 0
    deepest: list[etree._Element] = []
    walk = etree.iterwalk(root, events=("start", "end"))
    for event, el in walk:
        if event == "end":
            level -= 1
            continue
        level += 1
        if level > depth:
            deepest.append(el)
            walk.skip_subtree()
    for el in deepest:
        text = raw_text(el)
        for child in list(el):
            el.remove(child)
        el.text = text or None


# The HTML tree builder's "special" elements but address, div and p: a list item's start
# tag closes an open item above it unless one of these lies between them.
_ITEM_SCOPE = frozenset(
    [
        "applet",
        "area",
        "article",
        "aside",
        "base",
        "blockquote",
        "body",
        "button",
        "caption",
        "center",
        "col",
        "colgroup",
        "details",
        "dir",
        "dl",
        "embed",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "frame",
        "frameset",
        *(f"h{n}" for n in range(1, 7)),
        "head",
        "header",
        "hgroup",
        "hr",
        "html",
        "iframe",
        "img",
        "input",
        "keygen",
        "link",
        "listing",
        "main",
        "marquee",
        "menu",
        "meta",
        "nav",
        "noembed",
        "noframes",
        "noscript",
        "object",
        "ol",
        "param",
        "plaintext",
        "pre",
        "script",
        "search",
        "section",
        "select",
        "source",
        "style",
        "summary",
        "table",
        "tbody",
        "td",
        "template",
        "textarea",
        "tfoot",
        "th",
        "thead",
        "title",
        "tr",
        "track",
        "ul",
        "wbr",
        "xmp",
    ]
)


# (Compiled once: lxml compiles an expression given as a string on every call.)
_LINKS_IN_LINKS = etree.XPath(".//a//a")
_ITEMS_IN_ITEMS = etree.XPath(".//li//li")
_TERMS_IN_TERMS = etree.XPath(".//dd//dd | .//dd//dt | .//dt//dd | .//dt//dt")
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def _unnest_as_html5(root: etree._Element, terms: bool, headings: bool) -> None:
    """Undo nesting that libxml2 keeps and an HTML5 parser does not, so nh3 reads the
    reading document as libxml2 does when it is cleaned again: a link inside a link loses
    its tag (its text stays; a browser ends the outer link there); a list item inside
    another with no list between them (``<li><div><li>``), or a ``<dd>``/``<dt>`` inside
    another, becomes a ``<div>`` (a browser would close the outer item); a heading right
    inside a heading closes it, as in a browser (``<h4>a<h4>b</h4>c</h4>`` is
    ``<h4>a</h4><h4>b</h4>c``). ``terms``, ``headings``: the fragment holds a ``<dd>`` or
    ``<dt>``, a heading (else that search is skipped)."""
    for link in _LINKS_IN_LINKS(root):
        drop_tag(link)
    nested = (
        [h for h in root.iter(*_HEADINGS) if h.getparent().tag in _HEADINGS] if headings else []
    )
    for inner in nested:
        outer = inner.getparent()
        if outer is None or outer.tag not in _HEADINGS:
            continue  # (moved out with a heading around it)
        # The inner heading and what follows it in the outer one move out after it.
        tail, outer.tail = outer.tail, None
        last = outer
        for moving in [inner, *inner.itersiblings()]:
            last.addnext(moving)  # (with its tail)
            last = moving
        last.tail = (last.tail or "") + (tail or "") or None
    items = _ITEMS_IN_ITEMS(root) + (_TERMS_IN_TERMS(root) if terms else [])
    for item in items:
        kinds = ("li",) if item.tag == "li" else ("dd", "dt")
        for above in item.iterancestors():
            if above.tag in kinds:
                item.tag = "div"
                break
            if above.tag in _ITEM_SCOPE:
                break


def sanitize_fragment(html: str, *, remote_images: bool = True) -> str:
    """Run the allow-list sanitiser over an HTML fragment (``sanitize_fragment_tree``'s
    HTML)."""
    return sanitize_fragment_tree(html, remote_images=remote_images)[0]


def sanitize_fragment_tree(
    html: str, *, remote_images: bool = True
) -> tuple[str, etree._Element | None]:
    """Run the allow-list sanitiser over an HTML fragment; return the result, with
    libxml2's tree of it when that was read on the way (``parse_fragment`` of the result
    would build the same one), else None.

    ``remote_images=False`` removes every ``<img>`` here too, whatever the URL
    policy let through: a parser difference between lxml and nh3 cannot then
    bring a remote load back into offline output.

    nh3 (html5ever) and libxml2, which parses the reading document when it is
    cleaned again, nest some markup differently (``<a><table>``: html5ever keeps
    the table in the link, libxml2 closes the link first). The output is settled
    into libxml2's nesting and allow-listed again, so ``clean(clean(x)) ==
    clean(x)``.
    """
    # (Before each parser reads a serialiser's output: see ``_keep_pre_newline``.)
    first = _keep_pre_newline(_allow_list(_keep_pre_newline(html), remote_images))
    settled = _as_libxml2_reads_it(first)
    if settled is None:
        return first, None
    serialised, tree = settled
    if _same_reading(first, serialised) and _REL_NOT_LAST not in first:
        # libxml2 reads nh3's output as nh3 wrote it: a second pass would change nothing,
        # and the tree is the result's.
        return first.lstrip(_SPACE), tree
    return _keep_pre_newline(_allow_list(_keep_pre_newline(serialised), remote_images)), None


# A <pre> start tag followed by a newline.
_PRE_NEWLINE = re.compile(r"(<pre\b[^>]*>)\n")


def _keep_pre_newline(html: str) -> str:
    """Give a ``<pre>`` whose text opens with a newline one more, as HTML serialisers
    should: HTML parsers drop the newline right after ``<pre>`` (ours too, see
    ``parse._document``), and libxml2's and nh3's serialisers write the text as it is, so
    each reading would lose one and cleaning the document again would change it. For a
    serialiser's output, once."""
    return _PRE_NEWLINE.sub("\\1\n\n", html) if "<pre" in html else html


def _same_reading(first: str, settled: str) -> bool:
    """True when libxml2's re-serialisation of nh3's output is that output, but for the
    whitespace before the first tag (libxml2 drops it) and the no-break spaces nh3 writes
    as ``&nbsp;``. A ``<pre>`` whose text opens with a newline lost the one
    ``_keep_pre_newline`` gave it when libxml2 read it, and gets it back to compare."""
    if "<pre" in first:
        settled = _keep_pre_newline(settled)
    return settled.replace("\xa0", "&nbsp;") == first.lstrip(_SPACE)


_SPACE = " \t\n\r\f"
