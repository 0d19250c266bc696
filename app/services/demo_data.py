"""Bilingual demo data from the seed report's three districts (idempotent).

Longquanyi (龙泉驿区) runs the one-door district service center; Jinjiang
(锦江区) grows social organizations; Pi County (郫县, now 郫都区) reformed its
public institutions. Records are matched on natural keys (region code,
department name, ID number, facility name, username), so running the loader
twice adds nothing.
"""

from datetime import date, datetime, timedelta

from sqlalchemy import select
from stdnum.cn import ric

from app.extensions import appbuilder, db
from models import Booking, Department, Facility, Person, Region

DEMO_PASSWORD = "demo-Pass-2026"  # noqa: S105 - documented demo login, created only by seed-demo

REGIONS = [
    # code, name, name_en, level, parent code
    ("510112", "龙泉驿区", "Longquanyi District", "district", None),
    ("510112001", "龙泉街道", "Longquan Subdistrict", "township", "510112"),
    ("510112001001", "驿都社区", "Yidu Community", "village", "510112001"),
    ("510112001002", "北泉社区", "Beiquan Community", "village", "510112001"),
    ("510112002", "大面街道", "Damian Subdistrict", "township", "510112"),
    ("510112002001", "洪河社区", "Honghe Community", "village", "510112002"),
    ("510104", "锦江区", "Jinjiang District", "district", None),
    ("510104001", "春熙路街道", "Chunxilu Subdistrict", "township", "510104"),
    ("510104001001", "和平社区", "Heping Community", "village", "510104001"),
    ("510104002", "书院街街道", "Shuyuanjie Subdistrict", "township", "510104"),
    ("510104002001", "东糠市街社区", "Dongkangshijie Community", "village", "510104002"),
    ("510117", "郫都区", "Pidu District (formerly Pi County)", "district", None),
    ("510117001", "郫筒街道", "Pitong Subdistrict", "township", "510117"),
    ("510117001001", "太和社区", "Taihe Community", "village", "510117001"),
    ("510117002", "团结镇", "Tuanjie Town", "township", "510117"),
    ("510117002001", "石羊村", "Shiyang Village", "village", "510117002"),
]

DEPARTMENTS = [
    # name, name_en, kind, region code, parent name, reform status, head, phone, credit code
    (
        "龙泉驿区人民政府办公室",
        "Longquanyi District Government Office",
        "government",
        "510112",
        None,
        None,
        "李明",
        "028-84855001",
        None,
    ),
    (
        "龙泉驿区政务服务中心",
        "Longquanyi Government Service Center",
        "government",
        "510112",
        "龙泉驿区人民政府办公室",
        None,
        "张华",
        "028-84855100",
        None,
    ),
    (
        "龙泉驿区市民呼叫中心",
        "Longquanyi Citizen Call Center",
        "institution",
        "510112",
        "龙泉驿区政务服务中心",
        "retained",
        "刘洋",
        "028-84855110",
        None,
    ),
    (
        "水电气银行进驻机构（龙泉驿）",
        "Stationed water, power, gas and bank counters (Longquanyi)",
        "stationed",
        "510112",
        "龙泉驿区政务服务中心",
        None,
        "陈静",
        "028-84855120",
        None,
    ),
    (
        "龙泉街道便民服务中心",
        "Longquan Subdistrict Convenience Service Center",
        "government",
        "510112001",
        "龙泉驿区政务服务中心",
        None,
        "王芳",
        "028-84855200",
        None,
    ),
    (
        "驿都社区居民委员会",
        "Yidu Community Residents' Committee",
        "village_org",
        "510112001001",
        "龙泉街道便民服务中心",
        None,
        "赵磊",
        "028-84855210",
        None,
    ),
    (
        "锦江区民政局",
        "Jinjiang District Civil Affairs Bureau",
        "government",
        "510104",
        None,
        None,
        "周敏",
        "028-86658001",
        None,
    ),
    (
        "锦江区社会组织孵化基地",
        "Jinjiang Social Organization Incubator Base",
        "institution",
        "510104",
        "锦江区民政局",
        "retained",
        "吴婷",
        "028-86658020",
        None,
    ),
    (
        "春熙路街道社区服务中心",
        "Chunxilu Subdistrict Community Service Center",
        "government",
        "510104001",
        "锦江区民政局",
        None,
        "郑强",
        "028-86658100",
        None,
    ),
    (
        "郫都区公共服务管理办公室",
        "Pidu Public Service Management Office",
        "government",
        "510117",
        None,
        None,
        "孙伟",
        "028-87922001",
        None,
    ),
    (
        "郫都区农业服务中心",
        "Pidu Agricultural Service Center",
        "institution",
        "510117",
        "郫都区公共服务管理办公室",
        "supervisor",
        "钱勇",
        "028-87922010",
        None,
    ),
    (
        "郫都区农机站",
        "Pidu Agricultural Machinery Station",
        "institution",
        "510117",
        "郫都区公共服务管理办公室",
        "converted",
        "冯军",
        "028-87922020",
        None,
    ),
    (
        "郫都区蚕桑站",
        "Pidu Sericulture Station",
        "institution",
        "510117",
        "郫都区公共服务管理办公室",
        "abolished",
        "褚红",
        "028-87922030",
        None,
    ),
]

