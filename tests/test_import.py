"""Import: templates, preview before confirmation, all or nothing, duplicates, scope, audit batch,
and the bad files offices really send (GBK, missing and extra columns, empty, too large, formulas,
dates in several formats)."""

import io
import json
import os
import re

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from app import bulk, row_insert
from app.audit import verify_chain
from app.extensions import db
from app.services import importer
from app.services.demo_data import make_id_number
from models import AuditEvent, Person, PlatformUser, ServiceItem
from tests.conftest import login
from tests.helpers import count, one

HEADER = "姓名,公民身份号码,部门/单位,类别,手机号码,入职日期"


def person_csv(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def new_id(serial: int) -> str:
    return make_id_number("110105", "19900101", f"{serial:02d}", "female")


def upload(client, name, content, filename="persons.csv", mode="skip"):
    return client.post(
        f"/import/{name}/preview",
        data={"file": (io.BytesIO(content), filename), "mode": mode},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def confirm(client, name, page: str, mode="skip"):
    import re

    token = re.search(r'name="token" value="([0-9a-f]{32})"', page).group(1)
    kind = re.search(r'name="kind" value="(\w+)"', page).group(1)
    return client.post(
        f"/import/{name}/confirm", data={"token": token, "kind": kind, "mode": mode}, follow_redirects=True
    )


def test_templates_are_bilingual(client, session):
    login(client, "staff")
    sheet = load_workbook(io.BytesIO(client.get("/import/persons/template.xlsx").get_data())).active
    header = [c.value for c in next(sheet.iter_rows())]
    assert header[0] == "姓名 / Full name *" and "公民身份号码 / ID number *" in header
    text = client.get("/import/service_items/template.csv").get_data().decode("utf-8-sig")
    assert text.startswith("事项编码 / Item code *")


def test_preview_writes_nothing_and_confirm_writes_all_valid_rows(client, session):
    login(client, "staff")
    content = person_csv(
        f"甲一,{new_id(1)},龙泉街道便民服务中心,社区工作者,13900000001,2020-09-01",
        f"甲二,{new_id(2)},龙泉街道便民服务中心,community_worker,,2020/09/02",
        "甲三,110105199001010001,龙泉街道便民服务中心,社区工作者,139,20200903",
        f"甲四,{new_id(4)},锦江区民政局,社区工作者,,",
    )
    before_people, before_events = count(Person), count(AuditEvent)
    page = upload(client, "persons", content).get_data(as_text=True)
    assert count(Person) == before_people and count(AuditEvent) == before_events  # nothing written yet
    assert "4" in page and "import-errors" in page
    assert "公民身份号码的校验码" in page or "公民身份号码" in page  # row 4's ID error, in Chinese
    assert "手机号码" in page  # row 4's mobile error
    assert "超出您的数据范围" in page or "数据范围" in page  # row 5: Jinjiang is outside the scope
    result = confirm(client, "persons", page).get_data(as_text=True)
    assert "2" in result
    assert count(Person) == before_people + 2
    assert one(Person, name="甲二").hired_on.isoformat() == "2020-09-02"
    batch = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "import")).all()[-1]
    rows = db.session.scalars(select(AuditEvent).where(AuditEvent.batch_id == batch.batch_id)).all()
    assert sorted(e.action for e in rows) == ["create", "create", "import"]


def test_all_or_nothing(client, session, monkeypatch):
    """The write fails in its second chunk, after the first chunk was inserted: nothing stays."""
    monkeypatch.setattr(importer, "CHUNK_ROWS", 2)
    login(client, "staff")
    content = person_csv(*[f"乙{i},{new_id(10 + i)},龙泉街道便民服务中心,志愿者,," for i in range(5)])
    page = upload(client, "persons", content).get_data(as_text=True)
    before, events_before = count(Person), count(AuditEvent)
    original = bulk.insert_prepared
    calls = []

    def fail_in_second_chunk(session_, items):
        calls.append(len(items))
        if len(calls) == 2:
            raise OperationalError("INSERT", {}, Exception("disk I/O error"))
        original(session_, items)

    monkeypatch.setattr(bulk, "insert_prepared", fail_in_second_chunk)
    result = confirm(client, "persons", page).get_data(as_text=True)
    assert calls == [2, 2]
    assert "数据库拒绝了写入，因此没有导入任何数据" in result
    assert count(Person) == before
    assert count(AuditEvent) == events_before


