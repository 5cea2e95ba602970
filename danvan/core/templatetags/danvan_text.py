from django import template

from danvan.core.html import html_to_editable

register = template.Library()


@register.filter
def editable(value: str) -> str:
    """Stored content as the user edits it in a textarea (see core.html.html_to_editable)."""
    return html_to_editable(value)
