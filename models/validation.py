"""Field validators shared by forms, the REST API, the CLI and imports.

Each returns ``None`` when the value is valid, or a lazy, translated message.
"""

import re
from datetime import date
from functools import lru_cache

from flask_babel import lazy_gettext as _l
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, ValidationError

MOBILE_RE = re.compile(r"^1\d{10}$")
ID_BODY_RE = re.compile(r"[0-9]{17}")
ID_PLAIN_RE = re.compile(r"[0-9]{17}[0-9Xx]")
PHONE_CHARS = frozenset("0123456789-+ ()")
REGION_CODE_LENGTHS = {"district": 6, "township": 9, "village": 12}


class RecordInvalid(Exception):
    """A record breaks a business rule; ``errors`` maps field names to messages."""

    def __init__(self, errors: dict):
        super().__init__("; ".join(f"{field}: {msgs}" for field, msgs in errors.items()))
        self.errors = {
            field: [str(m) for m in (msgs if isinstance(msgs, list) else [msgs])] for field, msgs in errors.items()
        }


def constraint_refusal(error) -> "RecordInvalid | None":
    """The refusal a model declares (``__constraint_messages__``: constraint name → field and
    message) for the database constraint that refused a write, or None when none is declared.

    The name comes from PostgreSQL's diagnostics, or from SQLite's message ("CHECK constraint
    failed: ck_…", or the text a trigger raised)."""
    from flask_appbuilder import Model

    original = getattr(error, "orig", error)
    name = getattr(getattr(original, "diag", None), "constraint_name", None)
    text = str(original)
    for mapper in Model.registry.mappers:
        for constraint, (field, message) in getattr(mapper.class_, "__constraint_messages__", {}).items():
            if constraint == name or re.search(rf"\b{re.escape(constraint)}\b", text):
                return RecordInvalid({field: message})
    return None


def refuse(message) -> None:
    """Refuse the flush with a message that is not about one field."""
    raise RecordInvalid({"": message})


def check_id_number(value: str | None):
    """GB 11643 resident identity number: 18 characters, birth date and check character."""
    if not value:
        return None
    return _id_number_problem(value)


@lru_cache(maxsize=8192)
def _id_number_problem(value: str):
    """The (lazy) message for a bad ID number, or None; cached, as a row is checked more than once.

    The same checks as ``stdnum.cn.ric.validate``, in its order, with the county lookup cached."""
    compact = normalize_id_number(value)
    if len(compact) != 18:
        return _l("An ID number has 18 characters.")
    if not ID_BODY_RE.fullmatch(compact[:17]):
        return _l("The ID number is not in the 17 digits + check character format.")
    if compact[-1] != ric.calc_check_digit(compact):
        return _l("The ID number's check character is wrong.")
    try:
        year = date(int(compact[6:10]), int(compact[10:12]), int(compact[12:14])).year
    except ValueError:
        return _l("The ID number contains an invalid birth date.")
    if not _county_in_use(compact[:6], year):
        return _l("The ID number's first six digits are not a county code in use at the birth date.")
    return None


@lru_cache(maxsize=65_536)
def _county_in_use(county: str, year: int) -> bool:
    """Whether a six-digit county code was in use in ``year`` (stdnum's table of codes)."""
    try:
        ric.get_birth_place(f"{county}{year:04d}0101")
    except ValidationError:
        return False
    return True


def normalize_id_number(value: str | None) -> str | None:
    if not value:
        return value
    if ID_PLAIN_RE.fullmatch(value):  # the usual case, without stdnum's slower general clean-up
        return value.upper()
    return ric.compact(value).upper()


def check_mobile(value: str | None):
    """Mainland mobile numbers: 11 digits starting with 1."""
    if not value:
        return None
    if not MOBILE_RE.match(value.strip()):
        return _l("A mobile number has 11 digits and starts with 1.")
    return None


def check_phone(value: str | None):
    """A phone number: digits, spaces, hyphens, parentheses and a leading plus only."""
    if value and not set(value) <= PHONE_CHARS:
        return _l("A phone number has digits, spaces and hyphens only.")
    return None


def check_credit_code(value: str | None):
    """GB 32100 unified social credit code: 18 characters with a check character."""
    if not value:
        return None
    compact = uscc.compact(value)
    if len(compact) != 18:
        return _l("A unified social credit code has 18 characters.")
    try:
        uscc.validate(compact)
    except InvalidChecksum:
        return _l("The unified social credit code's check character is wrong.")
    except ValidationError:
        return _l("The unified social credit code contains invalid characters.")
    return None


def check_region_code(code: str | None, level: str | None, parent_code: str | None):
    """Administrative division codes: 6/9/12 digits by level, extending the parent's code."""
    if not code:
        return _l("The region code is required.")
    expected = REGION_CODE_LENGTHS.get(level or "")
    if not code.isdigit() or (expected and len(code) != expected):
        return _l("A region code at this level has %(n)s digits.", n=expected or "6/9/12")
    if parent_code and not code.startswith(parent_code):
        return _l("The region code must start with its parent's code %(code)s.", code=parent_code)
    return None


def mask_id_number(value: str | None) -> str:
    """510104********1234: keep the birthplace and the last four characters."""
    if not value:
        return ""
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_mobile(value: str | None) -> str:
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "****" + value[-4:]
