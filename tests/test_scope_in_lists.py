"""Issue 21 §6: every list a page shows is filtered by what the viewer may see (others counted at most), the
showcase searches only what it shows, and a unit's level stays between its parent's and its children's.

Each test reproduces a red-team finding through the pages or the API as the seed personas."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

from danvan.exemplars.models import Exemplar, Field, FieldCategory, Movement
from danvan.exemplars.services import create_exemplar, delete_exemplar
from danvan.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db
SAVING = "Thực hiện tiết kiệm điện trong cơ quan"


def _user(username: str):
    return get_user_model().objects.get(username=username)


def _exemplar(by: str, unit: str, name: str, *, source: Exemplar | None = None, address: str = "Số 1, đường A"):
    u = OrgUnit.objects.get(code=unit)
    step = OrgUnit.steplen
    field = Field.objects.filter(owner__path__in=[u.path[:i] for i in range(step, len(u.path) + 1, step)]).first()
    if field is None:
        field = Field.objects.create(owner=u, name="Lĩnh vực chung", category=FieldCategory.objects.first())
    return create_exemplar(by=_user(by), unit=u, year=2023, movement=Movement.objects.get(period_start=2021),
                           field=field, name=name, kind="collective", address=address,
                           content_problem="<p>Nội dung thực hiện.</p>",
                           origin="replication" if source else "new", source=source).exemplar


def _section(html: str, title: str) -> str:
    start = html.index(title)
    return html[start:html.index("</section>", start)]


def _saving_pair() -> tuple[Exemplar, Exemplar]:
    """The demo's recognized Văn phòng model and the Sở Nội vụ's replica of it."""
    return (Exemplar.objects.get(unit__code="VP-SKHCN-QNG", year=2021, name=SAVING),
            Exemplar.objects.get(unit__code="SNV-QNG", name=SAVING))


# ---- 1. lineage -----------------------------------------------------------------------------------------------

def test_lineage_hides_models_out_of_scope_and_counts_them(login, demo):
    """A Thanh tra model replicating the Sở Nội vụ's replica: the Thanh tra's leader sees the recognized original,
    not the Sở Nội vụ's model (neither named nor linked), only that one more lies on the way."""
    original, snv = _saving_pair()
    mine = _exemplar("admin", "TT-SKHCN-QNG", "Tiết kiệm điện tại Thanh tra Sở", source=snv)
    html = login("ld.tt").get(f"/mo-hinh/{mine.pk}/").content.decode()
    lineage = _section(html, "Nguồn gốc nhân rộng")
    assert "Sở Nội vụ" not in html and f"/mo-hinh/{snv.pk}/" not in html
    assert "Và 1 mô hình ở đơn vị khác" in lineage
    assert "Văn phòng Sở Khoa học và Công nghệ" in lineage and "(mô hình gốc)" in lineage  # recognized: named
    assert "từ một mô hình ở đơn vị khác" in html
    # The Board over both sees the whole chain, linked.
    board = _section(login("bdv.quangngai").get(f"/mo-hinh/{mine.pk}/").content.decode(), "Nguồn gốc nhân rộng")
    assert f"/mo-hinh/{snv.pk}/" in board and f"/mo-hinh/{original.pk}/" in board and "đơn vị khác" not in board


def test_lineage_never_shows_a_soft_deleted_model(login, demo):
    office = login("vp.skhcn")
    source = _exemplar("vp.skhcn", "CCTDC-QNG", "Mô hình nguồn đã xóa")
    replica = _exemplar("vp.skhcn", "TT-SKHCN-QNG", "Mô hình nhân rộng còn lại", source=source)
    delete_exemplar(exemplar=source, by=_user("vp.skhcn"))
    for viewer in (office, login("bdv.quangngai"), login("admin")):
        html = viewer.get(f"/mo-hinh/{replica.pk}/").content.decode()
        assert "Mô hình nguồn đã xóa" not in html and f"/mo-hinh/{source.pk}/" not in html
        assert "Nguồn gốc nhân rộng" not in html  # nothing alive on the way: no section, no count


# ---- 2. replicas ----------------------------------------------------------------------------------------------

def test_replica_list_names_only_what_the_viewer_sees(login, demo):
    original, snv = _saving_pair()
    html = login("vp.skhcn").get(f"/mo-hinh/{original.pk}/").content.decode()
    replicas = _section(html, "Được nhân rộng")
    assert "<strong>1</strong> mô hình" in replicas  # still counted
    assert "Sở Nội vụ" not in replicas and f"/mo-hinh/{snv.pk}/" not in replicas
    assert "Và 1 mô hình ở đơn vị khác" in replicas
    board = _section(login("bdv.quangngai").get(f"/mo-hinh/{original.pk}/").content.decode(), "Được nhân rộng")
    assert "Sở Nội vụ" in board and f"/mo-hinh/{snv.pk}/" in board and "đơn vị khác" not in board