PERSONS = [
    # name, gender, birth place code, birth date, serial, dept, position, category, political, education, status,
    # social-work qualification
    (
        "张华",
        "male",
        "510112",
        "19780312",
        "03",
        "龙泉驿区政务服务中心",
        "主任",
        "civil_servant",
        "cpc_member",
        "master",
        "on_duty",
        None,
    ),
    (
        "王伟",
        "male",
        "510112",
        "19850607",
        "15",
        "龙泉驿区政务服务中心",
        "窗口负责人",
        "institution_staff",
        "cpc_member",
        "bachelor",
        "on_duty",
        None,
    ),
    (
        "李娜",
        "female",
        "510112",
        "19900915",
        "22",
        "龙泉驿区市民呼叫中心",
        "话务员",
        "contract",
        "cyl_member",
        "college",
        "on_duty",
        None,
    ),
    (
        "刘洋",
        "male",
        "510112",
        "19820120",
        "31",
        "龙泉驿区市民呼叫中心",
        "负责人",
        "institution_staff",
        "cpc_member",
        "bachelor",
        "on_duty",
        None,
    ),
    (
        "陈静",
        "female",
        "510112",
        "19880403",
        "48",
        "水电气银行进驻机构（龙泉驿）",
        "协调员",
        "contract",
        "masses",
        "college",
        "on_duty",
        None,
    ),
    (
        "王芳",
        "female",
        "510112",
        "19870711",
        "56",
        "龙泉街道便民服务中心",
        "主任",
        "civil_servant",
        "cpc_member",
        "bachelor",
        "on_duty",
        None,
    ),
    (
        "赵磊",
        "male",
        "510112",
        "19920218",
        "67",
        "驿都社区居民委员会",
        "社区工作者",
        "community_worker",
        "probationary",
        "college",
        "on_duty",
        "assistant",
    ),
    (
        "周敏",
        "female",
        "510104",
        "19760829",
        "74",
        "锦江区民政局",
        "局长",
        "civil_servant",
        "cpc_member",
        "master",
        "on_duty",
        None,
    ),
    (
        "吴婷",
        "female",
        "510104",
        "19890505",
        "82",
        "锦江区社会组织孵化基地",
        "项目主管",
        "social_worker",
        "cpc_member",
        "master",
        "on_duty",
        "intermediate",
    ),
    (
        "郑强",
        "male",
        "510104",
        "19830117",
        "93",
        "春熙路街道社区服务中心",
        "社工督导",
        "social_worker",
        "masses",
        "bachelor",
        "on_duty",
        "senior",
    ),
    (
        "孙伟",
        "male",
        "510117",
        "19790630",
        "05",
        "郫都区公共服务管理办公室",
        "主任",
        "civil_servant",
        "cpc_member",
        "bachelor",
        "on_duty",
        None,
    ),
    (
        "钱勇",
        "male",
        "510117",
        "19810923",
        "13",
        "郫都区农业服务中心",
        "站长",
        "institution_staff",
        "cpc_member",
        "college",
        "on_duty",
        None,
    ),
    (
        "冯军",
        "male",
        "510117",
        "19860304",
        "27",
        "郫都区农机站",
        "技术员",
        "contract",
        "masses",
        "senior_high",
        "away",
        None,
    ),
    (
        "杨丽",
        "female",
        "510117",
        "19950812",
        "36",
        "郫都区公共服务管理办公室",
        "志愿者",
        "volunteer",
        "cyl_member",
        "bachelor",
        "on_duty",
        None,
    ),
]

