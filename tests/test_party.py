"""Party-building oversight: rights on every path, coverage figures, overdue and term expiry at a
frozen date, attachment safety, and the new pages in both languages."""

import io
from datetime import date, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from app.extensions import db
from app.services import party as figures
from models import OversightAttachment, OversightRecord, PartyOrganization, Rectification, SocialOrganization
from tests.conftest import api_token, login
from tests.helpers import count, one, snapshot

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def organization(name: str) -> SocialOrganization:
    return one(SocialOrganization, name=name)


def rectification(problem_start: str) -> Rectification:
    return db.session.scalars(select(Rectification).where(Rectification.problem.like(f"{problem_start}%"))).one()


# ----- rights --------------------------------------------------------------------------------------
def test_only_a_supervisor_records_inspections(client, session):
    target = organization("锦江区书院街文体协会")
    data = {"social_organization": target.id, "inspected_on": "2026-11-01", "kind": "routine", "rating": "good"}
    before = count(OversightRecord)
    login(client, "staff_jj")
    assert client.post("/oversightrecordview/add", data=data).status_code == 403
    headers = api_token(client, "staff_jj")
    assert client.post("/api/v1/oversight_record/", json=data, headers=headers).status_code == 403
    assert count(OversightRecord) == before
    client.post("/logout/")
    login(client, "supervisor")
    assert client.post("/oversightrecordview/add", data=data).status_code == 302
    assert count(OversightRecord) == before + 1


def test_the_responsible_side_records_progress(client, session):
    item = rectification("补开组织生活会")
    login(client, "staff_jj")
    data = {
        "status": "in_progress",
        "progress_note": "已定于下周召开",
        "evidence": "会议通知",
        "edit_version": item.version,
    }
    assert client.post(f"/rectificationview/edit/{item.id}", data=data).status_code == 302
    saved = snapshot(item)
    assert (saved["status"], saved["evidence"]) == ("in_progress", "会议通知")


def test_only_a_supervisor_verifies_on_every_path(client, session):
    item = rectification("建立党费收缴公示制度")
    assert item.status == "rectified"
    login(client, "staff_jj")
    client.post(f"/rectificationview/edit/{item.id}", data={"status": "verified", "edit_version": item.version})
    client.post("/rectificationview/action_post", data={"action": "verify", "rowid": [str(item.id)]})
    headers = api_token(client, "staff_jj")
    response = client.put(
        f"/api/v1/rectification/{item.id}", json={"status": "verified", "version": item.version}, headers=headers
    )
    assert response.status_code == 422
    assert snapshot(item)["status"] == "rectified"
    client.post("/logout/")
    login(client, "supervisor")
    assert (
        client.post("/rectificationview/action_post", data={"action": "verify", "rowid": [str(item.id)]}).status_code
        == 302
    )
    saved = snapshot(item)
    assert saved["status"] == "verified" and saved["verified_by_id"] is not None and saved["verified_at"] is not None


def test_a_supervisor_verifies_only_rectified_problems_and_changes_nothing_else(client, session):
    pending = rectification("补开组织生活会")
    headers = api_token(client, "supervisor")
    assert (
        client.put(
            f"/api/v1/rectification/{pending.id}",
            json={"status": "verified", "version": pending.version},
            headers=headers,
        ).status_code
        == 422
    )
    assert (
        client.put(
            f"/api/v1/rectification/{pending.id}", json={"evidence": "x", "version": pending.version}, headers=headers
        ).status_code
        == 422
    )
    assert snapshot(pending)["status"] == "pending" and snapshot(pending)["evidence"] is None


def test_other_districts_see_no_oversight(client, session):
    item = rectification("补开组织生活会")
    login(client, "staff")
    assert client.get(f"/rectificationview/show/{item.id}").status_code == 404
    assert client.get(f"/oversightrecordview/show/{item.record_id}").status_code == 404
    assert client.get(f"/partyoversight/timeline/{item.record.social_organization_id}").status_code == 404
    assert "补开组织生活会" not in client.get("/partyoversight/overdue").get_data(as_text=True)