def test_replica_of_a_recognized_model_in_another_province_is_counted_not_named(login, demo):
    """The Quảng Bình Party committee replicates the recognized model: Quảng Ngãi's Sở KH&CN sees a count."""
    original, _ = _saving_pair()
    qb = _exemplar("dangbo.stp", "DBSTP-QB", "Tiết kiệm điện ở Đảng bộ Sở Tư pháp", source=original)
    replicas = _section(login("vp.skhcn").get(f"/mo-hinh/{original.pk}/").content.decode(), "Được nhân rộng")
    assert "Quảng Bình" not in replicas and "Tư pháp" not in replicas and f"/mo-hinh/{qb.pk}/" not in replicas
    assert "<strong>2</strong> mô hình" in replicas and "Và 2 mô hình ở đơn vị khác" in replicas
    # Its own unit sees the replica from the source's side only through pages it may open: the source is named.
    mine = login("dangbo.stp").get(f"/mo-hinh/{qb.pk}/").content.decode()
    assert "(mô hình gốc)" in _section(mine, "Nguồn gốc nhân rộng")


# ---- 3. round relays ------------------------------------------------------------------------------------------

@pytest.fixture
def relayed(login, units):
    """The Board's 2023 round, relayed by the Sở KH&CN to its three units with an internal deadline."""
    import datetime

    from django.utils import timezone

    from danvan.movement.models import RegistrationRound

    def future(days: int) -> str:
        return (timezone.localtime() + datetime.timedelta(days=days)).strftime("%d/%m/%Y %H:%M")

    board = login("bdv.quangngai")
    board.post("/dot-dang-ky/phat-dong/", {
        "issuer": units["BDVTU-QNG"].pk, "movement": Movement.objects.get(period_start=2021).pk, "year": 2023,
        "title": "Đăng ký mô hình năm 2023", "guidance": "Hướng dẫn số 08-HD/BDVTU", "deadline": future(30),
        "target_mode": "children", "min_total": 1, "min_collective": 0, "min_individual": 0})
    rnd = RegistrationRound.objects.get(year=2023, issuer__code="BDVTU-QNG")
    login("vp.skhcn").post(f"/dot-dang-ky/{rnd.pk}/chuyen-tiep/SKHCN-QNG/", {
        "title": rnd.title, "deadline": future(10), "min_total": 1, "min_collective": 0, "min_individual": 0})
    relay = RegistrationRound.objects.get(parent_round=rnd, issuer__code="SKHCN-QNG")
    return rnd, relay


def test_round_page_hides_a_sibling_units_relay_and_deadline(login, relayed):
    rnd, relay = relayed
    deadline = f"hạn {relay.deadline.astimezone().strftime('%d/%m/%Y')}"
    html = login("vp.snv").get(f"/dot-dang-ky/{rnd.pk}/").content.decode()
    assert "Sở Khoa học và Công nghệ" not in html and deadline not in html
    assert f"/dot-dang-ky/{relay.pk}/" not in html and "SKHCN-QNG" not in html
    assert "1 đợt chuyển tiếp của đơn vị khác" in html
    # Its own completeness is untouched: one target, its own.
    assert "Đã gửi <strong>0</strong>/1 đơn vị" in html
    assert login("vp.snv").get(f"/dot-dang-ky/{relay.pk}/").status_code == 404
    # The issuer sees its targets' relays; a target of the relay sees its own chain (from the relay's page).
    for who, page in (("bdv.quangngai", rnd), ("tt.skhcn", relay)):
        html = login(who).get(f"/dot-dang-ky/{page.pk}/").content.decode()
        chain = re.findall(r"Các cấp đã chuyển tiếp.*", html)
        assert chain and f"/dot-dang-ky/{relay.pk}/" in chain[0] and deadline in chain[0], who
        assert f"/dot-dang-ky/{rnd.pk}/" in chain[0] and "đơn vị khác" not in chain[0], who
    assert "Đã gửi <strong>0</strong>/5 đơn vị" in login("bdv.quangngai").get(f"/dot-dang-ky/{rnd.pk}/").content.decode()


# ---- 4. the public showcase searches only what it shows ------------------------------------------------------