FACILITIES = [
    # name, name_en, kind, region code, managing department, address, area, windows, capacity, hours
    (
        "龙泉驿区政务服务中心（市民服务中心）",
        "Longquanyi Government Service Center (Citizen Service Center)",
        "gov_service_center",
        "510112",
        "龙泉驿区政务服务中心",
        "龙泉驿区龙泉街道驿都大道",
        12000,
        120,
        2000,
        "周一至周五 9:00-17:00；周六 9:00-12:00",
    ),
    (
        "市民呼叫中心",
        "Citizen Call Center",
        "call_center",
        "510112",
        "龙泉驿区市民呼叫中心",
        "区政务服务中心三楼",
        600,
        30,
        60,
        "7×24",
    ),
    (
        "市民讲坛",
        "Citizen Forum",
        "citizen_forum",
        "510112",
        "龙泉驿区政务服务中心",
        "区政务服务中心一楼报告厅",
        450,
        0,
        300,
        "按预约开放",
    ),
    (
        "社会组织活动区",
        "Social Organization Activity Area",
        "activity_room",
        "510112",
        "龙泉驿区政务服务中心",
        "区政务服务中心二楼",
        800,
        0,
        150,
        "周一至周六 9:00-21:00",
    ),
    (
        "龙泉街道便民服务中心",
        "Longquan Subdistrict Convenience Service Center",
        "convenience_center",
        "510112001",
        "龙泉街道便民服务中心",
        "龙泉街道北泉路",
        900,
        12,
        200,
        "周一至周五 9:00-17:00",
    ),
    (
        "驿都社区服务站",
        "Yidu Community Service Station",
        "community_station",
        "510112001001",
        "驿都社区居民委员会",
        "驿都社区党群服务中心",
        300,
        4,
        80,
        "周一至周日 9:00-18:00",
    ),
    (
        "锦江区社会组织孵化基地",
        "Jinjiang Social Organization Incubator Base",
        "incubator",
        "510104",
        "锦江区社会组织孵化基地",
        "锦江区书院街街道",
        2000,
        2,
        300,
        "周一至周五 9:00-18:00",
    ),
    (
        "太和社区电子书屋",
        "Taihe Community E-library",
        "e_library",
        "510117001001",
        "郫都区公共服务管理办公室",
        "郫筒街道太和社区",
        120,
        0,
        40,
        "周二至周日 9:00-20:00",
    ),
    (
        "石羊村远程教育点",
        "Shiyang Village Distance-learning Site",
        "distance_learning",
        "510117002001",
        "郫都区公共服务管理办公室",
        "团结镇石羊村村委会",
        80,
        0,
        30,
        "每周三、周五 19:00-21:00",
    ),
]

USERS = [
    # username, first name, last name, role, department, email, own staff record
    ("admin", "系统", "管理员", "Admin", None, "admin@example.gov.cn", None),
    ("staff", "王", "伟", "DeptStaff", "龙泉驿区政务服务中心", "staff@example.gov.cn", "王伟"),
    ("staff_jj", "周", "敏", "DeptStaff", "锦江区民政局", "staff_jj@example.gov.cn", "周敏"),
    ("supervisor", "督查", "专员", "Supervisor", None, "supervisor@example.gov.cn", None),
]

MEETINGS = [
    {
        "title": "锦江区社会组织监督管理联席会议",
        "session_number": 3,
        "days_ago": 60,
        "venue": "锦江区社会组织孵化基地",
        "convening": "锦江区民政局",
        "chair": "周敏",
        "recorder": "吴婷",
        "participants": ["锦江区民政局", "锦江区社会组织孵化基地", "春熙路街道社区服务中心"],
        "organizations": ["锦江区春熙社区志愿服务协会", "锦江区和平社区居家养老服务中心"],
        "attendees": ["周敏", "吴婷", "郑强"],
        "absentees": [],
        "minutes": "会议听取了社会组织登记备案、孵化培育和日常监管情况汇报，研究了社区社会组织党建工作和评估工作，"
        "明确民政部门统筹监管、街道社区日常管理的分工。",
        "status": "published",
        "agenda": [
            ("通报社会组织登记备案双轨制实施情况", "锦江区民政局", "备案社会组织数量稳步增长，部分组织年检材料不齐。"),
            ("研究社会组织孵化基地入驻和出壳评估", "锦江区社会组织孵化基地", "同意对孵化满两年的组织开展出壳评估。"),
            ("部署社区社会组织党建工作", "春熙路街道社区服务中心", "社区党组织负责督促指导社会组织党建。"),
        ],
        "resolutions": [
            ("完成辖区社会组织年检材料补齐工作", "锦江区民政局", [], -30, "open", None),
            (
                "制定孵化基地出壳评估实施细则",
                "锦江区社会组织孵化基地",
                ["锦江区民政局"],
                20,
                "in_progress",
                "已形成评估细则征求意见稿。",
            ),
            ("建立社区社会组织党建联络员制度", "春熙路街道社区服务中心", ["锦江区民政局"], -10, "done", None),
        ],
    },
    {
        "title": "区政务服务中心进驻事项协调会",
        "session_number": 1,
        "days_ago": 5,
        "venue": "龙泉驿区政务服务中心（市民服务中心）",
        "convening": "龙泉驿区政务服务中心",
        "chair": "张华",
        "recorder": "王伟",
        "participants": ["龙泉驿区政务服务中心", "龙泉驿区市民呼叫中心", "水电气银行进驻机构（龙泉驿）"],
        "attendees": ["张华", "王伟", "刘洋", "陈静"],
        "absentees": ["李娜"],
        "minutes": "研究水、电、气、银行等机构进驻中心的窗口设置和“只进一道门办结全部事”的流程衔接。",
        "status": "draft",
        "agenda": [
            ("水电气银行窗口进驻方案", "水电气银行进驻机构（龙泉驿）", "同意设置综合受理窗口。"),
            ("市民呼叫中心工单转办流程", "龙泉驿区市民呼叫中心", ""),
        ],
        "resolutions": [
            (
                "完成进驻机构综合受理窗口设置",
                "水电气银行进驻机构（龙泉驿）",
                ["龙泉驿区政务服务中心"],
                25,
                "open",
                None,
            ),
        ],
    },
]