def test_confirm_writes_chunk_by_chunk_in_one_batch(client, session, monkeypatch):
    monkeypatch.setattr(importer, "CHUNK_ROWS", 2)
    login(client, "staff")
    content = person_csv(*[f"戊{i},{new_id(50 + i)},龙泉街道便民服务中心,志愿者,,2021/3/{i + 1}" for i in range(5)])
    confirm(client, "persons", upload(client, "persons", content).get_data(as_text=True))
    summary = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "import")).all()[-1]
    assert json.loads(summary.changes)["created"] == 5
    creates = db.session.scalars(
        select(AuditEvent).where(AuditEvent.batch_id == summary.batch_id, AuditEvent.action == "create")
    ).all()
    people = {p.id: p for p in db.session.scalars(select(Person).where(Person.name.like("戊%")))}
    assert sorted(int(e.entity_id) for e in creates) == sorted(people)
    person = one(Person, name="戊4")
    assert (person.version, person.name_pinyin, person.hired_on.isoformat()) == (1, "wu4 w4", "2021-03-05")
    assert person.created_by_id == one(PlatformUser, username="staff").id and person.status == "on_duty"


def test_rows_split_over_several_insert_statements_are_all_stored_and_searchable(client, session, monkeypatch):
    """On SQLite a chunk is written as multi-row INSERTs of a few hundred rows each: every row of
    every statement is stored with its own id, audited, and found by the name search."""
    monkeypatch.setattr(row_insert, "SQLITE_ROWS_PER_STATEMENT", 2)
    login(client, "staff")
    content = person_csv(*[f"辛{i},{new_id(70 + i)},龙泉街道便民服务中心,志愿者,," for i in range(5)])
    confirm(client, "persons", upload(client, "persons", content).get_data(as_text=True))
    people = db.session.scalars(select(Person).where(Person.name.like("辛%")).order_by(Person.id)).all()
    assert [p.name for p in people] == [f"辛{i}" for i in range(5)]
    assert [p.id_number for p in people] == [new_id(70 + i) for i in range(5)]
    created = db.session.scalars(
        select(AuditEvent.entity_id).where(AuditEvent.entity_type == "Person", AuditEvent.action == "create")
    ).all()
    assert {str(p.id) for p in people} <= set(created)
    assert verify_chain(db.session.connection())[0]
    page = client.get("/personview/list/?_flt_0_name=xin4").get_data(as_text=True)
    assert "辛4" in page and "辛3" not in page


def test_a_bulk_inserted_record_is_audited_like_a_saved_one(client, session):
    """The same event content whether a person is saved through a flush or inserted by an import."""
    login(client, "staff")
    content = person_csv(f"己一,{new_id(60)},龙泉街道便民服务中心,志愿者,13900000060,2020-09-01")
    confirm(client, "persons", upload(client, "persons", content).get_data(as_text=True))
    imported = one(Person, name="己一")
    saved = Person(
        name="己二",
        id_number=new_id(61),
        department_id=imported.department_id,
        category="volunteer",
        mobile="13900000061",
        hired_on=imported.hired_on,
    )
    db.session.add(saved)
    db.session.flush()

    def created(person):
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.entity_type == "Person", AuditEvent.entity_id == str(person.id))
        ).one()
        return set(json.loads(event.changes))

    assert created(imported) == created(saved)


