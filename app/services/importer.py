"""Bulk import (导入) of persons, facilities, service items and social organizations from CSV or XLSX.

The flow: the user uploads a file, sees a preview with every row-level error (row, column, message
in their language) and nothing written; then confirms, and all valid rows are written in one
transaction (or none), each row audited in one batch with a summary event.

Files are read as streams (CSV line by line, XLSX in openpyxl's read-only mode), so memory stays
bounded whatever the number of rows. CSV may be UTF-8 (with or without BOM) or GBK/GB18030, as Excel
writes it in China; the encoding is detected.
"""

import codecs
import contextlib
import csv
import io
import os
import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from flask import current_app, g
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from app import bulk
from app.datamodel import ScopedSQLAInterface
from app.extensions import db
from app.scope import ScopeViolation, current_scope
from models import Department, Facility, Person, Region, ServiceItem, SocialOrganization
from models.choices import (
    EDUCATION_LEVELS,
    FACILITY_KINDS,
    FACILITY_STATUSES,
    GENDERS,
    PERSON_CATEGORIES,
    PERSON_STATUSES,
    POLITICAL_STATUSES,
    Choices,
)
from models.mixins import listing
from models.resources import ITEM_TYPES, SERVICE_OBJECTS
from models.social import EVALUATION_GRADES, INCUBATION_STATES, SOCIAL_CATEGORIES, SOCIAL_ROUTES
from models.validation import RecordInvalid, check_credit_code, check_id_number, check_mobile, normalize_id_number

DEFAULT_MAX_BYTES = 32 * 1024 * 1024
ERROR_LIMIT = 500
#: rows checked and written together: one key query, one INSERT and one audit append per chunk
CHUNK_ROWS = 1000
PREVIEW_ROWS = 20
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日", "%d/%m/%Y")
YES = {"是", "y", "yes", "true", "1", "√", "✓"}
NO = {"否", "n", "no", "false", "0", ""}


class ImportRefused(Exception):
    """The file as a whole can't be imported; the message says why, in the user's language."""


class CellError(ValueError):
    """One cell's value is wrong; the message is shown with its row and column."""


# ----- cell parsers ------------------------------------------------------------------------------
def text(value, limit: int = 300) -> str | None:
    if value is None:
        return None
    value = str(value).strip()
    if len(value) > limit:
        raise CellError(_l("At most %(n)s characters.", n=limit))
    return value or None


def choice(choices: Choices) -> Callable:
    """Accept the code or the label in either language (the labels are read when first needed,
    inside a request, so that both catalogs apply)."""
    lookup = {}

    def parse(value):
        value = text(value)
        if value is None:
            return None
        if not lookup:
            for code, label in choices:
                lookup[code.lower()] = code
                for language in ("zh", "en"):
                    with force_locale(language):
                        lookup[str(label).strip().lower()] = code
        code = lookup.get(value.lower())
        if code is None:
            raise CellError(_l("Not a value from the list: %(value)s", value=value))
        return code

    return parse


def a_date(value):
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    value = str(value).strip()
    if len(value) == 10 and value[4] == "-" and value[7] == "-":  # 2026-11-27, the usual way: read directly
        with contextlib.suppress(ValueError):
            return date.fromisoformat(value)
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise CellError(_l("Not a date: write it like 2026-11-27."))


def whole_number(value):
    if value is None or str(value).strip() == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as error:
        raise CellError(_l("Not a whole number.")) from error
    if number != number.to_integral_value() or abs(number) > 10**9:
        raise CellError(_l("Not a whole number."))
    return int(number)


def decimal_number(value):
    if value is None or str(value).strip() == "":
        return None
    try:
        return Decimal(str(value).strip())
    except InvalidOperation as error:
        raise CellError(_l("Not a number.")) from error


def flag(value) -> bool:
    text_value = str(value if value is not None else "").strip().lower()
    if text_value in YES:
        return True
    if text_value in NO:
        return False
    raise CellError(_l("Write 是 (yes) or 否 (no)."))


def checked(check) -> Callable:
    def parse(value):
        value = text(value)
        message = check(value) if value else None
        if message:
            raise CellError(message)
        return value

    return parse


def id_number(value):
    value = text(value, 18)
    message = check_id_number(value) if value else None
    if message:
        raise CellError(message)
    return normalize_id_number(value)


