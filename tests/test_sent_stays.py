"""Issue 16 item 11: what was sent stays as it was sent. While a dossier is submitted, accepted or
consolidated upward its models are not edited, detached or deleted by any door (page, API, CLI import);
a change needs the dossier returned first, and the Word file regenerated later equals the signed one."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from docx import Document

from danvan.exemplars.forms import ExemplarForm
from danvan.exemplars.models import Exemplar
from danvan.movement.models import Status, Submission
from danvan.tools.intake_samples import build_seed001_docx

LOCKED = "Cần cấp trên trả lại hồ sơ trước khi thay đổi"
POWER = "Thực hiện tiết kiệm điện trong cơ quan"


def _vp_2021() -> Submission:
    return Submission.objects.get(unit__code="VP-SKHCN-QNG", round__year=2021)


def _word_text(client, sub: Submission) -> str:
    resp = client.get(f"/ho-so/{sub.pk}/van-ban/dang-ky.docx")
    assert resp.status_code == 200
    doc = Document(io.BytesIO(b"".join(resp.streaming_content) if resp.streaming else resp.content))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


def _form(ex: Exemplar, **changes) -> dict:
    data = {k: ("on" if v is True else v) for k, v in ExemplarForm.initial_from(ex).items() if v not in (None, False)}
    return {**data, **changes}


def test_every_door_refuses_to_change_a_sent_model_and_the_word_file_stays(login, api, seed_exemplars, reopen):
    ex = seed_exemplars[POWER]
    sub = _vp_2021()
    assert sub.status == Status.ACCEPTED and sub.items.filter(exemplar=ex).exists()
    office = login("vp.skhcn")
    signed = _word_text(office, sub)
    assert POWER in signed

    # The page says why and offers no edit or delete; the edit page and the POSTs are refused.
    detail = office.get(f"/mo-hinh/{ex.pk}/").content.decode()
    assert LOCKED in detail and f'/mo-hinh/{ex.pk}/sua/' not in detail
    resp = office.get(f"/mo-hinh/{ex.pk}/sua/", follow=True)
    assert LOCKED in resp.content.decode()
    resp = office.post(f"/mo-hinh/{ex.pk}/sua/", _form(ex, name="Đổi tên sau khi gửi"), follow=True)
    assert LOCKED in resp.content.decode()
    resp = office.post(f"/mo-hinh/{ex.pk}/xoa/", follow=True)
    assert LOCKED in resp.content.decode()
    resp = office.post(f"/ho-so/{sub.pk}/bo-mo-hinh/{ex.pk}/", {"version": sub.version}, follow=True)
    assert "không sửa được cho đến khi cấp trên trả lại" in resp.content.decode()

    # The API: a 409 with the code "locked" for edit and delete, the detach refused too.
    token = api("vp.skhcn")
    resp = token.patch(f"/api/exemplars/{ex.pk}", json.dumps({"version": ex.version, "name": "Qua API"}),
                       content_type="application/json")
    assert resp.status_code == 409 and resp.json()["code"] == "locked" and LOCKED in resp.json()["message"]
    resp = token.delete(f"/api/exemplars/{ex.pk}")
    assert resp.status_code == 409 and resp.json()["code"] == "locked"
    resp = token.post(f"/api/submissions/{sub.pk}/detach", json.dumps({"exemplar": ex.pk, "version": sub.version}),
                      content_type="application/json")
    assert resp.status_code == 400

    ex.refresh_from_db()
    assert ex.name == POWER and ex.deleted_at is None and sub.items.filter(exemplar=ex).exists()
    assert _word_text(office, sub) == signed

    # Returned first (the Board its consolidated dossier, then the Sở the unit's), the unit may change it,
    # and only then does the regenerated Word file differ.
    reopen(ex)
    ex.refresh_from_db()
    assert office.post(f"/mo-hinh/{ex.pk}/sua/", _form(ex, name="Tiết kiệm điện, nước trong cơ quan")).status_code == 302
    assert "Tiết kiệm điện, nước trong cơ quan" in _word_text(office, sub) != signed


def test_a_model_consolidated_upward_is_locked_too(login, seed_exemplars):
    """The Sở's consolidated dossier holds the unit's models (via): sent upward, they stay."""
    ex = seed_exemplars[POWER]
    skhcn = Submission.objects.get(unit__code="SKHCN-QNG", round__year=2021)
    assert skhcn.items.filter(exemplar=ex, via__isnull=False).exists() and skhcn.is_sent
    # Returning only the unit's own dossier is refused while the consolidated one is up with the Board.
    board, office = login("bdv.quangngai"), login("vp.skhcn")
    resp = office.post(f"/ho-so/{_vp_2021().pk}/tra-lai/", {"comment": "Sửa tên"}, follow=True)
    assert "Đơn vị đã gửi hồ sơ tổng hợp lên cấp trên" in resp.content.decode()
    assert LOCKED in office.get(f"/mo-hinh/{ex.pk}/").content.decode()
    assert board.post(f"/ho-so/{skhcn.pk}/tra-lai/", {"comment": "Bổ sung"}).status_code == 302
    # Still in the unit's accepted dossier.
    assert LOCKED in office.get(f"/mo-hinh/{ex.pk}/").content.decode()


def test_cli_import_into_a_sent_dossier_saves_nothing(demo, tmp_path, capsys):
    path = tmp_path / "bieu.docx"
    path.write_bytes(build_seed001_docx())
    before = Exemplar.objects.count()
    with pytest.raises(CommandError):
        call_command("import-forms", str(path), "--unit", "VP-SKHCN-QNG", "--round", str(_vp_2021().round_id),
                     "--as", "vp.skhcn", "--json")
    assert "Đã tiếp nhận" in capsys.readouterr().out
    assert Exemplar.objects.count() == before
