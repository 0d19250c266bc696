"""The benchmark database: a fresh (or reused) SQLite file or PostgreSQL database, migrated, with the
demo data and N generated persons written by bulk Core inserts (no ORM session, hence no audit event,
no validation hook: the rows are a fixture, not a user action).

Generated persons have valid, unique 18-character resident ID numbers (county codes in use from 1960
to 2005, birth dates spread over those years, the gender digit agreeing with ``gender``), Chinese names
drawn from weighted surnames and given-name characters (so that a three-character name such as
``王子涵`` is held by about 0.03 % of them), their pinyin key, and category/status codes from
``models.choices``.
"""

import os
import random
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import create_engine, event, func, insert, select, text
from sqlalchemy.engine import Engine, make_url
from stdnum.cn import ric

CHUNK = 10_000
#: databases the benchmark must never drop (the test suite uses "test")
PROTECTED_DATABASES = {"test", "postgres", "template0", "template1"}
#: county codes in use for every birth year from 1960 to 2005 (checked by ``check_sample``)
COUNTIES = ("510122", "510121", "110105", "110108", "310104", "310105")
FIRST_BIRTH = date(1960, 1, 1)
BIRTH_SPAN_DAYS = (date(2005, 12, 31) - FIRST_BIRTH).days + 1
#: a step coprime with BIRTH_SPAN_DAYS, so consecutive birth-day slots land far apart and never collide
BIRTH_STEP = 7919
ORDER_CODES_PER_DAY = 1000
#: (surname, relative frequency): the most common Chinese surnames, roughly as counted
SURNAMES = (
    ("王", 7.25), ("李", 7.19), ("张", 6.83), ("刘", 5.38), ("陈", 4.53), ("杨", 3.08), ("赵", 2.29),
    ("黄", 2.23), ("吴", 2.05), ("周", 1.98), ("徐", 1.45), ("孙", 1.38), ("马", 1.29), ("朱", 1.26),
    ("胡", 1.15), ("郭", 1.13), ("何", 1.10), ("林", 1.07), ("高", 1.04), ("罗", 0.97), ("郑", 0.79),
    ("梁", 0.78), ("谢", 0.74), ("宋", 0.65), ("唐", 0.64), ("许", 0.63), ("韩", 0.61), ("冯", 0.60),
    ("邓", 0.59), ("曹", 0.58), ("彭", 0.55), ("曾", 0.53), ("肖", 0.52), ("田", 0.52), ("董", 0.51),
    ("袁", 0.49), ("潘", 0.48), ("于", 0.47), ("蒋", 0.46), ("蔡", 0.46),
)  # fmt: skip
GIVEN_FIRST = "子浩欣宇梓思嘉俊雨佳一晓志建文明"
GIVEN_SECOND = "涵然怡轩萱琪豪杰婷晨阳博敏静华军"
#: share of names with a one-character given name (王涵); the rest have two (王子涵)
SINGLE_GIVEN_SHARE = 0.15
#: the default name-contains search: surname + a two-character given name, ~0.03 % of the persons
DEFAULT_SEARCH = "王子涵"
POSITIONS = ("科员", "副主任", "主任", "社区专干", "网格员", "窗口工作人员", "社工", "志愿者")
STATUS_WEIGHTS = {"on_duty": 90, "away": 6, "transferred_out": 4}


@dataclass
class SeedResult:
    """What seeding did: rows written now, persons in the table afterwards, seconds spent."""

    inserted: int
    total_persons: int
    seconds: float
    analyze_seconds: float


# ----- the database ------------------------------------------------------------------------
def prepare_database(database_url: str | None, reuse: str | None) -> tuple[str, bool]:
    """The URL to benchmark and whether an existing database is kept.

    SQLite: ``reuse`` is the file to keep (created when missing), else a file in a fresh temporary
    directory. PostgreSQL: the database named in the URL is dropped and created again, unless
    ``reuse`` is given (then it is created only when missing)."""
    if not database_url:
        if reuse:
            path = os.path.abspath(reuse)
            return f"sqlite:///{path}", os.path.exists(path)
        return f"sqlite:///{tempfile.mkdtemp(prefix='perf-bench-')}/bench.db", False
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise SystemExit(f"--database-url: only PostgreSQL URLs are supported, not {url.get_backend_name()}")
    if url.database in PROTECTED_DATABASES:
        raise SystemExit(f"--database-url: refusing to use the database {url.database!r}; name another one")
    existed = recreate_postgres_database(database_url, keep=reuse is not None)
    return database_url, existed