# ----- the registers ----------------------------------------------------------------------------
@dataclass
class Column:
    """One column of an import file."""

    key: str
    label: object
    parse: Callable
    required: bool = False
    example: str = ""


@dataclass
class ImportSpec:
    """How one register is imported: its columns, natural key and how a row becomes a record."""

    name: str
    title: object
    model: type
    natural_key: str
    permission_view: str
    columns: list[Column]
    #: references resolved by name within the user's scope: column → (model, label attribute)
    references: dict = field(default_factory=dict)


PERSONS = ImportSpec(
    "persons",
    _l("Persons"),
    Person,
    "id_number",
    "Person",
    [
        Column("name", _l("Full name"), lambda v: text(v, 50), True, "王伟"),
        Column("id_number", _l("ID number"), id_number, True, "11010519491231002X"),
        Column("gender", _l("Gender"), choice(GENDERS), False, "女"),
        Column("mobile", _l("Mobile"), checked(check_mobile), False, "13912345678"),
        Column("department", _l("Department"), text, True, "龙泉街道便民服务中心"),
        Column("position", _l("Position"), lambda v: text(v, 100), False, "窗口工作人员"),
        Column("category", _l("Category"), choice(PERSON_CATEGORIES), True, "社区工作者"),
        Column("political_status", _l("Political status"), choice(POLITICAL_STATUSES), False, "群众"),
        Column("education", _l("Education"), choice(EDUCATION_LEVELS), False, "大学本科"),
        Column("hired_on", _l("Hired on"), a_date, False, "2020-09-01"),
        Column("status", _l("Status"), choice(PERSON_STATUSES), False, "在岗"),
    ],
    {"department": (Department, "name")},
)
FACILITIES = ImportSpec(
    "facilities",
    _l("Facilities"),
    Facility,
    "name",
    "Facility",
    [
        Column("name", _l("Name"), lambda v: text(v, 200), True, "驿都社区服务站"),
        Column("name_en", _l("English name"), lambda v: text(v, 300), False, "Yidu Community Service Station"),
        Column("kind", _l("Kind"), choice(FACILITY_KINDS), True, "社区服务站"),
        Column("region", _l("Region code"), text, False, "510112001001"),
        Column("managing_department", _l("Managing department"), text, True, "驿都社区居民委员会"),
        Column("address", _l("Address"), text, False, "驿都大道 1 号"),
        Column("floor_area", _l("Floor area (m²)"), decimal_number, False, "300"),
        Column("service_windows", _l("Service windows"), whole_number, False, "4"),
        Column("capacity", _l("Capacity"), whole_number, False, "80"),
        Column("opening_hours", _l("Opening hours"), lambda v: text(v, 100), False, "9:00-18:00"),
        Column("status", _l("Status"), choice(FACILITY_STATUSES), False, "运行"),
    ],
    {"managing_department": (Department, "name"), "region": (Region, "code")},
)
SERVICE_ITEMS = ImportSpec(
    "service_items",
    _l("Service items"),
    ServiceItem,
    "item_code",
    "ServiceItem",
    [
        Column("item_code", _l("Item code"), lambda v: text(v, 40), True, "510112-XK-009"),
        Column("name", _l("Name"), lambda v: text(v, 200), True, "户外广告设置许可"),
        Column("name_en", _l("English name"), lambda v: text(v, 300), False, "Outdoor advertising permit"),
        Column("item_type", _l("Item type"), choice(ITEM_TYPES), True, "行政许可"),
        Column("responsible_department", _l("Responsible department"), text, True, "龙泉驿区政务服务中心"),
        Column("service_object", _l("Service object"), choice(SERVICE_OBJECTS), False, "法人"),
        Column("level_district", _l("District level"), flag, False, "是"),
        Column("level_township", _l("Township level"), flag, False, "否"),
        Column("level_village", _l("Village level"), flag, False, "否"),
        Column("legal_limit_days", _l("Legal time limit (working days)"), whole_number, False, "20"),
        Column("promised_limit_days", _l("Promised time limit (working days)"), whole_number, False, "5"),
        Column("centralized", _l("Centralized in the center"), flag, False, "是"),
        Column("online", _l("Online handling"), flag, False, "是"),
        Column("fee_charged", _l("Fee charged"), flag, False, "否"),
        Column("fee_basis", _l("Fee basis"), text, False, ""),
    ],
    {"responsible_department": (Department, "name")},
)
SOCIAL_ORGANIZATIONS = ImportSpec(
    "social_organizations",
    _l("Social organizations"),
    SocialOrganization,
    "code",
    "SocialOrganization",
    [
        Column("name", _l("Name"), lambda v: text(v, 200), True, "锦江区东糠市街社区书画协会"),
        Column("name_en", _l("English name"), lambda v: text(v, 300), False, ""),
        Column("code", _l("Unified social credit code"), checked(check_credit_code), False, ""),
        Column("category", _l("Category"), choice(SOCIAL_CATEGORIES), True, "文化体育类"),
        Column("route", _l("Registration route"), choice(SOCIAL_ROUTES), True, "备案"),
        Column("registered_on", _l("Registered or filed on"), a_date, False, "2025-03-01"),
        Column("supervising_unit", _l("Supervising unit"), text, True, "春熙路街道社区服务中心"),
        Column("region", _l("Region code"), text, False, "510104002001"),
        Column("incubation", _l("Incubation"), choice(INCUBATION_STATES), False, "未孵化"),
        Column("evaluation_grade", _l("Evaluation grade"), choice(EVALUATION_GRADES), False, "未评估"),
        Column("members", _l("Members"), whole_number, False, "20"),
        Column("contact", _l("Contact person"), lambda v: text(v, 50), False, "李华"),
        Column("phone", _l("Phone"), lambda v: text(v, 20), False, "13800000000"),
    ],
    {"supervising_unit": (Department, "name"), "region": (Region, "code")},
)
SPECS = {spec.name: spec for spec in (PERSONS, FACILITIES, SERVICE_ITEMS, SOCIAL_ORGANIZATIONS)}


