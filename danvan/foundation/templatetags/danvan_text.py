from django import template
from django.utils.safestring import mark_safe

from danvan.foundation.html import html_to_editable, sanitize_html

register = template.Library()


@register.filter
def editable(value: str) -> str:
    """Stored content as the user edits it in a textarea (see core.html.html_to_editable)."""
    return html_to_editable(value)


@register.filter
def rich(value: str) -> str:
    """Stored exemplar content as HTML, sanitized again on the way out: the page shows only the safe subset
    (core.html.ALLOWED_TAGS) even if a row reached the database by a door that skipped the sanitizer."""
    return mark_safe(sanitize_html(value))  # noqa: S308 — nh3 keeps only ALLOWED_TAGS, no attributes
