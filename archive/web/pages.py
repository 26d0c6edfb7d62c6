"""The reader's own pages: home, search, article, what was removed, add, jobs, settings."""

from __future__ import annotations

import sqlite3

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..capture import FetchError
from . import queries
from .app import HERE, SIZE_COOKIE, SIZES, int_param, read_form, render, state
from .jobs import check_url

PER_PAGE = 20
STYLESHEET = (HERE / "static" / "reader.css").read_bytes()


def home(request: Request) -> Response:
    """Recent articles, newest first, filtered by site and tag, paginated."""
    st = state(request)
    idx = st.archive.index
    site = request.query_params.get("site", "").strip()[:200] or None
    tag = request.query_params.get("tag", "").strip()[:200] or None
    page = int_param(request, "page")
    rows = idx.list_articles(site=site, tag=tag, limit=PER_PAGE + 1, offset=(page - 1) * PER_PAGE)
    tags = queries.tags_for(idx, [r["id"] for r in rows[:PER_PAGE]])
    return render(
        request,
        "home.html",
        rows=rows[:PER_PAGE],
        tags=tags,
        site=site or "",
        tag=tag or "",
        page=page,
        more=len(rows) > PER_PAGE,
        sites=queries.facets(idx, "site", st.cache),
        all_tags=queries.facets(idx, "tag", st.cache),
        total=idx.count_articles(),
    )


def search(request: Request) -> Response:
    """Ranked full-text search with highlighted snippets; the query stays in the box."""
    st = state(request)
    idx = st.archive.index
    q = request.query_params.get("q", "")[:500]
    site = request.query_params.get("site", "").strip()[:200] or None
    page = int_param(request, "page", top=500)
    offset = (page - 1) * PER_PAGE
    hits = queries.search(idx, q, site, PER_PAGE + 1, offset, st.cache) if q.strip() else []
    return render(
        request,
        "search.html",
        q=q,
        site=site or "",
        page=page,
        hits=hits[:PER_PAGE],
        more=len(hits) > PER_PAGE,
        snippet=queries.snippet_markup,
        sites=queries.facets(idx, "site", st.cache),
    )


def _article_row(request: Request) -> sqlite3.Row:
    """The article named in the path, or 404."""
    row = state(request).archive.index.article(request.path_params["article_id"])
    if row is None:
        raise HTTPException(404, "no article with that number in this archive")
    return row


def article(request: Request) -> Response:
    """The clean page in the reader's layout, with its source, capture date and links."""
    st = state(request)
    row = _article_row(request)
    body = queries.article_body(st.archive.root, row["html_path"])
    if body is None:
        raise HTTPException(404, "the clean page of this article is missing from the archive")
    aid = row["id"]
    return render(
        request,
        "article.html",
        row=row,
        body=body,
        tags=st.archive.index.tags(aid),
        removed=sum(int(r.get("count") or 0) for r in queries.removals(row)),
        sizes=SIZES,
    )


def removed(request: Request) -> Response:
    """Each removal of an article: its rule, reason, count and the removed text."""
    row = _article_row(request)
    items = queries.removals(row)
    return render(request, "removed.html", row=row, items=items)


def add_form(request: Request) -> Response:
    """The form to archive a URL, with the latest jobs."""
    st = state(request)
    return render(
        request,
        "add.html",
        url="",
        tags="",
        error="",
        jobs=st.jobs.recent(),
        allow_private=st.allow_private,
    )


async def add_submit(request: Request) -> Response:
    """Queue a URL for archiving (CSRF-checked; private targets refused unless allowed)."""
    st = state(request)
    form = await read_form(request)
    url = form.get("url", "")
    tag_text = form.get("tags", "")
    tags = tuple(dict.fromkeys(t.strip()[:64] for t in tag_text.split(",") if t.strip()))[:10]
    try:
        url = check_url(url, st.allow_private)
    except FetchError as exc:
        return render(
            request,
            "add.html",
            status=400,
            url=url,
            tags=tag_text,
            error=str(exc),
            jobs=st.jobs.recent(),
            allow_private=st.allow_private,
        )
    job = await run_in_threadpool(st.jobs.submit, url, tags)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


def job(request: Request) -> Response:
    """A job's progress (the page refreshes itself until the job ends) and its result."""
    found = state(request).jobs.get(request.path_params["job_id"])
    if found is None:
        raise HTTPException(404, "no such job (jobs are forgotten when the reader restarts)")
    return render(request, "job.html", job=found)


def _local_path(value: str) -> str:
    """A same-site path to go back to after a form (anything else becomes ``/``)."""
    if not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    if any(ord(c) < 32 for c in value):
        return "/"
    return value


async def settings(request: Request) -> Response:
    """Remember the text size in a cookie and go back to the page the form was on."""
    form = await read_form(request)
    size = form.get("size", "")
    if size not in SIZES:
        raise HTTPException(400, "unknown text size")
    response = RedirectResponse(_local_path(form.get("next", "/")), status_code=303)
    response.set_cookie(
        SIZE_COOKIE, size, max_age=365 * 86400, path="/", httponly=True, samesite="strict"
    )
    return response


def stylesheet(request: Request) -> Response:
    """The reader's only stylesheet (no external assets)."""
    return Response(
        STYLESHEET,
        media_type="text/css; charset=utf-8",
        headers={"cache-control": "public, max-age=3600"},
    )
