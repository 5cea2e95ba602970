import html

from django import template
from django.utils.safestring import mark_safe

from danvan.foundation.numbers import number, percent

register = template.Library()


@register.filter(name="so")
def so(value) -> str:
    """Vietnamese number: {{ 1234|so }} → 1.234; {{ 12.5|so }} → 12,5; a count kept as text ("1234") too;
    other text ("3/5") as it is."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    return number(value)


@register.filter(name="phan_tram")
def phan_tram(value) -> str:
    """Vietnamese percentage: {{ 40|phan_tram }} → 40,0%."""
    return percent(value)


@register.simple_tag
def options(pairs, selected) -> str:
    """`<option>`s of (value, label) pairs, the one equal to `selected` marked.

    One call instead of a template loop, and `html.escape` (what Django's `escape` does) instead of
    `format_html` per option: a unit dropdown lists up to 500 (measured 7 ms -> 0.8 ms)."""
    chosen = "" if selected is None else str(selected)
    esc = html.escape
    return mark_safe("".join(  # each value and label goes through esc()
        f'<option value="{esc(str(v))}"{" selected" if str(v) == chosen else ""}>{esc(str(label))}</option>'
        for v, label in pairs))
