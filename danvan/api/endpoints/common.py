"""Helpers shared by the endpoint modules: responses for every documented error, reference lookups."""

from __future__ import annotations

from django.http import HttpRequest

from ..errors import ApiError, ErrorOut

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut,
          422: ErrorOut}


def ok(schema) -> dict:
    return {200: schema, **ERRORS}


def created(schema) -> dict:
    return {201: schema, **ERRORS}


def user(request: HttpRequest):
    return request.user


def bad_ref(field: str, message: str) -> ApiError:
    return ApiError(400, "invalid", message, {"fields": {field: [message]}})


def missing(field: str, message: str) -> ApiError:
    """A referenced object outside the user's scope does not exist for them (like the pages)."""
    return ApiError(404, "not_found", message, {"fields": {field: [message]}})