# ----- coverage -------------------------------------------------------------------------------------
def test_coverage_figures_match_a_hand_count(app, client, session):
    """Demo data: 6 social organizations; 春熙 (standalone), 和平 and 慈善 (joint) are covered. A party
    organization that is 'not formed' does not count."""
    db.session.add(
        PartyOrganization(
            name="书院街文体协会党小组（筹）",
            org_type="branch",
            formation_mode="not_formed",
            social_organizations=[organization("锦江区书院街文体协会")],
        )
    )
    db.session.commit()
    login(client, "admin")
    with app.test_request_context():
        from flask import g

        from app.extensions import appbuilder

        g.user = appbuilder.sm.find_user(username="admin")
        overall = figures.coverage_overall()
        by_category = {row.key: (row.total, row.covered) for row in figures.coverage_by_category()}
        by_district = {row.key: (row.total, row.covered) for row in figures.coverage_by_district()}
    assert (overall.total, overall.covered, overall.share) == (6, 3, 50.0)
    assert by_category == {
        "public_welfare": (2, 1),
        "social_affairs": (1, 1),
        "culture_sports": (1, 0),
        "charity_relief": (1, 1),
        "rights_protection": (1, 0),
    }
    assert by_district == {"510104": (5, 3), "510112": (1, 0)}
    page = client.get("/partyoversight/coverage").get_data(as_text=True)
    assert 'id="coverage-overall">50.0%' in page
    client.post("/logout/")
    login(client, "staff_jj")  # Jinjiang's scope: 5 organizations, 3 covered
    assert 'id="coverage-overall">60.0%' in client.get("/partyoversight/coverage").get_data(as_text=True)


# ----- overdue and term expiry ------------------------------------------------------------------------
def test_overdue_and_term_expiry_at_a_frozen_date(client, session):
    late = rectification("补开组织生活会")
    soon = rectification("丰富党员教育形式")
    joint = one(PartyOrganization, name="锦江区社会组织联合党支部")
    standalone = one(PartyOrganization, name="锦江区春熙社区志愿服务协会党支部")
    # signed in at each frozen date: a session idle for longer than 30 minutes ends
    with freeze_time(soon.deadline + timedelta(days=1)):
        login(client, "supervisor")
        page = client.get("/partyoversight/overdue").get_data(as_text=True)
        assert late.problem in page and soon.problem in page
        assert "建立党费收缴公示制度" not in page  # rectified: not overdue
        coverage = client.get("/partyoversight/coverage").get_data(as_text=True)
        assert 'id="overdue-count">2<' in coverage
        assert joint.name in coverage and standalone.name not in coverage.split("换届已到期的党组织")[-1]
    with freeze_time(late.deadline - timedelta(days=1)):
        login(client, "supervisor")
        response = client.get("/partyoversight/overdue")
        assert response.status_code == 200 and late.problem not in response.get_data(as_text=True)
    with freeze_time(standalone.term_ends_on + timedelta(days=1)):
        login(client, "supervisor")
        assert standalone.term_expired(date.today())
        assert standalone.name in client.get("/partyoversight/coverage").get_data(as_text=True)


# ----- attachments ------------------------------------------------------------------------------------
def upload(client, record_id, name, content):
    return client.post(
        f"/oversightrecordview/attach/{record_id}",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", b"not really a pdf", "只能上传 PDF、PNG 或 JPEG 文件"),
        ("notes.txt", PDF, "只能上传 PDF、PNG 或 JPEG 文件"),
        ("../../etc/passwd.pdf", PDF, "文件名不能包含路径"),
        ("..\\evil.pdf", PDF, "文件名不能包含路径"),
        ("empty.pdf", b"", "文件为空"),
    ],
)
def test_bad_attachments_are_refused(client, session, name, content, message):
    record = db.session.scalars(select(OversightRecord)).first()
    login(client, "supervisor")
    before = count(OversightAttachment)
    page = upload(client, record.id, name, content).get_data(as_text=True)
    assert message in page
    assert count(OversightAttachment) == before