#: 金堂县 has had its code throughout; used for people born before their district's code existed
FALLBACK_BIRTHPLACE = "510121"


def make_id_number(birthplace: str, birthdate: str, serial: str, gender: str) -> str:
    """A valid GB 11643 number: the sequence digit's parity gives the gender.

    A county code is only valid for people born while it existed (锦江区 dates
    from 1990), so an older birth falls back to a code that existed then.
    """
    sequence = int(serial) * 10 + (1 if gender == "male" else 2)
    for place in (birthplace, FALLBACK_BIRTHPLACE):
        body = f"{place}{birthdate}{sequence:03d}"
        number = body + ric.calc_check_digit(body + "0")
        if ric.is_valid(number):
            return number
    raise ValueError(f"no valid ID number for {birthplace} {birthdate}")


def _one(model, **criteria):
    query = select(model).filter_by(**criteria)
    if hasattr(model, "deleted_at"):
        query = query.where(model.deleted_at.is_(None))
    return db.session.scalars(query.limit(1)).first()


def _upsert(model, key: dict, values: dict):
    item = _one(model, **key)
    created = item is None
    if created:
        item = model(**key)
        db.session.add(item)
    for name, value in values.items():
        setattr(item, name, value)
    return item, created


def load_regions() -> int:
    created = 0
    for code, name, name_en, level, parent_code in REGIONS:
        parent = _one(Region, code=parent_code) if parent_code else None
        _item, new = _upsert(
            Region, {"code": code}, {"name": name, "name_en": name_en, "level": level, "parent": parent}
        )
        db.session.flush()
        created += new
    return created


def load_departments() -> int:
    created = 0
    for name, name_en, kind, region_code, parent_name, reform, head, phone, code in DEPARTMENTS:
        values = {
            "name_en": name_en,
            "kind": kind,
            "region": _one(Region, code=region_code),
            "parent": _one(Department, name=parent_name) if parent_name else None,
            "reform_status": reform,
            "head": head,
            "phone": phone,
            "code": code,
            "active": reform not in ("abolished",),
        }
        _item, new = _upsert(Department, {"name": name}, values)
        db.session.flush()
        created += new
    return created


def load_persons() -> int:
    created = 0
    for name, gender, place, born, serial, dept, position, category, political, education, status, sw in PERSONS:
        id_number = make_id_number(place, born, serial, gender)
        values = {
            "name": name,
            "gender": gender,
            "mobile": f"139{int(serial) * 7919 % 100000000:08d}",
            "department": _one(Department, name=dept),
            "position": position,
            "category": category,
            "political_status": political,
            "education": education,
            "status": status,
            "social_work_qualification": sw,
            "hired_on": date(int(born[:4]) + 23, 9, 1),
        }
        _item, new = _upsert(Person, {"id_number": id_number}, values)
        created += new
    db.session.flush()
    return created


def load_facilities() -> int:
    created = 0
    for name, name_en, kind, region_code, dept, address, area, windows, capacity, hours in FACILITIES:
        values = {
            "name_en": name_en,
            "kind": kind,
            "region": _one(Region, code=region_code),
            "managing_department": _one(Department, name=dept),
            "address": address,
            "floor_area": area,
            "service_windows": windows,
            "capacity": capacity,
            "opening_hours": hours,
            "status": "running",
        }
        _item, new = _upsert(Facility, {"name": name}, values)
        created += new
    db.session.flush()
    return created


