"""Registering and editing exemplars through the pages (laid out like the form)."""

import pytest

from danvan.exemplars.models import Exemplar, Field
from danvan.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db


def _payload(**over):
    unit = OrgUnit.objects.get(code="VP-SKHCN-QNG")
    field = Field.objects.get(name="Lĩnh vực Tài chính, Văn phòng")
    from danvan.exemplars.models import Movement

    data = {
        "unit": unit.pk,
        "year": 2022,
        "movement": Movement.objects.get(period_start=2021).pk,
        "field": field.pk,
        "name": "Số hóa hồ sơ lưu trữ của cơ quan",
        "collective": "on",
        "address": "202A, đường Trường Chinh, Thành phố Quảng Ngãi",
        "content_problem": "Hồ sơ giấy nhiều, khó tra cứu.\n\nGiải pháp: quét và lập chỉ mục.",
        "content_actors": "Công chức Văn phòng Sở",
        "content_results": "Tra cứu nhanh hơn.",
        "new": "on",
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def test_officer_creates_exemplar_and_history_records_who(login, demo):
    client = login("vp.skhcn")
    resp = client.post("/mo-hinh/them/", _payload())
    assert resp.status_code == 302
    ex = Exemplar.objects.get(name="Số hóa hồ sơ lưu trữ của cơ quan")
    assert ex.kind == "collective" and ex.origin == "new" and ex.unit.code == "VP-SKHCN-QNG"
    assert ex.content_problem == "<p>Hồ sơ giấy nhiều, khó tra cứu.</p><p>Giải pháp: quét và lập chỉ mục.</p>"
    assert ex.created_by.username == "vp.skhcn"
    rec = ex.history.first()
    assert rec.history_user.username == "vp.skhcn" and rec.history_type == "+"
    detail = client.get(resp["Location"]).content.decode()
    assert "Số hóa hồ sơ lưu trữ" in detail and "Tạo mới" in detail


@pytest.mark.parametrize(
    "over, field, message",
    [
        ({"collective": "on", "individual": "on"}, "collective", "Chỉ đánh dấu một hình thức"),
        ({"collective": None}, "collective", "Hãy đánh dấu hình thức"),
        ({"new": None}, "new", "xây dựng mới hay nhân rộng"),
        ({"new": "on", "replication": "on"}, "new", "Chỉ đánh dấu một trong hai"),
        ({"name": ""}, "name", "Trường này là bắt buộc"),
        ({"content_problem": ""}, "content_problem", "Trường này là bắt buộc"),
        ({"name": "x" * 501}, "name", "500"),
        ({"field": 999999}, "field", "Hãy chọn một lựa chọn hợp lệ"),
    ],
)
def test_bad_input_is_refused_in_vietnamese_and_nothing_saved(login, demo, over, field, message):
    client = login("vp.skhcn")
    before = Exemplar.objects.count()
    resp = client.post("/mo-hinh/them/", _payload(**over))
    assert resp.status_code == 200
    assert message in resp.content.decode()
    assert Exemplar.objects.count() == before


def test_field_of_another_tree_is_refused(login, demo):
    from danvan.exemplars.models import FieldCategory

    foreign = Field.objects.create(owner=OrgUnit.objects.get(code="DBSTP-QB"), name="Lĩnh vực tư pháp",
                                   category=FieldCategory.objects.first())
    resp = login("vp.skhcn").post("/mo-hinh/them/", _payload(field=foreign.pk))
    assert resp.status_code == 200 and "Hãy chọn một lựa chọn hợp lệ" in resp.content.decode()
    assert not Exemplar.objects.filter(field=foreign).exists()


def test_replication_without_source_is_saved_with_a_warning(login, demo):
    client = login("vp.skhcn")
    resp = client.post("/mo-hinh/them/", _payload(new=None, replication="on"), follow=True)
    assert "chưa ghi mô hình nguồn" in resp.content.decode()
    assert Exemplar.objects.get(name="Số hóa hồ sơ lưu trữ của cơ quan").origin == "replication"


def test_replication_with_source(login, seed_exemplars):
    source = seed_exemplars["Thực hiện tiết kiệm điện trong cơ quan"]
    client = login("vp.skhcn")
    found = client.get("/mo-hinh/tim-nguon/?q=tiết kiệm").content.decode()
    assert f'value="{source.pk}"' in found
    resp = client.post("/mo-hinh/them/", _payload(new=None, replication="on", source=source.pk))
    assert resp.status_code == 302
    replica = Exemplar.objects.get(name="Số hóa hồ sơ lưu trữ của cơ quan")
    assert replica.source == source
    assert "Đã được nhân rộng tại <strong>2</strong> mô hình" in client.get(f"/mo-hinh/{source.pk}/").content.decode()


def test_source_outside_scope_is_refused(login, seed_exemplars):
    source = seed_exemplars["Vận động tổ chức, doanh nghiệp tham gia Giải thưởng chất lượng Quốc gia"]
    client = login("dangbo.stp")
    assert f'value="{source.pk}"' not in client.get("/mo-hinh/tim-nguon/?q=giải thưởng").content.decode()
    resp = client.post("/mo-hinh/them/", {**_payload(new=None, replication="on", source=source.pk),
                                          "unit": OrgUnit.objects.get(code="DBSTP-QB").pk})
    assert "Không tìm thấy mô hình nguồn trong phạm vi của bạn" in resp.content.decode()


def test_recognized_exemplars_can_be_replicated_from_anywhere(login, seed_exemplars):
    # "Thực hiện tiết kiệm điện" was recognized by the Board in 2022 (demo): any unit may replicate it.
    source = seed_exemplars["Thực hiện tiết kiệm điện trong cơ quan"]
    found = login("dangbo.stp").get("/mo-hinh/tim-nguon/?q=tiết kiệm").content.decode()
    assert f'value="{source.pk}"' in found


def test_officer_cannot_create_for_a_unit_outside_their_rights(login, demo):
    client = login("cc.tdc")
    resp = client.post("/mo-hinh/them/", _payload())  # unit = Văn phòng Sở, a sibling
    assert resp.status_code == 200 and "Hãy chọn một lựa chọn hợp lệ" in resp.content.decode()
    assert not Exemplar.objects.filter(name="Số hóa hồ sơ lưu trữ của cơ quan").exists()


def test_edit_and_stale_edit_is_refused(login, seed_exemplars, reopen):
    from danvan.exemplars.forms import ExemplarForm

    ex = seed_exemplars["Thực hiện tiết kiệm điện trong cơ quan"]
    reopen(ex)
    ex.refresh_from_db()
    form_data = {k: v for k, v in ExemplarForm.initial_from(ex).items() if v not in (None, False)}
    form_data = {k: ("on" if v is True else v) for k, v in form_data.items()}
    alice, bob = login("vp.skhcn"), login("bdv.quangngai")
    assert alice.post(f"/mo-hinh/{ex.pk}/sua/", {**form_data, "name": "Tiết kiệm điện (sửa lần 1)"}).status_code == 302
    # Bob opened the page before Alice saved: his version is old.
    resp = bob.post(f"/mo-hinh/{ex.pk}/sua/", {**form_data, "name": "Bản của Bob"})
    assert resp.status_code == 200 and "vừa được người khác sửa" in resp.content.decode()
    ex.refresh_from_db()
    assert ex.name == "Tiết kiệm điện (sửa lần 1)" and ex.version == int(form_data["version"]) + 1
    detail = alice.get(f"/mo-hinh/{ex.pk}/").content.decode()
    assert "Tiết kiệm điện (sửa lần 1)" in detail and "Lê Đức Tuấn" in detail


def test_script_never_survives(login, demo):
    client = login("vp.skhcn")
    client.post("/mo-hinh/them/", _payload(content_problem="<p>Nội dung</p><script>alert(1)</script><p onclick='x()'>b</p>"))
    ex = Exemplar.objects.get(name="Số hóa hồ sơ lưu trữ của cơ quan")
    assert "<script" not in ex.content_problem and "onclick" not in ex.content_problem
    assert "<p>Nội dung</p>" in ex.content_problem


def test_soft_delete_then_admin_restores(login, seed_exemplars, reopen):
    ex = seed_exemplars["Thực hiện tiết kiệm điện trong cơ quan"]
    reopen(ex)
    office = login("vp.skhcn")
    assert office.post(f"/mo-hinh/{ex.pk}/xoa/").status_code == 302
    ex.refresh_from_db()
    assert ex.deleted_at is not None and ex.deleted_by.username == "vp.skhcn"
    assert "Có <strong>2</strong>" in office.get("/mo-hinh/").content.decode()
    assert office.get(f"/mo-hinh/{ex.pk}/").status_code == 404
    assert office.post(f"/mo-hinh/{ex.pk}/khoi-phuc/").status_code == 404  # not an admin
    admin = login("admin")
    assert "Thực hiện tiết kiệm điện" in admin.get("/mo-hinh/thung-rac/").content.decode()
    assert admin.post(f"/mo-hinh/{ex.pk}/khoi-phuc/").status_code == 302
    ex.refresh_from_db()
    assert ex.deleted_at is None
    reasons = list(ex.history.values_list("history_change_reason", flat=True))
    assert "Xóa" in reasons and "Khôi phục" in reasons


def test_list_filters(login, seed_exemplars):
    client = login("vp.skhcn")
    assert "Có <strong>2</strong>" in client.get("/mo-hinh/?kind=collective").content.decode()
    assert "Có <strong>1</strong>" in client.get("/mo-hinh/?kind=individual").content.decode()
    assert "Có <strong>1</strong>" in client.get("/mo-hinh/?unit=CCTDC-QNG").content.decode()
    assert "Có <strong>3</strong>" in client.get("/mo-hinh/?unit=SKHCN-QNG&subtree=1").content.decode()
    assert "Có <strong>0</strong>" in client.get("/mo-hinh/?year=2022").content.decode()
    assert "Có <strong>3</strong>" in client.get("/mo-hinh/?year=abc&field=x").content.decode()


def test_an_edit_without_version_is_refused_not_saved_blind(login, api, seed_exemplars):
    """Issue 21: omitting `version` skipped the stale-edit check, on the pages and the API alike."""
    from danvan.exemplars import services
    from danvan.exemplars.forms import ExemplarForm
    from danvan.foundation.actions import MISSING_VERSION
    from danvan.movement.models import Submission

    assert login("vp.skhcn").post("/mo-hinh/them/", _payload()).status_code == 302
    ex = Exemplar.objects.get(name="Số hóa hồ sơ lưu trữ của cơ quan")
    assert not services.edit_lock(ex)
    name = ex.name
    form_data = {k: ("on" if v is True else v) for k, v in ExemplarForm.initial_from(ex).items()
                 if v not in (None, False) and k != "version"}
    resp = login("vp.skhcn").post(f"/mo-hinh/{ex.pk}/sua/", {**form_data, "name": "Sửa không kèm phiên bản"})
    assert resp.status_code == 200 and MISSING_VERSION in resp.content.decode()
    ex.refresh_from_db()
    assert ex.name == name
    sub = Submission.objects.filter(unit__code="VP-SKHCN-QNG", status="draft").first() or Submission.objects.filter(
        unit__code="VP-SKHCN-QNG").first()
    before = (sub.version, sub.items.count())
    page = login("vp.skhcn").post(f"/ho-so/{sub.pk}/them-mo-hinh/", {"exemplar": [ex.pk]}, follow=True)
    assert MISSING_VERSION in page.content.decode()
    refused = api("vp.skhcn").post(f"/api/submissions/{sub.pk}/attach", {"exemplars": [ex.pk]},
                                   content_type="application/json")
    assert refused.status_code == 422 and "version" in refused.content.decode()
    sub.refresh_from_db()
    assert (sub.version, sub.items.count()) == before


def test_the_pickers_own_parameter_finds_sources_for_a_unit_officer(login, seed_exemplars):
    """The form's search box sends `source_q` (issue 16 §5): a unit officer finds the recognized model of a
    sibling unit and the models of their own unit, and the chosen source is shown by its name, not its id."""
    source = seed_exemplars["Thực hiện tiết kiệm điện trong cơ quan"]
    own = seed_exemplars["Vận động tổ chức, doanh nghiệp tham gia Giải thưởng chất lượng Quốc gia"]
    client = login("cc.tdc")
    assert f'value="{source.pk}"' in client.get("/mo-hinh/tim-nguon/", {"source_q": "tiết kiệm điện"}).content.decode()
    assert f'value="{own.pk}"' in client.get("/mo-hinh/tim-nguon/", {"source_q": "giải thưởng"}).content.decode()
    form = client.get("/mo-hinh/them/").content.decode()
    assert 'name="source_q"' in form and 'data-enter="tim"' in form
    resp = client.post("/mo-hinh/them/", {**_payload(new=None, replication="on", source=source.pk),
                                          "unit": OrgUnit.objects.get(code="CCTDC-QNG").pk, "name": ""})
    page = resp.content.decode()
    assert resp.status_code == 200 and f"{source.name} — {source.unit.name} (2021) (đang chọn)" in page
    assert "Mô hình số" not in page