# ----- reading files -----------------------------------------------------------------------------
def max_bytes() -> int:
    return int(current_app.config.get("IMPORT_MAX_BYTES") or DEFAULT_MAX_BYTES)


def detect_encoding(head: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with its BOM (Excel's "Unicode text"), or, as Excel
    writes CSV in China, GB18030 (a superset of GBK)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as error:
        if error.start >= len(head) - 3:  # a character cut at the end of the sample
            return "utf-8"
    return "gb18030"


def detect_delimiter(first_line: str) -> str:
    """A comma, or a tab for tab-separated text (Excel's "Unicode text" and "Text" exports)."""
    return "\t" if "\t" in first_line and "," not in first_line else ","


def rows_of(path: str, kind: str) -> Iterator[list]:
    """Every row of the file as a list of cell values, streamed."""
    if kind == "xlsx":
        from openpyxl import load_workbook  # loaded by the first XLSX, not by every worker (6 MB)

        try:
            workbook = load_workbook(path, read_only=True, data_only=False)
        except Exception as error:  # noqa: BLE001 - any unreadable workbook gets the same clear answer
            raise ImportRefused(str(_l("The file is not a readable XLSX workbook."))) from error
        try:
            sheet = workbook.worksheets[0]
            for row in sheet.iter_rows(values_only=True):
                yield list(row)
        finally:
            workbook.close()
        return
    with open(path, "rb") as handle:
        head = handle.read(64 * 1024)
    encoding = detect_encoding(head)
    with open(path, encoding=encoding, errors="strict", newline="") as handle:
        try:
            delimiter = detect_delimiter(handle.readline())
            handle.seek(0)
            yield from csv.reader(handle, delimiter=delimiter)
        except UnicodeDecodeError as error:
            raise ImportRefused(
                str(_l("The file's text encoding could not be read; save it as UTF-8 or GBK CSV."))
            ) from error
        except csv.Error as error:
            raise ImportRefused(str(_l("The CSV file is malformed: %(error)s", error=str(error)))) from error


def header_map(spec: ImportSpec, header: list) -> tuple[dict, list[str]]:
    """Column positions by key; headers may be the zh or en label, both ("姓名 / Full name"), or the key."""
    names = {}
    for column in spec.columns:
        names[column.key] = column.key
        for language in ("zh", "en"):
            with force_locale(language):
                names[str(column.label).strip().lower()] = column.key
    positions, unknown = {}, []
    for index, cell in enumerate(header):
        raw = str(cell or "").strip().rstrip("*").strip()
        if not raw:
            continue
        candidates = [raw.lower()] + [part.strip().lower() for part in re.split(r"\s*/\s*", raw)]
        key = next((names[c] for c in candidates if c in names), None)
        if key is None:
            unknown.append(raw)
        elif key not in positions:
            positions[key] = index
    missing = [str(c.label) for c in spec.columns if c.required and c.key not in positions]
    if missing:
        raise ImportRefused(str(_l("Required columns are missing: %(columns)s", columns=listing(missing))))
    return positions, unknown


# ----- checking ------------------------------------------------------------------------------------
@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class Checked:
    """What reading a whole file found: counts, the first row errors and the first valid rows.

    Only counts and the first rows are kept, so memory stays bounded whatever the file's size."""

    valid: int = 0
    errors: list = field(default_factory=list)
    error_count: int = 0
    total: int = 0
    duplicates: int = 0
    unknown_columns: list = field(default_factory=list)
    preview: list = field(default_factory=list)


@dataclass
class ValidRow:
    """A row that passed every check: its values and, for a new record, the prepared record."""

    number: int
    values: dict
    record: object = None
    duplicate: bool = False
    #: for the preview: the file's cells by column label, as the user wrote them
    shown: dict | None = None


class Resolver:
    """Looks up referenced records by name or code, within the user's scope, with a cache."""

    def __init__(self, spec: ImportSpec):
        self.maps = {}
        for key, (model, attr) in spec.references.items():
            interface = ScopedSQLAInterface(model, apply_scope=model is not Region)
            query = interface.restrict(db.session.query(getattr(model, attr), model.id))
            self.maps[key] = {str(name): pk for name, pk in query}

    def resolve(self, key: str, value):
        return self.maps[key].get(str(value))


def check_file(spec: ImportSpec, path: str, kind: str) -> Checked:
    """Read and check every row; nothing is written."""
    result = Checked()
    for _chunk in checked_chunks(spec, path, kind, result):
        pass
    return result


def checked_chunks(spec: ImportSpec, path: str, kind: str, result: Checked) -> Iterator[list[ValidRow]]:
    """The file's valid rows, checked chunk by chunk as the file is streamed; ``result`` collects
    the counts and the row errors on the way."""
    rows = rows_of(path, kind)
    try:
        header = next(rows)
    except StopIteration as error:
        raise ImportRefused(str(_l("The file is empty."))) from error
    positions, result.unknown_columns = header_map(spec, header)
    checker = RowChecker(spec, positions, kind, result)
    db.session.info["unique_checked"] = {spec.natural_key}  # checked against the table per chunk
    try:
        chunk = []
        for number, row in enumerate(rows, start=2):
            parsed = checker.parse(number, row)
            if parsed is not None:
                chunk.append(parsed)
            if len(chunk) >= CHUNK_ROWS:
                yield checker.finish(chunk)
                chunk = []
        if chunk:
            yield checker.finish(chunk)
    finally:
        db.session.info.pop("unique_checked", None)


class RowChecker:
    """Checks rows in two steps: ``parse`` each row's cells, then ``finish`` a chunk of rows with one
    query for the keys that already exist and the register's own rules on each new record."""

    def __init__(self, spec: ImportSpec, positions: dict, kind: str, result: Checked):
        self.spec, self.positions, self.kind, self.result = spec, positions, kind, result
        self.resolver = Resolver(spec)
        self.labels = {c.key: str(c.label) for c in spec.columns}
        self.seen = set()  # the file's keys: one short string per row
        self.key_column = getattr(spec.model, spec.natural_key)
        self.scope = current_scope()

    def fail(self, number: int, problems: list) -> None:
        self.result.error_count += 1
        for column_key, message in problems:
            if len(self.result.errors) < ERROR_LIMIT:
                self.result.errors.append(RowError(number, self.labels.get(column_key, column_key), str(message)))

    def parse(self, number: int, row: list) -> ValidRow | None:
        if not any(cell not in (None, "") for cell in row):
            return None
        self.result.total += 1
        values, problems = {}, []
        shown = {} if len(self.result.preview) < PREVIEW_ROWS else None
        for column in self.spec.columns:
            position = self.positions.get(column.key)
            cell = row[position] if position is not None and position < len(row) else None
            if isinstance(cell, str) and cell.startswith("=") and self.kind == "xlsx":
                problems.append((column.key, _l("Formulas are not accepted; paste the value instead.")))
                continue
            try:
                value = column.parse(cell)
            except CellError as error:
                problems.append((column.key, error.args[0]))
                continue
            if shown is not None and position is not None:
                shown[self.labels[column.key]] = (
                    cell.strip() if isinstance(cell, str) else ("" if value is None else value)
                )
            if value is None and column.required:
                problems.append((column.key, _l("This field is required.")))
                continue
            if column.key in self.spec.references and value is not None:
                resolved = self.resolver.resolve(column.key, value)
                if resolved is None:
                    problems.append(
                        (column.key, _l("%(value)s does not exist or is outside your data scope.", value=value))
                    )
                    continue
                values[column.key + "_id"] = resolved
            elif value is not None:
                values[column.key] = value
        key = values.get(self.spec.natural_key)
        if key is not None and not problems:
            if str(key) in self.seen:
                problems.append((self.spec.natural_key, _l("The same value appears earlier in this file.")))
            self.seen.add(str(key))
        if problems:
            self.fail(number, problems)
            return None
        return ValidRow(number, values, shown=shown)

    def finish(self, chunk: list[ValidRow]) -> list[ValidRow]:
        keys = [row.values[self.spec.natural_key] for row in chunk if row.values.get(self.spec.natural_key) is not None]
        existing = self._keys_among(keys, scoped=False)
        in_scope = self._keys_among(existing, scoped=True) if existing else set()
        valid = []
        for row in chunk:
            key = row.values.get(self.spec.natural_key)
            row.duplicate = key is not None and str(key) in existing
            if row.duplicate and str(key) not in in_scope:
                self.fail(
                    row.number,
                    [(self.spec.natural_key, _l("A record with this value exists outside your data scope."))],
                )
                continue
            problems = self._rule_problems(row)
            if problems:
                self.fail(row.number, problems)
                continue
            self.result.valid += 1
            self.result.duplicates += row.duplicate
            if len(self.result.preview) < PREVIEW_ROWS:
                self.result.preview.append({**(row.shown or row.values), "_row": row.number})
            valid.append(row)
        return valid

    def _keys_among(self, keys: list, scoped: bool) -> set:
        """Which of ``keys`` live records already hold (in the user's scope, with ``scoped``)."""
        interface = ScopedSQLAInterface(self.spec.model, apply_scope=scoped)
        query = interface.restrict(db.session.query(self.key_column)).filter(self.key_column.in_(list(keys)))
        return {str(value) for (value,) in query}

    def _rule_problems(self, row: ValidRow) -> list:
        """The register's own rules (e.g. gender against the ID number, promised ≤ legal time limit)
        and the data scope, applied to the record as a flush would apply them."""
        record = bulk.new_record(self.spec.model, row.values)
        try:
            errors = bulk.prepare(db.session, record, self.scope)
        except ScopeViolation:
            return [("", _l("This record would lie outside your data scope."))]
        if row.duplicate:
            errors.pop(self.spec.natural_key, None)  # an existing record: updated or skipped, as chosen
        else:
            row.record = record
        return [(field.removesuffix("_id"), message) for field, message in errors.items()]


# ----- writing ------------------------------------------------------------------------------------
def write(spec: ImportSpec, path: str, kind: str, mode: str) -> tuple[dict, Checked]:
    """Check the file again and write every valid row in one transaction (or none), chunk by chunk as
    the file is streamed: new records by bulk insert, duplicates updated or skipped as chosen."""
    from app.audit import record_event

    batch = uuid.uuid4().hex
    g.audit_batch = batch
    counts = {"created": 0, "updated": 0, "skipped": 0}
    checked = Checked()
    try:
        for chunk in checked_chunks(spec, path, kind, checked):
            bulk.insert_prepared(db.session, [row.record for row in chunk if not row.duplicate])
            counts["created"] += sum(1 for row in chunk if not row.duplicate)
            duplicates = [row for row in chunk if row.duplicate]
            if mode == "update":
                _update_existing(spec, duplicates)
                counts["updated"] += len(duplicates)
            else:
                counts["skipped"] += len(duplicates)
        record_event(
            db.session,
            "import",
            entity_type=spec.model.__name__,
            label=str(spec.title),
            batch_id=batch,
            changes={**counts, "mode": mode, "rows_with_errors": checked.error_count},
        )
    except IntegrityError as error:
        db.session.rollback()
        raise RecordInvalid(
            {spec.natural_key: _l("A record with the same key was saved meanwhile; check the file again.")}
        ) from error
    except SQLAlchemyError as error:
        db.session.rollback()
        current_app.logger.exception("import of %s failed in the database", spec.name)
        raise ImportRefused(
            str(_l("The database refused the write, so nothing was imported. Try again later."))
        ) from error
    except Exception:
        db.session.rollback()
        raise
    finally:
        g.pop("audit_batch", None)
    return {**counts, "batch": batch}, checked


def _update_existing(spec: ImportSpec, rows: list[ValidRow]) -> None:
    """Update existing records from their rows, through the ORM, so every flush rule applies."""
    if not rows:
        return
    key_column = getattr(spec.model, spec.natural_key)
    interface = ScopedSQLAInterface(spec.model)
    by_key = {
        str(getattr(item, spec.natural_key)): item
        for item in interface.restrict(db.session.query(spec.model)).filter(
            key_column.in_([row.values[spec.natural_key] for row in rows])
        )
    }
    for row in rows:
        item = by_key.get(str(row.values[spec.natural_key]))
        if item is None:
            raise RecordInvalid(
                {spec.natural_key: _l("Row %(row)s: the existing record is outside your data scope.", row=row.number)}
            )
        for name, value in row.values.items():
            setattr(item, name, value)
    db.session.flush()


# ----- files on disk between preview and confirmation -----------------------------------------------
#: an upload nobody confirmed is removed after this many seconds
UPLOAD_KEPT_SECONDS = 24 * 3600


def upload_dir() -> str:
    path = os.path.join(current_app.instance_path, "imports")
    os.makedirs(path, exist_ok=True)
    return path


def forget_upload(path: str) -> None:
    """Remove an upload once it was imported."""
    with contextlib.suppress(OSError):
        os.remove(path)


def _remove_stale_uploads(directory: str) -> None:
    cutoff = time.time() - UPLOAD_KEPT_SECONDS
    for name in os.listdir(directory):
        path = os.path.join(directory, name)
        with contextlib.suppress(OSError):
            if os.path.getmtime(path) < cutoff:
                os.remove(path)


def save_upload(upload) -> tuple[str, str]:
    """Keep the upload until it is confirmed; returns (token, kind)."""
    name = (getattr(upload, "filename", "") or "").lower()
    if not name:
        raise ImportRefused(str(_l("Choose a file to upload.")))
    kind = "xlsx" if name.endswith(".xlsx") else "csv" if name.endswith((".csv", ".txt")) else None
    if kind is None:
        raise ImportRefused(str(_l("Upload a CSV or XLSX file.")))
    token = uuid.uuid4().hex
    _remove_stale_uploads(upload_dir())
    path = os.path.join(upload_dir(), f"{token}.{kind}")
    limit = max_bytes()
    size = 0
    with open(path, "wb") as handle:
        while chunk := upload.stream.read(1024 * 1024):
            size += len(chunk)
            if size > limit:
                handle.close()
                os.remove(path)
                raise ImportRefused(str(_l("The file is larger than %(mb)s MB.", mb=limit // (1024 * 1024))))
            handle.write(chunk)
    if size == 0:
        os.remove(path)
        raise ImportRefused(str(_l("The file is empty.")))
    return token, kind


def saved_path(token: str, kind: str) -> str:
    if not re.fullmatch(r"[0-9a-f]{32}", token or "") or kind not in ("csv", "xlsx"):
        raise ImportRefused(str(_l("The upload has expired; upload the file again.")))
    path = os.path.join(upload_dir(), f"{token}.{kind}")
    if not os.path.exists(path):
        raise ImportRefused(str(_l("The upload has expired; upload the file again.")))
    return path


# ----- templates -------------------------------------------------------------------------------------
def template_rows(spec: ImportSpec) -> tuple[list[str], list[str]]:
    """A bilingual header ("姓名 / Full name") and one example row."""
    header = []
    for column in spec.columns:
        with force_locale("zh"):
            zh = str(column.label)
        with force_locale("en"):
            en = str(column.label)
        header.append(f"{zh} / {en}" + (" *" if column.required else ""))
    return header, [c.example for c in spec.columns]


def template_xlsx(spec: ImportSpec) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = spec.name
    header, example = template_rows(spec)
    sheet.append(header)
    sheet.append(example)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