def load_bookings() -> int:
    """A few bookings in the coming week, by departments and by social organizations, keyed by
    facility and start time."""
    from models import SocialOrganization

    monday = datetime.combine(
        date.today() - timedelta(days=date.today().weekday()) + timedelta(days=7), datetime.min.time()
    )
    # facility, booked by (a department, or a social organization), day of the week, from, to, purpose
    plan = [
        ("市民讲坛", "龙泉驿区政务服务中心", 0, 9, 11, "市民讲坛：政务服务“只进一道门”主题宣讲"),
        ("社会组织活动区", "龙泉街道便民服务中心", 1, 14, 17, "社区社会组织培育交流会"),
        ("锦江区社会组织孵化基地", "锦江区民政局", 2, 9, 12, "社会组织评估培训"),
        ("锦江区社会组织孵化基地", "春熙路街道社区服务中心", 2, 14, 16, "联席会议筹备会"),
        ("锦江区社会组织孵化基地", "锦江区春熙社区志愿服务协会", 3, 9, 11, "志愿服务项目路演"),
        ("锦江区社会组织孵化基地", "锦江区和平社区居家养老服务中心", 4, 14, 17, "居家养老服务志愿者培训"),
    ]
    created = 0
    for facility_name, booker, day, start, end, purpose in plan:
        facility = _one(Facility, name=facility_name)
        starts_at = monday + timedelta(days=day, hours=start)
        department = _one(Department, name=booker)
        values = {
            "department": department,
            "social_organization": None if department else _one(SocialOrganization, name=booker),
            "ends_at": monday + timedelta(days=day, hours=end),
            "purpose": purpose,
        }
        _item, new = _upsert(Booking, {"facility": facility, "starts_at": starts_at}, values)
        created += new
    db.session.flush()
    return created


def load_meetings() -> int:
    """Two joint meetings: a published Jinjiang one with overdue resolutions, a Longquanyi draft."""
    from models import AgendaItem, JointMeeting, Resolution, ResolutionFollowUp, SocialOrganization

    created = 0
    for spec in MEETINGS:
        if _one(JointMeeting, title=spec["title"]) is not None:
            continue
        held = datetime.combine(date.today() - timedelta(days=spec["days_ago"]), datetime.min.time()) + timedelta(
            hours=9
        )
        meeting = JointMeeting(
            title=spec["title"],
            session_number=spec["session_number"],
            held_at=held,
            venue=_one(Facility, name=spec["venue"]),
            convening_department=_one(Department, name=spec["convening"]),
            chair=_one(Person, name=spec["chair"]),
            recorder=_one(Person, name=spec["recorder"]),
            participating_departments=[_one(Department, name=n) for n in spec["participants"]],
            participating_organizations=[_one(SocialOrganization, name=n) for n in spec.get("organizations", [])],
            attendees=[_one(Person, name=n) for n in spec["attendees"]],
            absentees=[_one(Person, name=n) for n in spec["absentees"]],
            minutes=spec["minutes"],
            status="draft",
        )
        for position, (title, dept, summary) in enumerate(spec["agenda"], start=1):
            meeting.agenda_items.append(
                AgendaItem(
                    position=position,
                    title=title,
                    presenting_department=_one(Department, name=dept),
                    summary=summary or None,
                )
            )
        for content, lead, helpers, due_in, status, note in spec["resolutions"]:
            resolution = Resolution(
                content=content,
                lead_department=_one(Department, name=lead),
                cooperating_departments=[_one(Department, name=n) for n in helpers],
                due_on=date.today() + timedelta(days=due_in),
                status=status,
            )
            if note:
                resolution.follow_ups.append(ResolutionFollowUp(noted_on=date.today() - timedelta(days=3), note=note))
            meeting.resolutions.append(resolution)
        db.session.add(meeting)
        db.session.flush()
        if spec["status"] != "draft":
            meeting._transition = True
            meeting.status = spec["status"]
            meeting.approved_at = held + timedelta(days=2)
            db.session.flush()
        created += 1
    return created


