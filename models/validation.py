"""Field validators shared by forms, the REST API, the CLI and imports.

Each returns ``None`` when the value is valid, or a lazy, translated message.
"""

import re
from functools import lru_cache

from flask_babel import lazy_gettext as _l
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError

MOBILE_RE = re.compile(r"^1\d{10}$")
REGION_CODE_LENGTHS = {"district": 6, "township": 9, "village": 12}


class RecordInvalid(Exception):
    """A record breaks a business rule; ``errors`` maps field names to messages."""

    def __init__(self, errors: dict):
        super().__init__("; ".join(f"{field}: {msgs}" for field, msgs in errors.items()))
        self.errors = {
            field: [str(m) for m in (msgs if isinstance(msgs, list) else [msgs])] for field, msgs in errors.items()
        }


def refuse(message) -> None:
    """Refuse the flush with a message that is not about one field."""
    raise RecordInvalid({"": message})


def check_id_number(value: str | None):
    """GB 11643 resident identity number: 18 characters, birth date and check character."""
    if not value:
        return None
    return _id_number_problem(value)


@lru_cache(maxsize=262_144)
def _id_number_problem(value: str):
    """The (lazy) message for a bad ID number, or None; cached, as a row is checked more than once."""
    compact = ric.compact(value)
    if len(compact) != 18:
        return _l("An ID number has 18 characters.")
    try:
        ric.validate(compact)
    except InvalidChecksum:
        return _l("The ID number's check character is wrong.")
    except InvalidComponent:
        try:
            ric.get_birth_date(compact)
        except ValidationError:
            return _l("The ID number contains an invalid birth date.")
        return _l("The ID number's first six digits are not a county code in use at the birth date.")
    except (InvalidFormat, InvalidLength, ValidationError):
        return _l("The ID number is not in the 17 digits + check character format.")
    return None


def normalize_id_number(value: str | None) -> str | None:
    return ric.compact(value).upper() if value else value


def check_mobile(value: str | None):
    """Mainland mobile numbers: 11 digits starting with 1."""
    if not value:
        return None
    if not MOBILE_RE.match(value.strip()):
        return _l("A mobile number has 11 digits and starts with 1.")
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
