"""The HTTP API: a thin door over the same services and selectors the pages use.

Mounted at /api/; OpenAPI documentation at /api/docs with Swagger UI served from our own static
files (government intranets have no internet, so no CDN).
"""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.openapi.docs import Swagger
from ninja.renderers import JSONRenderer

from . import errors
from .auth import BearerToken
from .endpoints import documents, exemplars, reports, rounds, submissions, units


class VietnameseJSON(JSONRenderer):
    # Vietnamese text stays readable in responses and logs instead of \uXXXX escapes.
    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="Dân vận khéo API",
    version="1",
    description=(
        "API cho phần mềm tích hợp. Tạo khóa ở trang **Tài khoản** (`/tai-khoan/`) rồi gửi "
        "`Authorization: Bearer <khóa>`. Khóa có đúng quyền của người tạo như trên giao diện. "
        "Lỗi luôn có dạng `{\"code\", \"message\", \"details\"}`; danh sách phân trang bằng `next_cursor`."
    ),
    urls_namespace="api",
    docs_url="/docs",
    docs=Swagger(settings={"persistAuthorization": False}),
    auth=BearerToken(),
    renderer=VietnameseJSON(),
)
errors.install(api)
api.add_router("", units.router)
api.add_router("", exemplars.router)
api.add_router("", rounds.router)
api.add_router("", submissions.router)
api.add_router("", "danvan.api.endpoints.lifecycle.router")
api.add_router("", "danvan.api.endpoints.imports.router")  # upload → preview → confirm/cancel
api.add_router("", documents.router)
api.add_router("", reports.router)