SOCIAL_ORGANIZATIONS = [
    # name, name_en, category, route, supervising unit, region code, incubation, grade, members, contact
    (
        "锦江区春熙社区志愿服务协会",
        "Chunxi Community Volunteer Association",
        "public_welfare",
        "registered",
        "春熙路街道社区服务中心",
        "510104001001",
        "graduated",
        "4A",
        86,
        "刘敏",
    ),
    (
        "锦江区和平社区居家养老服务中心",
        "Heping Home-based Elderly Care Center",
        "social_affairs",
        "registered",
        "春熙路街道社区服务中心",
        "510104001001",
        "incubating",
        "3A",
        24,
        "黄丽",
    ),
    (
        "锦江区书院街文体协会",
        "Shuyuanjie Culture and Sports Association",
        "culture_sports",
        "filed",
        "锦江区社会组织孵化基地",
        "510104002001",
        "incubating",
        "none",
        45,
        "何强",
    ),
    (
        "锦江区慈善救助服务社",
        "Jinjiang Charity and Relief Service",
        "charity_relief",
        "registered",
        "锦江区民政局",
        "510104",
        "never",
        "5A",
        30,
        "罗娟",
    ),
    (
        "锦江区社区调解与维权服务站",
        "Community Mediation and Rights Protection Station",
        "rights_protection",
        "filed",
        "春熙路街道社区服务中心",
        "510104001001",
        "never",
        "none",
        12,
        "高峰",
    ),
    (
        "龙泉驿区驿都社区邻里互助会",
        "Yidu Community Neighbourhood Mutual Aid Society",
        "public_welfare",
        "filed",
        "龙泉街道便民服务中心",
        "510112001001",
        "incubating",
        "none",
        38,
        "邓华",
    ),
]

PARTY_ORGANIZATIONS = [
    # name, type, formation, covered organizations, secretary, members, established, term ends in days
    ("锦江区春熙社区志愿服务协会党支部", "branch", "standalone", ["锦江区春熙社区志愿服务协会"], "刘敏", 9, 2019, 400),
    (
        "锦江区社会组织联合党支部",
        "joint_branch",
        "joint",
        ["锦江区和平社区居家养老服务中心", "锦江区慈善救助服务社"],
        "黄丽",
        7,
        2018,
        -30,
    ),
]

INSPECTIONS = [
    # organization, days ago, kind, checklist, findings, rating, rectifications (problem, deadline in days, status)
    (
        "锦江区春熙社区志愿服务协会",
        40,
        "routine",
        ("done", "done", "done", "partly"),
        "三会一课落实较好，党员教育形式单一。",
        "fairly_good",
        [("丰富党员教育形式，每季度开展一次主题党日", 30, "in_progress")],
    ),
    (
        "锦江区和平社区居家养老服务中心",
        75,
        "special",
        ("partly", "not_done", "done", "partly"),
        "组织生活会未按期召开，台账不全。",
        "fair",
        [("补开组织生活会并完善会议记录台账", -20, "pending"), ("建立党费收缴公示制度", -5, "rectified")],
    ),
]