def test_a_bulk_inserted_row_is_stored_like_a_saved_one(client, session):
    """The bulk path writes each column as the ORM would (dates, times and flags in the database's
    own representation), and its events keep the audit chain valid."""
    login(client, "staff")
    content = person_csv(f"庚一,{new_id(63)},龙泉街道便民服务中心,志愿者,13900000063,2020-09-01")
    confirm(client, "persons", upload(client, "persons", content).get_data(as_text=True))
    imported = one(Person, name="庚一")
    saved = Person(name="庚二", id_number=new_id(64), department_id=imported.department_id, category="volunteer")
    saved.hired_on = imported.hired_on
    db.session.add(saved)
    db.session.flush()
    columns = [column.name for column in Person.__table__.columns]

    def stored(person_id) -> dict:
        query = text(f"SELECT {', '.join(columns)} FROM person WHERE id = :id")  # noqa: S608 - its own columns
        return dict(db.session.execute(query, {"id": person_id}).one()._mapping)

    imported_row, saved_row = stored(imported.id), stored(saved.id)
    both_set = [name for name in columns if imported_row[name] is not None and saved_row[name] is not None]
    assert {"created_at", "updated_at", "hired_on", "version"} <= set(both_set)
    for name in both_set:
        assert type(imported_row[name]) is type(saved_row[name]), name
        if isinstance(saved_row[name], str) and name.endswith(("_at", "_on")):
            assert len(imported_row[name]) == len(saved_row[name]), name
    assert verify_chain(db.session.connection())[0]


def test_bulk_insert_refuses_a_record_that_skipped_the_rules(app, session):
    person = Person(name="未检查", id_number=new_id(62), department_id=1, category="volunteer")
    with pytest.raises(bulk.NotPrepared):
        bulk.insert_prepared(db.session, [person])
    invalid = Person(name="无效", id_number="123", department_id=1, category="volunteer")
    assert "id_number" in bulk.prepare(db.session, invalid)
    with pytest.raises(bulk.NotPrepared):
        bulk.insert_prepared(db.session, [invalid])


@pytest.mark.parametrize(("mode", "expected_position"), [("skip", "窗口负责人"), ("update", "新的职务")])
def test_duplicates_are_updated_or_skipped(client, session, mode, expected_position):
    existing = one(Person, name="王伟")
    login(client, "staff")
    content = person_csv(
        f"王伟,{existing.id_number},龙泉驿区政务服务中心,事业编制,,",
        header=HEADER.replace("入职日期", "职务").replace("手机号码,", ""),
    ).replace(b",,", b",\xe6\x96\xb0\xe7\x9a\x84\xe8\x81\x8c\xe5\x8a\xa1")
    page = upload(client, "persons", content, mode=mode).get_data(as_text=True)
    confirm(client, "persons", page, mode=mode)
    db.session.expire_all()
    assert one(Person, name="王伟").position == expected_position
    assert count(Person) == db.session.query(Person).count()


def test_a_gbk_csv_round_trip(client, session):
    login(client, "staff")
    content = ("\n".join([HEADER, f"龚红梅,{new_id(30)},龙泉街道便民服务中心,社区工作者,,2021年3月1日"]) + "\n").encode(
        "gbk"
    )
    page = upload(client, "persons", content).get_data(as_text=True)
    assert "龚红梅" in page
    confirm(client, "persons", page)
    person = one(Person, name="龚红梅")
    assert person.hired_on.isoformat() == "2021-03-01"
    exported = client.get("/personview/export/csv?_flt_0_name=ghm").get_data().decode("utf-8-sig")
    assert "龚红梅" in exported


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"", "persons.csv", "文件为空"),
        ("姓名,部门/单位\n张三,龙泉街道便民服务中心\n".encode(), "persons.csv", "缺少必填列"),
        (b"name,id\n", "persons.pdf", "CSV 或 XLSX"),
        (b"not a workbook", "persons.xlsx", "XLSX"),
    ],
)
def test_bad_files_get_a_clear_message(client, session, content, filename, message):
    login(client, "staff")
    before = count(Person)
    response = upload(client, "persons", content, filename=filename)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count(Person) == before


def test_extra_columns_are_reported_and_ignored(client, session):
    login(client, "staff")
    content = person_csv(f"丙,{new_id(40)},龙泉街道便民服务中心,志愿者,,,备注", header=HEADER + ",备注说明")
    page = upload(client, "persons", content).get_data(as_text=True)
    assert "备注说明" in page and "未识别" in page


