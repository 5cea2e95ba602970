"""Issue 8: the HTTP API — the same rights and workflow steps as the pages, through tokens."""

import datetime
import json

import pytest
from django.test import Client
from django.utils import timezone

from danvan.api.models import ApiToken
from danvan.exemplars.models import Exemplar, Field, Movement
from danvan.movement.models import RegistrationRound, Status, Submission

pytestmark = pytest.mark.django_db


def _json(resp, status):
    assert resp.status_code == status, resp.content.decode()
    return resp.json()


def _post(client, url, data, method="post"):
    return getattr(client, method)(url, json.dumps(data), content_type="application/json")


def _new(unit_code="TT-SKHCN-QNG", **over):
    data = {"unit": unit_code, "year": 2023, "movement": Movement.objects.get(period_start=2021).pk,
            "field": Field.objects.get(name="Lĩnh vực thanh tra").pk, "name": "Tiếp công dân lưu động",
            "kind": "collective", "address": "Quảng Ngãi", "content_problem": "<p>Giải pháp</p>",
            "origin": "new"}
    data.update(over)
    return data


# ---- tokens ------------------------------------------------------------------------------------

def test_token_shown_once_stored_as_hash_and_revocable(login):
    client = login("vp.skhcn")
    page = client.post("/tai-khoan/", {"name": "Phần mềm tổng hợp", "days": 30})
    secret = page.context["new_secret"]
    html = page.content.decode()
    assert secret in html and "chỉ hiện một lần" in html and "Văn phòng tổng hợp" in html
    token = ApiToken.objects.get(name="Phần mềm tổng hợp")
    assert secret not in (token.secret_hash, token.prefix) and len(token.secret_hash) == 64
    assert secret not in client.get("/tai-khoan/").content.decode()  # never shown again
    bearer = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert bearer.get("/api/exemplars").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    # Another user cannot revoke it; the owner can, and then it stops working.
    assert login("tt.skhcn").post(f"/tai-khoan/khoa/{token.pk}/thu-hoi/").status_code == 404
    client.post(f"/tai-khoan/khoa/{token.pk}/thu-hoi/")
    err = _json(bearer.get("/api/exemplars"), 401)
    assert err["code"] == "unauthorized" and "thu hồi" in err["message"]


def test_expired_unknown_and_missing_tokens_are_401(api):
    client = api("vp.skhcn")
    ApiToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert _json(client.get("/api/units"), 401)["code"] == "unauthorized"
    assert Client().get("/api/units").status_code == 401
    assert Client(HTTP_AUTHORIZATION="Bearer dvk_không-có").get("/api/units").status_code == 401
    assert Client(HTTP_AUTHORIZATION="Basic abc").get("/api/units").status_code == 401


def test_profile_refuses_a_blank_name(login):
    resp = login("vp.skhcn").post("/tai-khoan/", {"name": "   "})
    assert resp.status_code == 200 and not ApiToken.objects.exists()


# ---- reading -----------------------------------------------------------------------------------

def test_lists_are_scoped_and_cursor_paginated(api, seed_exemplars):
    board = api("bdv.quangngai")
    seen, url = [], "/api/exemplars?limit=1"
    while url:
        data = _json(board.get(url), 200)
        seen += [e["id"] for e in data["items"]]
        url = f"/api/exemplars?limit=1&cursor={data['next_cursor']}" if data["next_cursor"] else None
    assert seen == sorted(seen) and len(seen) == 5
    assert len(_json(api("tt.skhcn").get("/api/exemplars"), 200)["items"]) == 1
    assert _json(api("dangbo.stp").get("/api/exemplars?unit=SKHCN-QNG&subtree=1"), 200)["items"] == []
    assert _json(board.get("/api/exemplars?cursor=%%%"), 400)["code"] == "bad_cursor"
    data = _json(board.get("/api/exemplars?unit=SKHCN-QNG&subtree=true&kind=individual"), 200)
    assert [e["kind"] for e in data["items"]] == ["individual"]
    assert _json(board.get("/api/exemplars?q=tiết kiệm"), 200)["items"][0]["name"].startswith("Thực hiện tiết kiệm")


def test_units_children_and_other_units_are_404(api, units):
    office = api("vp.skhcn")
    kids = _json(office.get("/api/units/SKHCN-QNG/children"), 200)["items"]
    assert {k["code"] for k in kids} == {"VP-SKHCN-QNG", "CCTDC-QNG", "TT-SKHCN-QNG"}
    assert kids[0]["parent_code"] == "SKHCN-QNG"
    assert _json(office.get("/api/units/SNV-QNG"), 404)["code"] == "not_found"
    assert "không tìm thấy" in _json(office.get("/api/units/STP-QB"), 404)["message"].lower()