def test_an_oversize_attachment_is_refused(app, client, session, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", 1024)
    record = db.session.scalars(select(OversightRecord)).first()
    login(client, "supervisor")
    page = upload(client, record.id, "big.pdf", PDF + b"0" * 2048).get_data(as_text=True)
    assert "文件超过" in page
    assert count(OversightAttachment) == 0


def jinjiang_record_storing_in(app, folder, monkeypatch):
    """A Jinjiang inspection (the responsible side is staff_jj), its attachments kept in ``folder``."""
    monkeypatch.setitem(app.config, "ATTACHMENT_DIR", str(folder))
    return db.session.scalars(
        select(OversightRecord).join(SocialOrganization).where(SocialOrganization.name.like("锦江区%"))
    ).first()


def test_attachments_are_stored_outside_the_web_root_and_served_in_scope_only(
    app, client, session, tmp_path, monkeypatch
):
    record = jinjiang_record_storing_in(app, tmp_path, monkeypatch)
    login(client, "supervisor")
    assert "附件已上传" in upload(client, record.id, "检查记录.pdf", PDF).get_data(as_text=True)
    attachment = db.session.scalars(select(OversightAttachment)).one()
    assert (tmp_path / attachment.stored_name).read_bytes() == PDF
    assert client.get(f"/static/{attachment.stored_name}").status_code == 404
    client.post("/logout/")
    login(client, "staff_jj")  # the responsible side may read it
    download = client.get(f"/oversightrecordview/attachment/{attachment.id}")
    assert download.status_code == 200 and download.get_data() == PDF
    assert "attachment" in download.headers["Content-Disposition"]
    client.post("/logout/")
    login(client, "staff")  # another district may not
    assert client.get(f"/oversightrecordview/attachment/{attachment.id}").status_code == 404
    assert client.post(f"/oversightrecordview/attach/{record.id}", data={}).status_code == 403


def test_a_wrong_attachment_is_removed_to_the_bin_restored_or_purged_with_its_file(
    app, client, session, tmp_path, monkeypatch
):
    from models import AuditEvent

    record = jinjiang_record_storing_in(app, tmp_path, monkeypatch)
    login(client, "supervisor")
    upload(client, record.id, "错传的文件.pdf", PDF)
    attachment = db.session.scalars(select(OversightAttachment)).one()
    stored = tmp_path / attachment.stored_name
    client.post("/logout/")
    login(client, "staff_jj")  # the responsible side reads attachments but removes none
    assert client.post(f"/oversightrecordview/detach/{attachment.id}").status_code == 403
    client.post("/logout/")
    login(client, "supervisor")
    page = client.get(f"/oversightrecordview/show/{record.id}").get_data(as_text=True)
    assert f"/oversightrecordview/detach/{attachment.id}" in page
    page = client.post(f"/oversightrecordview/detach/{attachment.id}", follow_redirects=True).get_data(as_text=True)
    assert "错传的文件.pdf 已移除，可在回收站恢复。" in page
    assert f"/oversightrecordview/attachment/{attachment.id}" not in page
    assert snapshot(attachment)["deleted_at"] is not None and stored.exists()  # nothing lost yet
    assert client.get(f"/oversightrecordview/attachment/{attachment.id}").status_code == 404
    client.post("/logout/")
    login(client, "admin")
    bin_page = client.get("/recyclebin/").get_data(as_text=True)
    assert '<h4 id="bin-OversightAttachment">' in bin_page and "错传的文件.pdf — " in bin_page
    assert client.post(f"/recyclebin/restore/OversightAttachment/{attachment.id}").status_code == 302
    assert snapshot(attachment)["deleted_at"] is None
    assert client.get(f"/oversightrecordview/attachment/{attachment.id}").get_data() == PDF
    assert client.post(f"/oversightrecordview/detach/{attachment.id}").status_code == 302
    purge = client.post(f"/recyclebin/purge/OversightAttachment/{attachment.id}", data={"confirm": str(attachment.id)})
    assert purge.status_code == 302
    db.session.expire_all()
    assert db.session.get(OversightAttachment, attachment.id) is None and not stored.exists()
    actions = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.entity_type == "OversightAttachment", AuditEvent.entity_id == str(attachment.id))
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["create", "delete", "restore", "delete", "purge"]


# ----- both languages ------------------------------------------------------------------------------------
@pytest.mark.parametrize("language", ["zh", "en"])
def test_timeline_and_dashboard_in_both_languages(client, session, language):
    target = organization("锦江区和平社区居家养老服务中心")
    login(client, "supervisor")
    client.get(f"/lang/{language}")
    timeline = client.get(f"/partyoversight/timeline/{target.id}").get_data(as_text=True)
    coverage = client.get("/partyoversight/coverage").get_data(as_text=True)
    if language == "zh":
        assert "联合组建" in timeline and "专项检查" in timeline and "逾期" in timeline
        assert "Formed jointly" not in timeline and "Special inspection" not in timeline
        assert "按类别" in coverage and "By category" not in coverage
    else:
        assert "Formed jointly" in timeline and "Special inspection" in timeline and "Overdue" in timeline
        assert "联合组建" not in timeline and "按类别" not in coverage
        assert "Heping Home-based Elderly Care Center" in timeline


def test_related_records_are_shown_by_name(client, session):
    record = db.session.scalars(select(OversightRecord)).first()
    login(client, "supervisor")
    page = client.get(f"/oversightrecordview/show/{record.id}").get_data(as_text=True)
    assert "周敏、郑强" in page and "object at 0x" not in page
