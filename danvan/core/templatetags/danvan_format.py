from django import template
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from danvan.core.charts import number

register = template.Library()
SELECTED = mark_safe(" selected")


@register.filter(name="so")
def so(value) -> str:
    """Vietnamese number: {{ 1234|so }} → 1.234; {{ 12.5|so }} → 12,5."""
    return number(value)


@register.simple_tag
def options(pairs, selected) -> str:
    """`<option>`s of (value, label) pairs, the one equal to `selected` marked: one call instead of a template
    loop, which costs ~20 µs an option (a unit dropdown lists hundreds)."""
    chosen = "" if selected is None else str(selected)
    return format_html_join("", "<option value=\"{}\"{}>{}</option>",
                            ((v, SELECTED if str(v) == chosen else "", label) for v, label in pairs))
