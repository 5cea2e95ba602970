"""`{% url %}` remembers its answers (danvan/pages/templatetags/danvan_urls.py) and answers exactly as Django's."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, reverse, set_script_prefix


def _render(text: str, **ctx) -> str:
    return Template(text).render(Context(ctx))


def test_same_links_as_django_remembered_or_not():
    from danvan.pages.templatetags.danvan_urls import CachedURLNode

    assert isinstance(Template("{% url 'home' %}").nodelist[0], CachedURLNode)  # every template's {% url %}
    for _ in range(2):  # the second time from memory
        assert _render("{% url 'exemplars:detail' 5 %}") == reverse("exemplars:detail", args=[5])
        assert _render("{% url 'exemplars:detail' pk=n %}", n=7) == reverse("exemplars:detail", kwargs={"pk": 7})
        assert _render("{% url 'tree_node' code %}", code="TT-SKHCN-QNG") == "/don-vi/TT-SKHCN-QNG/"
        assert _render("{% url 'exemplars:detail' 5 as u %}[{{ u }}]") == f"[{reverse('exemplars:detail', args=[5])}]"
        assert _render("{% url 'khong-co' as u %}[{{ u }}]") == "[]"
    # A unit code that breaks the code rule has no URL (`<code:code>`): the link goes nowhere, the page renders.
    assert _render("{% url 'tree_node' code %}", code="<b>") == "#ma-khong-hop-le"
    assert _render("{% url 'tree_node' code as u %}[{{ u }}]", code="a/b") == "[]"


def test_unknown_names_still_fail_and_the_script_prefix_counts():
    with pytest.raises(NoReverseMatch):
        _render("{% url 'khong-co' %}")
    plain = _render("{% url 'exemplars:detail' 5 %}")
    set_script_prefix("/danvan/")
    try:
        assert _render("{% url 'exemplars:detail' 5 %}") == "/danvan" + plain
    finally:
        set_script_prefix("/")
    assert _render("{% url 'exemplars:detail' 5 %}") == plain
