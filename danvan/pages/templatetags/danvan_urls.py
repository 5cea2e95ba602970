"""`{% url %}` with its answers remembered: a page draws 15-50 links and Django's `reverse` matches each against
the URL patterns anew (~15 µs each, 0.3-0.7 ms a page, docs/SCALING.md). The patterns never change while the
process runs, so an answer depends only on what is asked (name, arguments, current app, URL conf, script
prefix) and is remembered for it. Loaded as a template builtin (settings.TEMPLATES), after Django's own, so every
template's `{% url %}` is this one; it parses and renders exactly like Django's.
"""

from __future__ import annotations

import functools

from django import template
from django.template.defaulttags import URLNode, url
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

register = template.Library()


@functools.lru_cache(maxsize=50_000)
def _reverse(view_name: str, args: tuple, kwargs: tuple, current_app: str | None, urlconf: str | None,
             prefix: str) -> str:
    return reverse(view_name, args=args, kwargs=dict(kwargs), current_app=current_app, urlconf=urlconf)


def cached_reverse(view_name, args: list, kwargs: dict, current_app: str | None) -> str:
    key_args = tuple(str(a) if not isinstance(a, str | int) else a for a in args)
    key_kwargs = tuple(sorted((k, v if isinstance(v, str | int) else str(v)) for k, v in kwargs.items()))
    try:
        hash((view_name, key_args, key_kwargs))
    except TypeError:  # an unhashable name (a callable): ask Django directly
        return reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
    return _reverse(view_name, key_args, key_kwargs, current_app, get_urlconf(), get_script_prefix())


BROKEN = "#ma-khong-hop-le"


def _bad_code_in(args: list, kwargs: dict) -> bool:
    from danvan.orgs.codes import is_valid

    return any(isinstance(v, str) and not is_valid(v) for v in [*args, *kwargs.values()])


class CachedURLNode(URLNode):
    def render(self, context):
        from django.urls import NoReverseMatch

        args = [arg.resolve(context) for arg in self.args]
        kwargs = {k: v.resolve(context) for k, v in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        out = ""
        try:
            out = cached_reverse(view_name, args, kwargs, current_app)
        except NoReverseMatch:
            if self.asvar is None and not _bad_code_in(args, kwargs):
                raise
            # A unit code stored before the code rule has no URL (`<code:code>`): the page still renders, the
            # link goes nowhere, and the tree page offers the unit's repair link (danvan/orgs/codes.py).
            out = BROKEN if self.asvar is None else ""
        if self.asvar:
            context[self.asvar] = out
            return ""
        return conditional_escape(out) if context.autoescape else out


@register.tag("url")
def cached_url(parser, token):
    node = url(parser, token)
    return CachedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