def test_completeness_is_the_selector_shape(api):
    from danvan.movement import selectors

    rnd = RegistrationRound.objects.get(year=2022, parent_round__isnull=True, kind="registration")
    data = _json(api("bdv.quangngai").get(f"/api/rounds/{rnd.pk}/completeness?unit=SKHCN-QNG"), 200)
    node = rnd.issuer.__class__.objects.get(code="SKHCN-QNG")
    expected = json.loads(json.dumps(selectors.completeness_dict(selectors.completeness(rnd, node)), default=str))
    assert data == expected
    assert api("dangbo.stp").get(f"/api/rounds/{rnd.pk}/completeness").status_code == 404
    assert api("vp.skhcn").get(f"/api/rounds/{rnd.pk}/completeness?unit=SNV-QNG").status_code == 404


# ---- exemplars: writes through the service -----------------------------------------------------

def test_create_update_stale_delete_restore(api, demo):
    officer = api("tt.skhcn")
    saved = _json(_post(officer, "/api/exemplars", _new(content_problem="<p onclick='x()'>Giải pháp</p>")), 201)
    ex = saved["exemplar"]
    assert ex["version"] == 1 and "onclick" not in ex["content_problem"]
    assert Exemplar.objects.get(pk=ex["id"]).history.first().history_user.username == "tt.skhcn"
    upd = _json(_post(officer, f"/api/exemplars/{ex['id']}", {"version": 1, "name": "Tên mới"}, "patch"), 200)
    assert upd["exemplar"]["version"] == 2 and upd["exemplar"]["name"] == "Tên mới"
    stale = _json(_post(officer, f"/api/exemplars/{ex['id']}", {"version": 1, "name": "Ghi đè"}, "patch"), 409)
    assert stale["code"] == "stale" and "vừa được người khác sửa" in stale["message"]
    assert Exemplar.objects.get(pk=ex["id"]).name == "Tên mới"
    assert _json(officer.delete(f"/api/exemplars/{ex['id']}"), 200)["deleted"] is True
    assert officer.get(f"/api/exemplars/{ex['id']}").status_code == 404  # gone for non-admins, like the page
    assert officer.post(f"/api/exemplars/{ex['id']}/restore").status_code == 404
    admin = api("admin")
    assert _json(admin.post(f"/api/exemplars/{ex['id']}/restore"), 200)["deleted"] is False


def test_visible_but_not_editable_is_403_outside_scope_is_404(api, seed_exemplars):
    ex = seed_exemplars["Thực hiện tiết kiệm điện trong cơ quan"]  # Văn phòng Sở
    leader = api("ld.tt")  # sees only Thanh tra
    assert _json(_post(leader, f"/api/exemplars/{ex.pk}", {"version": ex.version, "name": "x"}, "patch"), 404)
    office = api("ld.skhcn")  # leader of the Sở: sees the subtree, edits only the Sở itself
    err = _json(_post(office, f"/api/exemplars/{ex.pk}", {"version": ex.version, "name": "x"}, "patch"), 403)
    assert err["code"] == "forbidden" and "không có quyền" in err["message"]
    err = _json(_post(api("tt.skhcn"), "/api/exemplars", _new(unit_code="SNV-QNG")), 404)
    assert err["details"]["fields"]["unit"]
    ex.refresh_from_db()
    assert ex.name == "Thực hiện tiết kiệm điện trong cơ quan"


@pytest.mark.parametrize("body, status, code", [
    ("{không phải json", 400, "malformed_body"),
    (json.dumps({"name": "Thiếu trường"}), 422, "validation_error"),
    (json.dumps({**{"year": "năm nay"}}), 422, "validation_error"),
    ("[1, 2]", 422, "validation_error"),
])
def test_bad_bodies_are_refused_with_vietnamese_messages(api, demo, body, status, code):
    before = Exemplar.objects.count()
    err = _json(api("tt.skhcn").post("/api/exemplars", body, content_type="application/json"), status)
    assert err["code"] == code and err["message"] and not err["message"].isascii()
    assert Exemplar.objects.count() == before


def test_wrong_types_unknown_fields_and_field_messages(api, demo):
    officer = api("tt.skhcn")
    err = _json(_post(officer, "/api/exemplars", _new(year="hai nghìn", colour="đỏ")), 422)
    by_field = {e["loc"][-1]: e["message"] for e in err["details"]["errors"]}
    assert by_field["year"] == "Phải là số nguyên." and by_field["colour"] == "Trường này không được phép."
    err = _json(_post(officer, "/api/exemplars", _new(year=2030)), 400)
    assert "ngoài giai đoạn" in err["message"] and "year" in err["details"]["fields"]
    assert _json(_post(officer, "/api/exemplars", _new(movement=999999)), 400)["details"]["fields"]["movement"]
    assert not Exemplar.objects.filter(name="Tiếp công dân lưu động").exists()


