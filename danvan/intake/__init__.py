"""Reading filled registration forms (Word/Excel) into exemplars — pure Python, no DB.

Public API: ``parse_form`` and its result types in ``danvan.intake.parser``;
text helpers in ``danvan.intake.content``; sample files in ``danvan.tools.intake_samples``.
"""

from .model import IntakeError, Limits, ParsedExemplar, ParseResult, Warning
from .parser import parse_form

__all__ = ["IntakeError", "Limits", "ParseResult", "ParsedExemplar", "Warning", "parse_form"]
