"""One error shape for every API failure: {"code", "message" (Vietnamese), "details"}.

Rights follow the pages: an object outside the user's scope is a 404 (it does not exist for
them); a visible object whose action is refused is a 403.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

# Django ValidationError codes raised by the services that mean "the state moved on": 409.
CONFLICT_CODES = {"stale", "already_sent", "locked", "already_numbered", "withdrawn", "sent"}

# Pydantic error types in the words a Vietnamese integrator reads.
PYDANTIC_MESSAGES = {
    "missing": "Thiếu trường bắt buộc.",
    "extra_forbidden": "Trường này không được phép.",
    "int_parsing": "Phải là số nguyên.",
    "int_type": "Phải là số nguyên.",
    "string_type": "Phải là chuỗi ký tự.",
    "string_too_long": "Chuỗi quá dài.",
    "string_too_short": "Chuỗi quá ngắn.",
    "literal_error": "Giá trị không thuộc các giá trị cho phép.",
    "enum": "Giá trị không thuộc các giá trị cho phép.",
    "greater_than_equal": "Giá trị quá nhỏ.",
    "less_than_equal": "Giá trị quá lớn.",
    "datetime_parsing": "Không phải ngày giờ hợp lệ (ISO 8601).",
    "datetime_from_date_parsing": "Không phải ngày giờ hợp lệ (ISO 8601).",
    "datetime_type": "Không phải ngày giờ hợp lệ (ISO 8601).",
    "list_type": "Phải là một danh sách.",
    "bool_parsing": "Phải là true hoặc false.",
    "bool_type": "Phải là true hoặc false.",
    "model_attributes_type": "Phải là một đối tượng JSON.",
    "dict_type": "Phải là một đối tượng JSON.",
    "too_long": "Danh sách quá dài.",
}


class ErrorOut(Schema):
    code: str
    message: str
    details: dict[str, Any] = {}


class ApiError(Exception):
    """Raised by the API layer itself (bad cursor, unknown reference…)."""

    def __init__(self, status: int, code: str, message: str, details: dict | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details or {}


def error_response(api: NinjaAPI, request: HttpRequest, status: int, code: str, message: str,
                   details: dict | None = None) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, "details": details or {}},
                               status=status)


def _django_validation(exc: ValidationError) -> tuple[int, str, str, dict]:
    code = getattr(exc, "code", None) or "invalid"
    status = 409 if code in CONFLICT_CODES else 400
    if hasattr(exc, "error_dict"):
        fields = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
        message = " ".join(m for msgs in fields.values() for m in msgs)
        return status, code, message, {"fields": fields}
    return status, code, " ".join(exc.messages), {}


def _ninja_validation(exc: NinjaValidationError) -> dict:
    errors = []
    for err in exc.errors:
        raw = [str(x) for x in err.get("loc", ())]
        loc = [x for i, x in enumerate(raw) if not (i and x == raw[i - 1] == "body")]
        errors.append({"loc": loc, "type": err.get("type", ""),
                       "message": PYDANTIC_MESSAGES.get(err.get("type", ""), str(err.get("msg", "")))})
    return {"errors": errors}


def install(api: NinjaAPI) -> None:
    def on_validation(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(api, request, *_django_validation(exc))

    def on_permission(request: HttpRequest, exc: Any) -> HttpResponse:
        message = " ".join(str(a) for a in exc.args) or "Bạn không có quyền thực hiện thao tác này."
        return error_response(api, request, 403, "forbidden", message)

    def on_404(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(api, request, 404, "not_found",
                              "Không tìm thấy (hoặc nằm ngoài phạm vi đơn vị của bạn).")

    def on_ninja_validation(request: HttpRequest, exc: Any) -> HttpResponse:
        if refused := getattr(request, "upload_refused", None):  # the file was dropped while it streamed in
            from danvan.foundation.uploads import refusal_details

            return error_response(api, request, 413, "too_large", refused, refusal_details(request))
        return error_response(api, request, 422, "validation_error", "Dữ liệu gửi lên không hợp lệ.",
                              _ninja_validation(exc))

    def on_http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        if isinstance(exc, AuthenticationError) or exc.status_code == 401:
            return error_response(api, request, 401, "unauthorized",
                                  "Cần khóa API hợp lệ (Authorization: Bearer …); khóa không đúng, "
                                  "đã thu hồi hoặc đã hết hạn.")
        if exc.status_code == 400:
            return error_response(api, request, 400, "malformed_body",
                                  "Nội dung gửi lên không phải JSON hợp lệ.")
        return error_response(api, request, exc.status_code, "http_error", str(exc))

    def on_too_big(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(api, request, 413, "too_large", "Dữ liệu gửi lên quá lớn.")

    def on_api_error(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(api, request, exc.status, exc.code, exc.message, exc.details)

    api.add_exception_handler(ValidationError, on_validation)
    api.add_exception_handler(PermissionDenied, on_permission)
    api.add_exception_handler(Http404, on_404)
    api.add_exception_handler(NinjaValidationError, on_ninja_validation)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(RequestDataTooBig, on_too_big)
    api.add_exception_handler(ApiError, on_api_error)