def test_showcase_search_cannot_recover_the_hidden_address(demo):
    from django.test import Client

    original, _ = _saving_pair()
    assert original.address.startswith("202A, đường Trường Chinh")
    for probe in ("202", "202a", "truong chi", "duong truong chinh", "tiet kiem 202a"):
        page = Client().get("/cong-khai/", {"q": probe}).content.decode()
        assert "Không tìm thấy mô hình tiêu biểu nào" in page and f"/cong-khai/{original.pk}/" not in page, probe
    # What the page shows is still found: the name, the content, the unit.
    for shown in ("tiet kiem dien", "đèn năng lượng mặt trời", "van phong so khoa hoc cong nghe"):
        page = Client().get("/cong-khai/", {"q": shown}).content.decode()
        assert "Tìm thấy 1 mô hình." in page and f"/cong-khai/{original.pk}/" in page, shown


def test_signed_in_list_still_searches_the_address_it_shows(login, demo):
    original, _ = _saving_pair()
    page = login("vp.skhcn").get("/mo-hinh/", {"q": "truong chinh 202a"}).content.decode()
    assert f"/mo-hinh/{original.pk}/" in page


# ---- 6. a unit's level stays between its parent's and its children's ----------------------------------------

def _level(code: str) -> int:
    from danvan.orgs.models import Level

    return Level.objects.get(code=code).pk


def _edit(unit: OrgUnit, level: str) -> dict:
    return {"action": "edit", "u-name": unit.name, "u-header_name": unit.header_name,
            "u-superior_name": unit.superior_name, "u-level": _level(level), "u-kind": unit.kind_id,
            "u-doc_suffix": unit.doc_suffix, "u-place_name": unit.place_name, "u-address": unit.address,
            "u-email": unit.email, "u-doc_family": unit.doc_family}


def test_unit_page_refuses_a_level_below_a_childs(login, units):
    board = login("bdv.quangngai")
    tt = units["TT-SKHCN-QNG"]
    resp = board.post("/quan-tri-don-vi/don-vi/TT-SKHCN-QNG/", _edit(tt, "tinh"), follow=True)  # as high as its parent
    assert "Đã lưu thông tin đơn vị." in resp.content.decode()
    skhcn = units["SKHCN-QNG"]
    resp = board.post("/quan-tri-don-vi/don-vi/SKHCN-QNG/", _edit(skhcn, "huyen"), follow=True)
    html = resp.content.decode()
    assert ("Cấp «Cấp huyện» thấp hơn cấp của đơn vị trực thuộc «Thanh tra Sở Khoa học và Công nghệ» (Cấp tỉnh)"
            in html)
    assert OrgUnit.objects.get(code="SKHCN-QNG").level.code == "tinh"  # nothing saved
    # The other way still holds: not above the parent's.
    resp = board.post("/quan-tri-don-vi/don-vi/TT-SKHCN-QNG/", _edit(tt, "co-so"), follow=True)
    assert "Đã lưu thông tin đơn vị." in resp.content.decode()
    resp = board.post("/quan-tri-don-vi/don-vi/SKHCN-QNG/", _edit(skhcn, "co-so"), follow=True)
    assert "Đã lưu thông tin đơn vị." in resp.content.decode()  # equal to its children's: allowed


def test_tree_import_refuses_a_level_below_a_kept_childs(login, demo):
    import io

    board = login("bdv.quangngai")
    head = "code,name,parent_code,level,kind,header_name,superior_name,doc_suffix,place_name,address,doc_family\n"
    skhcn = OrgUnit.objects.get(code="SKHCN-QNG")
    row = (f"SKHCN-QNG,{skhcn.name},BDVTU-QNG,{{level}},so-nganh,{skhcn.header_name},{skhcn.superior_name},"
           f"{skhcn.doc_suffix},{skhcn.place_name},\"{skhcn.address}\",state\n")
    OrgUnit.objects.filter(code="CCTDC-QNG").update(level_id=_level("tinh"))

    def upload(text: str) -> str:
        f = io.BytesIO(text.encode())
        f.name = "cay.csv"
        resp = board.post("/quan-tri-don-vi/nhap/cay-don-vi/", {"upload": f})
        assert resp.status_code == 302, resp.content.decode()[:300]
        return board.get(resp["Location"]).content.decode()

    page = upload(head + row.format(level="huyen"))  # the file lists SKHCN only: its units keep their level
    assert "thấp hơn cấp của đơn vị trực thuộc «Chi cục Tiêu chuẩn Đo lường Chất lượng» (Cấp tỉnh)" in page
    # Listing the child with a level as low as the new one passes (the child's row is checked against its parent).
    cc = OrgUnit.objects.get(code="CCTDC-QNG")
    child = (f"CCTDC-QNG,{cc.name},SKHCN-QNG,co-so,phong-don-vi,{cc.header_name},{cc.superior_name},"
             f"{cc.doc_suffix},{cc.place_name},\"{cc.address}\",state\n")
    page = upload(head + row.format(level="huyen") + child)
    assert "thấp hơn cấp của đơn vị trực thuộc" not in page