def test_a_file_over_the_limit_is_refused(app, client, session, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_MAX_BYTES", 1024 * 1024)
    login(client, "staff")
    content = person_csv(*[f"丁{i},{new_id(1)},龙泉街道便民服务中心,志愿者,," for i in range(40000)])
    assert len(content) > 1024 * 1024
    page = upload(client, "persons", content).get_data(as_text=True)
    assert "文件超过 1 MB" in page


def test_a_real_50_mb_file_is_refused_and_nothing_is_kept(app, client, session):
    login(client, "staff")
    row = f"丁,{new_id(1)},龙泉街道便民服务中心,志愿者,,".encode()
    content = HEADER.encode() + b"\n" + (row + b"\n") * (50 * 1024 * 1024 // (len(row) + 1))
    assert len(content) >= 49 * 1024 * 1024
    before, kept = count(Person), set(os.listdir(importer.upload_dir()))
    page = upload(client, "persons", content).get_data(as_text=True)
    assert "文件超过 32 MB" in page
    assert count(Person) == before
    assert set(os.listdir(importer.upload_dir())) == kept


def test_formulas_in_xlsx_cells_are_refused(client, session):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["事项编码", "名称", "事项类型", "责任部门", "区级"])
    sheet.append(["510112-XK-100", '=HYPERLINK("http://x")', "行政许可", "龙泉驿区政务服务中心", "是"])
    sheet.append(["510112-XK-101", "临时占用道路许可", "行政许可", "龙泉驿区政务服务中心", "是"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    login(client, "staff")
    before = count(ServiceItem)
    page = upload(client, "service_items", buffer.getvalue(), filename="items.xlsx").get_data(as_text=True)
    assert "不接受公式" in page
    confirm(client, "service_items", page)
    assert count(ServiceItem) == before + 1
    assert one(ServiceItem, item_code="510112-XK-101").level_district is True


def test_model_rules_are_checked_in_the_preview(client, session):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["事项编码", "名称", "事项类型", "责任部门", "区级", "法定时限（工作日）", "承诺时限（工作日）"])
    sheet.append(["510112-XK-200", "某许可", "行政许可", "龙泉驿区政务服务中心", "是", 5, 10])
    buffer = io.BytesIO()
    workbook.save(buffer)
    login(client, "staff")
    page = upload(client, "service_items", buffer.getvalue(), filename="items.xlsx").get_data(as_text=True)
    assert "承诺时限不能长于法定时限" in page


def test_deptstaff_only_imports_into_writable_registers(client, session):
    login(client, "supervisor")
    assert client.get("/import/").status_code == 403


def test_uploads_are_removed_once_imported_or_left_for_a_day(client, session):
    login(client, "staff")
    directory = importer.upload_dir()
    stale = os.path.join(directory, "0" * 32 + ".csv")
    with open(stale, "wb") as handle:
        handle.write(b"x")
    old = os.path.getmtime(stale) - importer.UPLOAD_KEPT_SECONDS - 60
    os.utime(stale, (old, old))
    page = upload(client, "persons", person_csv(f"庚一,{new_id(80)},龙泉街道便民服务中心,志愿者,,")).get_data(
        as_text=True
    )
    assert not os.path.exists(stale)
    token = re.search(r'name="token" value="([0-9a-f]{32})"', page).group(1)
    assert os.path.exists(os.path.join(directory, f"{token}.csv"))
    confirm(client, "persons", page)
    assert not os.path.exists(os.path.join(directory, f"{token}.csv"))


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig", "gb18030"])
def test_a_tab_separated_unicode_text_export_is_read(client, session, encoding):
    """Excel's "Unicode text" is UTF-16 with a BOM and tabs between the cells."""
    login(client, "staff")
    rows = [HEADER.replace(",", "\t"), f"龚红梅\t{new_id(31)}\t龙泉街道便民服务中心\t社区工作者\t\t2021年3月1日"]
    page = upload(client, "persons", ("\r\n".join(rows) + "\r\n").encode(encoding)).get_data(as_text=True)
    assert "龚红梅" in page and "缺少必填列" not in page
    confirm(client, "persons", page)
    assert one(Person, name="龚红梅").hired_on.isoformat() == "2021-03-01"
