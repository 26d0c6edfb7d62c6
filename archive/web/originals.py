"""Archived originals: the frame page, the sandboxed replay route and raw downloads."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from . import queries, replay
from .app import render, state
from .security import READER_CSP

DOWNLOAD = "application/octet-stream"


def original(request: Request) -> Response:
    """The reader page holding the archived original in a sandboxed frame."""
    st = state(request)
    row = st.archive.index.article(request.path_params["article_id"])
    if row is None:
        raise HTTPException(404, "no article with that number in this archive")
    record = int(row["record"])
    if st.archive.index.record(record) is None:
        raise HTTPException(404, "the original of this article is not in the archive")
    items = queries.removals(row)
    mark = request.query_params.get("mark")
    chosen = None
    src = f"/replay/{record}"
    if mark is not None and mark.isdigit() and int(mark) < len(items):
        chosen = items[int(mark)]
        src = f"/replay/{record}?article={row['id']}&mark={int(mark)}#cleaner-removed"
    response = render(request, "original.html", row=row, src=src, chosen=chosen, record=record)
    origin = request.scope.get("state", {}).get("origin", "")
    response.headers["content-security-policy"] = f"{READER_CSP}; frame-src {origin}/replay/"
    return response


def _marks(request: Request) -> replay.Marker | None:
    """The element finder for ``?article=N&mark=M`` (a removal to highlight), if asked."""
    article, mark = request.query_params.get("article", ""), request.query_params.get("mark", "")
    if not (article.isdigit() and mark.isdigit()) or len(article) > 12 or len(mark) > 6:
        return None
    row = state(request).archive.index.article(int(article))
    items = queries.removals(row) if row is not None else []
    if int(mark) >= len(items):
        return None
    return replay.removal_matcher(str(items[int(mark)].get("selector") or ""))


def replay_view(request: Request) -> Response:
    """One archived payload for the frame: HTML and CSS rewritten, media as is, the rest as
    a download; always under the sandbox policy."""
    st = state(request)
    payload = replay.load_payload(st.archive, request.path_params["record_id"])
    if payload is None:
        raise HTTPException(404, "that record is not in the archive")
    origin = request.scope.get("state", {}).get("origin", "")
    headers = {
        "content-security-policy": replay.sandbox_csp(origin),
        "x-frame-options": "SAMEORIGIN",
        "cross-origin-resource-policy": "cross-origin",
    }
    if payload.mime in replay.HTML_TYPES:
        body = replay.page_html(st.archive, payload, _marks(request))
        return Response(body, media_type="text/html; charset=utf-8", headers=headers)
    if payload.mime == "text/css":
        body = replay.css_text(st.archive, payload)
        return Response(body, media_type="text/css; charset=utf-8", headers=headers)
    if payload.mime in replay.INLINE_TYPES:
        return Response(payload.body, media_type=payload.mime, headers=headers)
    headers["content-disposition"] = _attachment(payload.url)
    return Response(payload.body, media_type=DOWNLOAD, headers=headers)


def raw(request: Request) -> Response:
    """The archived body exactly as the page author sent it (decoded), as a download."""
    st = state(request)
    payload = replay.load_payload(st.archive, request.path_params["record_id"])
    if payload is None:
        raise HTTPException(404, "that record is not in the archive")
    headers = {
        "content-disposition": _attachment(payload.url),
        "content-security-policy": "sandbox; default-src 'none'",
    }
    return Response(payload.body, media_type=DOWNLOAD, headers=headers)


def _attachment(url: str) -> str:
    """A Content-Disposition naming the download after the last path segment of its URL."""
    name = urlsplit(url).path.rsplit("/", 1)[-1] or "index"
    safe = "".join(c for c in name if c.isalnum() or c in "-_.")[:80] or "download"
    return f"attachment; filename=\"{safe}\"; filename*=UTF-8''{quote(name[:80], safe='')}"