def recreate_postgres_database(database_url: str, keep: bool) -> bool:
    """Drop and create the URL's database through the maintenance database; returns whether it was kept."""
    url = make_url(database_url)
    name = url.database
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            quoted = admin.dialect.identifier_preparer.quote(name)
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name})
            if exists and keep:
                return True
            if exists:
                conn.exec_driver_sql(f"DROP DATABASE {quoted} WITH (FORCE)")
            conn.exec_driver_sql(f"CREATE DATABASE {quoted}")
    finally:
        admin.dispose()
    return False


def init_schema(app) -> None:
    """Migrate to the head, rebuild the built-in roles, and load the demo data once."""
    from app.extensions import appbuilder, db
    from app.schema_migrations import upgrade
    from app.services.demo_data import load_demo_data

    with app.app_context():
        upgrade()
        appbuilder.sm.sync_roles()
        if not db.session.scalar(text("SELECT count(*) FROM department")):
            load_demo_data()
        db.session.remove()


# ----- generated persons -------------------------------------------------------------------
def id_number(index: int) -> str:
    """The index-th generated resident ID number: a distinct (county, birth date, order code) per index."""
    county = COUNTIES[index % len(COUNTIES)]
    slot, order_code = divmod(index // len(COUNTIES), ORDER_CODES_PER_DAY)
    if slot >= BIRTH_SPAN_DAYS:
        raise ValueError("more persons than the generator has distinct ID numbers for")
    birth = FIRST_BIRTH + timedelta(days=slot * BIRTH_STEP % BIRTH_SPAN_DAYS)
    body = f"{county}{birth:%Y%m%d}{order_code:03d}"
    return body + ric.calc_check_digit(body + "0")


class PersonFactory:
    """Builds rows for the ``person`` table, deterministic for a given seed."""

    def __init__(self, department_ids: list[int], user_id: int | None, seed: int = 2026):
        from models.choices import EDUCATION_LEVELS, PERSON_CATEGORIES, POLITICAL_STATUSES
        from models.mixins import utcnow

        self.random = random.Random(seed)
        self.department_ids = department_ids
        self.user_id = user_id
        self.surnames = [s for s, _w in SURNAMES]
        self.surname_weights = list(_cumulative(w for _s, w in SURNAMES))
        self.categories = PERSON_CATEGORIES.codes
        self.political = [*POLITICAL_STATUSES.codes, None]
        self.education = [*EDUCATION_LEVELS.codes, None]
        self.statuses = list(STATUS_WEIGHTS)
        self.status_weights = list(_cumulative(STATUS_WEIGHTS.values()))
        self.now = utcnow().replace(microsecond=0)
        self._pinyin = {}

    def name(self) -> str:
        pick = self.random.choice
        surname = self.random.choices(self.surnames, cum_weights=self.surname_weights)[0]
        if self.random.random() < SINGLE_GIVEN_SHARE:
            return surname + pick(GIVEN_SECOND)
        return surname + pick(GIVEN_FIRST) + pick(GIVEN_SECOND)

    def pinyin(self, name: str) -> str | None:
        """The app's own pinyin key, converted once per distinct name."""
        if name not in self._pinyin:
            from app.session_rules import pinyin_key

            self._pinyin[name] = pinyin_key(name)
        return self._pinyin[name]

    def row(self, index: int, number: str) -> dict:
        rnd = self.random
        name = self.name()
        category = rnd.choice(self.categories)
        return {
            "name": name,
            "name_pinyin": self.pinyin(name),
            "gender": "male" if int(number[16]) % 2 else "female",
            "id_number": number,
            "mobile": f"1{rnd.choice('3589')}{index % 1_000_000_000:09d}",
            "department_id": self.department_ids[index % len(self.department_ids)],
            "position": rnd.choice(POSITIONS),
            "category": category,
            "political_status": rnd.choice(self.political),
            "education": rnd.choice(self.education),
            "hired_on": date(2000, 1, 1) + timedelta(days=rnd.randrange(9000)),
            "left_on": None,
            "status": rnd.choices(self.statuses, cum_weights=self.status_weights)[0],
            "social_work_qualification": rnd.choice(("assistant", "intermediate", "senior"))
            if category == "social_worker"
            else None,
            "created_at": self.now,
            "updated_at": self.now,
            "version": 1,
            "deleted_at": None,
            "created_by_id": self.user_id,
            "updated_by_id": self.user_id,
        }


def _cumulative(weights):
    total = 0.0
    for weight in weights:
        total += weight
        yield total


def check_sample(numbers: list[str]) -> None:
    """Every sampled generated ID number passes the app's own check (GB 11643, county at birth date)."""
    from models.validation import check_id_number

    for number in numbers:
        problem = check_id_number(number)
        if problem:
            raise SystemExit(f"seed: generated ID number {number} is refused by the app: {problem}")


# ----- writing -----------------------------------------------------------------------------
def seeding_engine(url: str) -> Engine:
    """An engine of its own for the bulk load: on SQLite, no fsync and a large cache while seeding only."""
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _fast_writes(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-262144")  # 256 MB
            cursor.execute("PRAGMA temp_store=MEMORY")
            cursor.close()

    return engine


def count_persons(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(text("SELECT count(*) FROM person"))


def seed_persons(url: str, rows: int, progress=print) -> SeedResult:
    """Top the ``person`` table up to at least ``rows`` generated persons, then ANALYZE (also when
    nothing was added: the planner needs statistics for indexes that a migration added since)."""
    from models import Department, Person
    from models.security import PlatformUser

    engine = seeding_engine(url)
    try:
        existing = count_persons(engine)
        if existing >= rows:  # reused: statistics afresh all the same (a migration may have added indexes)
            started = time.perf_counter()
            analyze(engine)
            return SeedResult(0, existing, 0.0, time.perf_counter() - started)
        with engine.connect() as conn:
            department_ids = list(
                conn.scalars(select(Department.id).where(Department.deleted_at.is_(None)).order_by(Department.id))
            )
            admin_id = conn.scalar(select(PlatformUser.id).where(PlatformUser.username == "admin"))
            taken = set(conn.scalars(select(Person.id_number)))
        if not department_ids:
            raise SystemExit("seed: no departments: the demo data did not load")
        factory = PersonFactory(department_ids, admin_id)
        started = time.perf_counter()
        inserted = write_persons(engine, Person.__table__, factory, taken, rows - existing, progress)
        seconds = time.perf_counter() - started
        started = time.perf_counter()
        analyze(engine)
        return SeedResult(inserted, count_persons(engine), seconds, time.perf_counter() - started)
    finally:
        engine.dispose()


def write_persons(engine: Engine, table, factory: PersonFactory, taken: set, wanted: int, progress) -> int:
    """Insert ``wanted`` new persons in chunks of CHUNK rows (one executemany and commit per chunk)."""
    inserted, index, chunk = 0, 0, []
    started = time.perf_counter()
    statement = insert(table)
    while inserted < wanted:
        number = id_number(index)
        if number not in taken:
            chunk.append(factory.row(index, number))
            if len(chunk) == 1 or index % 99_991 == 0:
                check_sample([number])
        index += 1
        if len(chunk) == CHUNK or inserted + len(chunk) == wanted:
            with engine.begin() as conn:
                conn.execute(statement, chunk)
            inserted += len(chunk)
            chunk = []
            if inserted % 100_000 == 0 or inserted == wanted:
                rate = inserted / max(time.perf_counter() - started, 1e-9)
                progress(f"  seeded {inserted:,} / {wanted:,} persons ({rate:,.0f} rows/s)")
    return inserted


def analyze(engine: Engine) -> None:
    """Fresh planner statistics after the bulk load (and, on SQLite, the WAL folded into the file)."""
    if engine.dialect.name == "sqlite":
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")


def search_match_count(engine: Engine, term: str) -> int:
    """How many live persons have ``term`` in their name (what a correct name-contains search finds)."""
    from models import Person

    with engine.connect() as conn:
        return conn.scalar(
            select(func.count()).where(Person.name.contains(term, autoescape=True), Person.deleted_at.is_(None))
        )
