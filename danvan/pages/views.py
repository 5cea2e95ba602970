from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render

from danvan.exemplars.selectors import counts_under
from danvan.orgs import permissions
from danvan.orgs import tree as org_tree
from danvan.orgs.models import OrgUnit


@login_required
def home(request: HttpRequest) -> HttpResponse:
    mine = permissions.memberships(request.user)
    counts = counts_under(request.user, [m.unit for m in mine])
    rows = [{"membership": m, "unit": m.unit, "count": counts[m.unit.path],
             "register": permissions.can_read_register(request.user, m.unit)} for m in mine]
    from danvan.movement import todo
    from danvan.movement.models import Notification

    unread = Notification.objects.filter(user_id=request.user.pk or 0, read_at__isnull=True)
    return render(request, "core/home.html", {"rows": rows, "todo": todo.for_user(request.user),
                                              "unread": list(unread[:5]), "unread_total": unread.count()})


@login_required
def tree(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """One level of the reporting tree at a time: roots of the user's scope, or a node's children."""
    if code:
        node = get_object_or_404(permissions.visible_units(request.user), code=code)
        children = OrgUnit.objects.get_children(node)
        ancestors = [a for a in org_tree.ancestors(node) if permissions.can_see_unit(request.user, a)]
    else:
        node, ancestors = None, []
        if permissions.sees_everything(request.user):
            children = OrgUnit.objects.get_root_nodes()
        else:
            children = OrgUnit.objects.filter(path__in=permissions.visible_paths(request.user))
    from danvan.onboarding.selectors import mark_ended

    children = mark_ended(children.select_related("level", "kind").order_by("path")[:500])
    if node:
        mark_ended([node])
    counts = counts_under(request.user, children)
    working = org_tree.working_children(children)
    from danvan.onboarding.selectors import predecessor_history

    for child in children:
        child.exemplar_count = counts[child.path]
        child.working_children = working.get(child.path, 0)
        child.ended_children = child.numchild - child.working_children
        if not child.code_ok:  # made before the code rule: listed with its repair link
            child.repairable = permissions.can_manage_unit(request.user, child)

    return render(request, "core/tree.html", {
        "node": node, "children": children, "ancestors": ancestors,
        "can_issue": bool(node and permissions.can_issue(request.user, node)),
        "can_letter_settings": bool(node and permissions.can_edit_letter_settings(request.user, node)),
        "can_admin_unit": bool(node and (permissions.can_manage_unit(request.user, node) or permissions.grantable_roles(request.user, node))),
        **(predecessor_history(request.user, node) if node else {}),
    })


def _api_error(request, status: int, code: str, message: str) -> HttpResponse | None:
    """API clients get the API's JSON error shape even from Django's own error handlers."""
    if not request.path.startswith("/api/"):
        return None
    return JsonResponse({"code": code, "message": message, "details": {}}, status=status,
                        json_dumps_params={"ensure_ascii": False})


def error_404(request, exception=None):
    api = _api_error(request, 404, "not_found", "Không tìm thấy địa chỉ này trong API.")
    return api or render(request, "404.html", status=404)


def error_403(request, exception=None):
    return render(request, "403.html", status=403)


def error_500(request):
    api = _api_error(request, 500, "server_error", "Lỗi hệ thống; quản trị viên đã được ghi nhận lỗi.")
    return api or render(request, "500.html", status=500)


# Posted fields never shown back: secrets and the form's own bookkeeping.
_NOT_SHOWN = ("csrfmiddlewaretoken", "password", "password1", "password2", "new_password1", "new_password2",
              "old_password", "version", "token", "secret")


def csrf_failure(request, reason=""):
    """A form sent from a stale page (a second tab, an expired sign-in, a page kept open overnight): a Vietnamese
    page instead of Django's English one, with what the user typed shown back so that nothing is lost."""
    api = _api_error(request, 403, "csrf_failed", "Thiếu hoặc sai mã chống giả mạo (CSRF) của phiên đăng nhập.")
    if api:
        return api
    typed = [value for name, values in request.POST.lists() for value in values
             if name not in _NOT_SHOWN and value.strip()]
    back = request.path if request.method == "POST" else "/"
    return render(request, "403_csrf.html", {"typed": typed, "back": back}, status=403)