def test_huge_body_is_413(api, demo, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = json.dumps(_new(content_problem="x" * 20_000))
    err = _json(api("tt.skhcn").post("/api/exemplars", body, content_type="application/json"), 413)
    assert err["code"] == "too_large" and "quá lớn" in err["message"]
    assert not Exemplar.objects.filter(name="Tiếp công dân lưu động").exists()


# ---- rounds and submissions: the workflow ------------------------------------------------------

def _launch_2023(board):
    data = {"issuer": "BDVTU-QNG", "movement": Movement.objects.get(period_start=2021).pk, "year": 2023,
            "title": "Đăng ký năm 2023", "deadline": (timezone.localtime() + datetime.timedelta(days=30))
            .replace(tzinfo=None).isoformat(timespec="minutes"), "min_total": 1}
    return _json(_post(board, "/api/rounds", data), 201)["round"]


def test_launch_relay_attach_submit_twice_return_accept(api, demo):
    board, office = api("bdv.quangngai"), api("vp.skhcn")
    rnd = _launch_2023(board)
    assert timezone.localtime(RegistrationRound.objects.get(pk=rnd["id"]).deadline).utcoffset().seconds == 7 * 3600
    # An officer cannot launch: visible issuer, refused action.
    assert _json(_post(api("tt.skhcn"), "/api/rounds", {**_base_launch(), "issuer": "TT-SKHCN-QNG"}), 403)
    deadline = (timezone.now() + datetime.timedelta(days=10)).isoformat()
    relay = _json(_post(office, f"/api/rounds/{rnd['id']}/relay", {"unit": "SKHCN-QNG", "deadline": deadline}), 201)
    sub = Submission.objects.get(round_id=relay["round"]["id"], unit__code="TT-SKHCN-QNG")
    ex = Exemplar.objects.get(unit__code="TT-SKHCN-QNG")
    officer, leader = api("tt.skhcn"), api("ld.tt")
    # The unit's 2021 model, carried into the 2023 dossier: only as continued ("tiếp tục xây dựng").
    refused = _json(_post(officer, f"/api/submissions/{sub.pk}/attach", {"exemplars": [ex.pk], "version": 1}), 400)
    assert "Tiếp tục xây dựng" in refused["message"]
    detail = _json(_post(officer, f"/api/submissions/{sub.pk}/attach",
                         {"exemplars": [ex.pk], "continued": True, "version": 1}), 200)
    assert detail["submission"]["n_total"] == 1 and detail["submission"]["timeline"][-1]["action"] == "continue"
    assert detail["submission"]["items"][0]["continued"] and detail["submission"]["items"][0]["year"] == 2021
    err = _json(_post(officer, f"/api/submissions/{sub.pk}/submit", {"version": 2}), 403)
    assert "Chỉ lãnh đạo đơn vị" in err["message"]
    v = detail["submission"]["version"]
    # The officer hands it to the leader, who is told; a second hand-off is a 409.
    handed = _json(_post(officer, f"/api/submissions/{sub.pk}/request-approval", {"version": v}), 200)["submission"]
    assert handed["awaiting_approval"] and handed["timeline"][-1]["action"] == "request_approval"
    assert _json(_post(officer, f"/api/submissions/{sub.pk}/request-approval",
                       {"version": Submission.objects.get(pk=sub.pk).version}), 409)["code"] == "already_sent"
    from danvan.movement.models import Notification

    assert Notification.objects.filter(user__username="ld.tt", kind="approval", submission=sub).count() == 1
    v = handed["version"]
    assert _json(_post(leader, f"/api/submissions/{sub.pk}/submit", {"version": v}), 200)["submission"]["status"] == "submitted"
    again = _json(_post(leader, f"/api/submissions/{sub.pk}/submit", {"version": v + 1}), 409)
    assert again["code"] == "already_sent" and "không gửi lại" in again["message"]
    assert Submission.objects.get(pk=sub.pk).events.filter(action="submit").count() == 1
    err = _json(_post(office, f"/api/submissions/{sub.pk}/return", {"comment": " "}), 400)
    assert "lý do trả lại" in err["message"]
    ret = _json(_post(office, f"/api/submissions/{sub.pk}/return", {"comment": "Bổ sung"}), 200)
    assert ret["submission"]["status"] == "returned"
    _json(_post(leader, f"/api/submissions/{sub.pk}/submit", {"version": Submission.objects.get(pk=sub.pk).version}),
          200)
    assert _json(office.post(f"/api/submissions/{sub.pk}/accept"), 200)["submission"]["status"] == Status.ACCEPTED
    parent = Submission.objects.get(round_id=rnd["id"], unit__code="SKHCN-QNG")
    cons = _json(office.post(f"/api/submissions/{parent.pk}/consolidate"), 200)
    assert cons["submission"]["n_total"] == 1 and any("Chưa tiếp nhận" in w for w in cons["warnings"])
    cc = Submission.objects.get(round_id=relay["round"]["id"], unit__code="CCTDC-QNG")
    assert _json(_post(office, f"/api/submissions/{cc.pk}/remind", {"message": "Khẩn"}), 200)["reminded"] == ["CCTDC-QNG"]
    # Outside the scope: 404, and nothing happens.
    assert api("dangbo.stp").post(f"/api/submissions/{cc.pk}/accept").status_code == 404
    assert _json(api("cc.tdc").get(f"/api/submissions/{sub.pk}"), 404)["code"] == "not_found"


def _base_launch():
    return {"movement": Movement.objects.get(period_start=2021).pk, "year": 2023, "title": "x",
            "deadline": "2099-01-01T17:00:00+07:00"}


def test_docs_page_loads_only_local_assets(client):
    html = client.get("/api/docs").content.decode()
    assert "swagger-ui-bundle.js" in html and "cdn" not in html.lower()
    assert "//" not in "".join(x for x in html.split('"') if x.startswith(("http", "//")))
    schema = client.get("/api/openapi.json").json()
    assert "/api/exemplars" in schema["paths"] and "BearerToken" in json.dumps(schema)


def test_nul_characters_are_refused_on_every_door(api, login, demo):
    officer = api("tt.skhcn")
    err = _json(officer.get("/api/exemplars?unit=%00"), 400)
    assert err["code"] == "invalid_characters" and "NUL" in err["message"]
    assert login("tt.skhcn").get("/mo-hinh/?unit=%00").status_code == 400
    err = _json(_post(officer, "/api/exemplars", _new(name="Tên\u0000lạ")), 400)
    assert err["code"] == "invalid_characters" and "NUL" in err["message"]
    assert not Exemplar.objects.filter(name__startswith="Tên").exists()


def test_deleted_exemplars_listed_only_for_admins(api, seed_exemplars, reopen):
    ex = seed_exemplars["Thực hiện tiết kiệm điện trong cơ quan"]
    reopen(ex)
    _json(api("vp.skhcn").delete(f"/api/exemplars/{ex.pk}"), 200)
    office = _json(api("vp.skhcn").get("/api/exemplars?include_deleted=true"), 200)["items"]
    assert ex.pk not in [e["id"] for e in office]
    everything = _json(api("admin").get("/api/exemplars?include_deleted=true"), 200)["items"]
    assert [e["deleted"] for e in everything if e["id"] == ex.pk] == [True]
    assert ex.pk not in [e["id"] for e in _json(api("admin").get("/api/exemplars"), 200)["items"]]


def test_nul_in_a_return_comment_or_a_reminder_is_refused_not_a_500(api, login, demo):
    """Issue 21: the page's return comment and reminder message and the API's JSON bodies bypassed the NUL guard."""
    from danvan.movement.models import Reminder

    sub = Submission.objects.filter(unit__code="SKHCN-QNG", status=Status.SUBMITTED).first() or Submission.objects.get(
        unit__code="SKHCN-QNG", round__year=2022, round__kind="registration", round__issuer__code="BDVTU-QNG")
    before = (sub.status, sub.version, Reminder.objects.count())
    board = login("bdv.quangngai")
    page = board.post(f"/ho-so/{sub.pk}/tra-lai/", {"comment": "Bổ sung\x00hồ sơ"})
    assert page.status_code == 400 and "NUL" in page.content.decode()
    page = board.post(f"/dot-dang-ky/{sub.round_id}/nhac/", {"submission": [sub.pk], "message": "Nhắc\x00nhở"})
    assert page.status_code == 400
    token = api("bdv.quangngai")
    for url, body in ((f"/api/submissions/{sub.pk}/return", {"comment": "Bổ sung\u0000"}),
                      (f"/api/submissions/{sub.pk}/remind", {"message": "Nhắc\u0000nhở"})):
        err = _json(_post(token, url, body), 400)
        assert err["code"] == "invalid_characters", url
    sub.refresh_from_db()
    assert (sub.status, sub.version, Reminder.objects.count()) == before