def _credit_code(region: str, serial: int) -> str:
    """A valid unified social credit code of a social organization registered by civil affairs (52…)."""
    body = f"{serial:08d}"
    check = 11 - sum(int(c) * w for c, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    organization_code = body + ("X" if check == 10 else "0" if check == 11 else str(check))
    number = f"52{region}{organization_code}"
    from stdnum.cn import uscc

    return number + uscc.calc_check_digit(number)


def load_social_organizations() -> int:
    from models import SocialOrganization

    created = 0
    for index, (name, name_en, category, route, unit, region, incubation, grade, members, contact) in enumerate(
        SOCIAL_ORGANIZATIONS
    ):
        values = {
            "name_en": name_en,
            "category": category,
            "route": route,
            "code": _credit_code(region[:6], 56780000 + index) if route == "registered" else None,
            "registered_on": date(2015 + index, 3, 1),
            "supervising_unit": _one(Department, name=unit),
            "region": _one(Region, code=region),
            "incubation": incubation,
            "evaluation_grade": grade,
            "members": members,
            "contact": contact,
            "status": "active",
        }
        _item, new = _upsert(SocialOrganization, {"name": name}, values)
        created += new
    db.session.flush()
    return created


def load_party_oversight() -> int:
    """Party organizations (one term expired), inspections and rectifications (some overdue)."""
    from models import OversightRecord, PartyOrganization, Rectification, SocialOrganization

    created = 0
    for name, org_type, mode, covered, secretary, members, established, term_days in PARTY_ORGANIZATIONS:
        values = {
            "org_type": org_type,
            "formation_mode": mode,
            "social_organizations": [_one(SocialOrganization, name=n) for n in covered],
            "secretary": secretary,
            "member_count": members,
            "established_on": date(established, 7, 1),
            "term_ends_on": date.today() + timedelta(days=term_days),
        }
        _item, new = _upsert(PartyOrganization, {"name": name}, values)
        created += new
    db.session.flush()
    for organization_name, days_ago, kind, checks, findings, rating, problems in INSPECTIONS:
        organization = _one(SocialOrganization, name=organization_name)
        inspected_on = date.today() - timedelta(days=days_ago)
        if _one(OversightRecord, social_organization_id=organization.id, inspected_on=inspected_on):
            continue
        record = OversightRecord(
            social_organization=organization,
            inspected_on=inspected_on,
            inspectors=[_one(Person, name="周敏"), _one(Person, name="郑强")],
            kind=kind,
            check_three_meetings=checks[0],
            check_life_meeting=checks[1],
            check_dues=checks[2],
            check_education=checks[3],
            findings=findings,
            rating=rating,
        )
        for problem, deadline_days, status in problems:
            record.rectifications.append(
                Rectification(
                    problem=problem,
                    responsible_organization=organization_name,
                    responsible_person=organization.contact,
                    deadline=date.today() + timedelta(days=deadline_days),
                    status=status,
                )
            )
        db.session.add(record)
        created += 1
    db.session.flush()
    return created


SERVICE_ITEMS = [
    # code, name, name_en, type, department, object, levels (d, t, v), legal, promised, centralized, online, fee
    (
        "510112-XK-001",
        "公共场所卫生许可",
        "Public place hygiene licence",
        "licensing",
        "龙泉驿区政务服务中心",
        "legal_person",
        (True, False, False),
        20,
        5,
        True,
        True,
        None,
    ),
    (
        "510112-XK-002",
        "食品经营许可",
        "Food business licence",
        "licensing",
        "龙泉驿区政务服务中心",
        "legal_person",
        (True, False, False),
        20,
        7,
        True,
        True,
        None,
    ),
    (
        "510112-GF-001",
        "城乡居民最低生活保障金给付",
        "Minimum living allowance payment",
        "payment",
        "龙泉街道便民服务中心",
        "natural_person",
        (True, True, True),
        30,
        15,
        True,
        False,
        None,
    ),
    (
        "510112-QR-001",
        "独生子女父母光荣证核发",
        "Certificate for parents of an only child",
        "confirmation",
        "龙泉街道便民服务中心",
        "natural_person",
        (False, True, True),
        15,
        3,
        True,
        False,
        None,
    ),
    (
        "510112-GG-001",
        "水电气报装",
        "Water, power and gas connection",
        "public_service",
        "水电气银行进驻机构（龙泉驿）",
        "both",
        (True, False, False),
        10,
        3,
        True,
        True,
        "按物价部门核定标准收费",
    ),
    (
        "510104-GG-001",
        "社会组织成立登记",
        "Registration of a social organization",
        "licensing",
        "锦江区民政局",
        "legal_person",
        (True, False, False),
        60,
        20,
        False,
        True,
        None,
    ),
]
RESOURCES = [
    # kind, name, owner, facility, status, scope
    (
        "personnel",
        "市民呼叫中心话务坐席",
        "龙泉驿区市民呼叫中心",
        "龙泉驿区政务服务中心（市民服务中心）",
        "integrated",
        "district",
    ),
    ("equipment", "自助服务终端", "龙泉驿区政务服务中心", "龙泉街道便民服务中心", "shared", "township"),
    (
        "information_system",
        "区乡村三级电子政务服务平台",
        "龙泉驿区政务服务中心",
        "龙泉驿区政务服务中心（市民服务中心）",
        "integrated",
        "district",
    ),
    ("function", "农业技术推广服务", "郫都区农业服务中心", "石羊村远程教育点", "integrated", "township"),
    ("fund", "社会组织培育专项资金", "锦江区民政局", "锦江区社会组织孵化基地", "shared", "district"),
]
FUNDS = [
    ("锦江区春熙社区志愿服务协会", "startup", "30000.00", 400, "锦江区民政局"),
    ("锦江区和平社区居家养老服务中心", "reward", "50000.00", 200, "锦江区民政局"),
    ("锦江区慈善救助服务社", "special", "120000.00", 90, "锦江区民政局"),
]
PURCHASES = [
    (
        "社区居家养老服务",
        "和平社区高龄独居老人上门服务",
        "锦江区民政局",
        "锦江区和平社区居家养老服务中心",
        "180000.00",
        "in_progress",
        None,
        None,
    ),
    (
        "社区志愿服务",
        "春熙社区志愿服务项目",
        "锦江区民政局",
        "锦江区春熙社区志愿服务协会",
        "60000.00",
        "closed",
        "92.5",
        "95.0",
    ),
    ("社区文化体育", "书院街社区文体活动", "春熙路街道社区服务中心", None, "40000.00", "demand", None, None),
]


def load_resources() -> int:
    """Service items, shared resources, support funds and purchased services."""
    from decimal import Decimal

    from models import Funding, PurchasedService, Resource, ServiceItem, SocialOrganization

    created = 0
    for code, name, name_en, kind, dept_name, obj, levels, legal, promised, central, online, fee in SERVICE_ITEMS:
        values = {
            "name": name,
            "name_en": name_en,
            "item_type": kind,
            "responsible_department": _one(Department, name=dept_name),
            "service_object": obj,
            "level_district": levels[0],
            "level_township": levels[1],
            "level_village": levels[2],
            "legal_limit_days": legal,
            "promised_limit_days": promised,
            "centralized": central,
            "online": online,
            "fee_charged": fee is not None,
            "fee_basis": fee,
            "window": _one(Facility, name="龙泉驿区政务服务中心（市民服务中心）") if central else None,
        }
        item, new = _upsert(ServiceItem, {"item_code": code}, values)
        if new:
            from models import ServiceItemMaterial, ServiceItemStep

            item.materials = [
                ServiceItemMaterial(position=1, name="申请书"),
                ServiceItemMaterial(position=2, name="身份证明"),
            ]
            item.steps = [
                ServiceItemStep(position=1, description="受理"),
                ServiceItemStep(position=2, description="审核"),
                ServiceItemStep(position=3, description="办结"),
            ]
        created += new
    db.session.flush()
    for kind, name, owner, facility, status, scope in RESOURCES:
        values = {
            "kind": kind,
            "owning_department": _one(Department, name=owner),
            "facility": _one(Facility, name=facility),
            "status": status,
            "sharing_scope": scope,
        }
        _item, new = _upsert(Resource, {"name": name}, values)
        created += new
    for org_name, kind, amount, days_ago, dept_name in FUNDS:
        organization = _one(SocialOrganization, name=org_name)
        granted = date.today() - timedelta(days=days_ago)
        if _one(Funding, social_organization_id=organization.id, funding_type=kind, granted_on=granted):
            continue
        db.session.add(
            Funding(
                social_organization=organization,
                funding_type=kind,
                amount=Decimal(amount),
                granted_on=granted,
                approving_department=_one(Department, name=dept_name),
            )
        )
        created += 1
    for entry, title, dept_name, contractor, budget, stage, score, satisfaction in PURCHASES:
        if _one(PurchasedService, title=title):
            continue
        project = PurchasedService(
            catalog_entry=entry,
            title=title,
            purchasing_department=_one(Department, name=dept_name),
            contractor=_one(SocialOrganization, name=contractor) if contractor else None,
            budget=Decimal(budget),
            stage="demand",
            period_start=date.today() - timedelta(days=120),
            period_end=date.today() + timedelta(days=245),
        )
        db.session.add(project)
        db.session.flush()
        for step in ("consultation", "decision", "in_progress", "evaluation", "closed"):
            if PURCHASE_ORDER.index(step) > PURCHASE_ORDER.index(stage):
                break
            if step == "closed":
                project.performance_score, project.resident_satisfaction = Decimal(score), Decimal(satisfaction)
            project.stage = step
            db.session.flush()
        created += 1
    db.session.flush()
    return created


PURCHASE_ORDER = ["demand", "consultation", "decision", "in_progress", "evaluation", "closed"]


def load_users() -> int:
    sm = appbuilder.sm
    created = 0
    for username, first, last, role_name, dept_name, email, person_name in USERS:
        role = sm.find_role(role_name)
        department = _one(Department, name=dept_name) if dept_name else None
        person = _one(Person, name=person_name) if person_name else None
        user = sm.find_user(username=username)
        if user is None:
            user = sm.add_user(username, first, last, email, role, password=DEMO_PASSWORD)
            created += 1
        user.first_name, user.last_name = first, last
        user.department_id = department.id if department else None
        user.person_id = person.id if person else None
        user.roles = [role]
    db.session.commit()
    return created


def load_demo_data() -> list[str]:
    """Load everything; returns one summary line per register."""
    counts = [
        ("regions", load_regions()),
        ("departments", load_departments()),
        ("persons", load_persons()),
        ("facilities", load_facilities()),
        ("social organizations", load_social_organizations()),
        ("bookings", load_bookings()),
        ("party oversight", load_party_oversight()),
        ("resources", load_resources()),
        ("meetings", load_meetings()),
    ]
    db.session.commit()
    counts.append(("users", load_users()))
    return [f"{name}: {count} new" for name, count in counts]
