"""The public showcase (/cong-khai/): recognized exemplars their recognizing body chose to publish.

Readable without logging in, the same for everybody, so it is cacheable (`Cache-Control: public`).
Pages are rendered WITHOUT the request: no session is read, no CSRF cookie is set, no user or
navigation of the logged-in app is shown — and the view only ever reads `published_exemplars()`:
no usernames, e-mails, addresses, progress or evidence, history, deleted or unpublished exemplars.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from danvan.exemplars.models import FieldCategory
from danvan.exemplars.selectors import published_exemplars, spread
from danvan.search.services import SHOWN_FIELDS, hits, search

MAX_AGE = 300
PER_PAGE = 20


def _page(template: str, context: dict) -> HttpResponse:
    return HttpResponse(render_to_string(template, context))


@require_safe
@cache_control(public=True, max_age=MAX_AGE)
def showcase_list(request: HttpRequest) -> HttpResponse:
    base = published_exemplars()
    categories = list(FieldCategory.objects.order_by("order", "code"))
    category = next((c for c in categories if c.code == request.GET.get("linh_vuc")), None)
    if category is not None:
        base = base.filter(field__category=category)
    query = (request.GET.get("q") or "")[:300]
    # Only what the page shows is searched (name, content, unit): the address stays hidden.
    found = search(None, query, {"year": request.GET.get("nam")}, base=base, fields=SHOWN_FIELDS)
    qs, words = found.qs, found.words
    page = Paginator(qs.select_related("unit", "field__category"), PER_PAGE).get_page(request.GET.get("page"))
    years = published_exemplars().order_by("-year").values_list("year", flat=True).distinct()
    params = request.GET.copy()
    params.pop("page", None)
    return _page("showcase/list.html", {
        "page": page, "hits": hits(page.object_list, words, with_address=False), "words": words, "q": query,
        "total": page.paginator.count, "capped": found.capped, "cap": found.cap, "categories": categories, "category": category,
        "years": list(years), "year": request.GET.get("nam") or "", "querystring": params.urlencode(),
    })


@require_safe
@cache_control(public=True, max_age=MAX_AGE)
def showcase_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ex = get_object_or_404(published_exemplars().select_related("unit", "field__category", "movement"), pk=pk)
    sp = spread(ex)
    return _page("showcase/detail.html", {
        "ex": ex,
        "recognitions": ex.recognitions.filter(published=True).select_related("by_unit", "level"),
        "commendations": ex.commendations.select_related("by_unit", "level"),
        "replicas": sp.total, "per_level": sp.per_level,
    })
