from django import template

from danvan.core.charts import number

register = template.Library()


@register.filter(name="so")
def so(value) -> str:
    """Vietnamese number: {{ 1234|so }} → 1.234; {{ 12.5|so }} → 12,5."""
    return number(value)
