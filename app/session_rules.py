"""Rules applied at every flush, whatever the path (UI, bulk action, REST API, CLI, import).

Before a flush, for each new or changed domain record this hook:
- stamps ``created_at/by`` and ``updated_at/by``;
- refreshes the pinyin search columns;
- runs the model's ``validate()`` and refuses the flush with ``RecordInvalid`` (also for text
  with control characters or lone surrogates, in any text column);
- refuses records outside the user's data scope with ``ScopeViolation``;
- writes a ``Transfer`` row when a person's department changes.
"""

import re
from datetime import date
from functools import cache, lru_cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, event, inspect
from sqlalchemy.orm import Session

from models import Person, Transfer
from models.mixins import RecordMixin, has_net_changes, utcnow
from models.validation import RecordInvalid

from .scope import ScopeViolation, current_scope, current_user_id, fk_value

#: characters no text field keeps: C0 controls but tab, newline and carriage return, DEL, the
#: non-characters U+FFFE/U+FFFF and lone UTF-16 surrogates (a JSON "\ud800" escape). PostgreSQL
#: refuses NUL, a spreadsheet or XML file the rest: refused alike on every database and path
FORBIDDEN_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
CONTROL_CHARACTERS_MESSAGE = _l("The text contains control characters or invalid characters; remove them.")

#: marks the text pypinyin left as it is (not Chinese characters)
NOT_HAN = "\0"


@lru_cache(maxsize=65_536)
def pinyin_key(text: str | None) -> str | None:
    """'王伟' → 'wangwei ww': full pinyin and initials, searchable with LIKE (one conversion for
    both; text that is not Chinese stays as it is in both parts; names repeat, so it is cached)."""
    if not text:
        return None
    syllables = [s for words in _pinyin_engine().seg(text) for s in _segment_syllables(words)]
    full = "".join(s.removeprefix(NOT_HAN) for s in syllables).lower()
    initials = "".join(s[1:] if s.startswith(NOT_HAN) else s[:1] for s in syllables).lower()
    return f"{full} {initials}".replace("  ", " ")[:600]


def _not_han(chunk: str) -> list[str]:
    return [NOT_HAN + chunk]


@lru_cache(maxsize=1)
def _pinyin_engine():
    """pypinyin's phrase segmenter and converter (its dictionaries take ~50 MB: loaded by the first
    write, not at start)."""
    from pypinyin.converter import DefaultConverter
    from pypinyin.core import Pinyin

    return Pinyin(DefaultConverter())


@lru_cache(maxsize=65_536)
def _segment_syllables(words: str) -> tuple[str, ...]:
    """The syllables of one segment, as ``lazy_pinyin`` gives them: pypinyin converts each segment
    on its own, and names share their segments (surnames, given-name characters), so each
    segment is converted once. A segment without Chinese characters (the digits of "测试12")
    stays as it is, as pypinyin would leave it, without a second segmentation."""
    from pypinyin import Style
    from pypinyin.constants import RE_HANS

    if not RE_HANS.match(words):
        return (NOT_HAN + words,)
    converted = _pinyin_engine().pinyin(words, style=Style.NORMAL, heteronym=False, errors=_not_han, strict=True)
    return tuple(syllable for readings in converted for syllable in readings)


@cache
def text_column_keys(model) -> frozenset:
    """The keys of ``model``'s text columns (String, Text and their kinds)."""
    return frozenset(attr.key for attr in inspect(model).column_attrs if isinstance(attr.columns[0].type, String))


def _text_problems(item, is_new: bool) -> dict:
    """{column: message} for the text columns this flush sets to a value with forbidden characters."""
    state = inspect(item)
    values = state.dict  # what is set, read without the attribute machinery (an unset column is no text)
    keys = text_column_keys(type(item))
    if not is_new:
        keys = keys.intersection(state.committed_state)
    texts = [value for key in keys if isinstance(value := values.get(key), str)]
    if not texts or not FORBIDDEN_CHARACTERS.search("".join(texts)):
        return {}  # the usual case: one search over all of the record's text
    return {
        key: CONTROL_CHARACTERS_MESSAGE
        for key in keys
        if isinstance(value := values.get(key), str) and FORBIDDEN_CHARACTERS.search(value)
    }


@cache
def python_defaults(model) -> tuple:
    """(attribute, default) for each column of ``model`` with a Python-side default (scalar or
    callable), primary keys left out: what an INSERT would fill in."""
    return tuple(
        (attr.key, attr.columns[0].default)
        for attr in inspect(model).column_attrs
        if attr.columns[0].default is not None
        and not attr.columns[0].primary_key
        and (attr.columns[0].default.is_scalar or attr.columns[0].default.is_callable)
    )


def _assigner(item):
    """How the rules set a column of ``item``: through the attribute for a record a session tracks,
    so that its flush sees the change; straight into the values of an untracked one (a record of
    the bulk insert, which writes its values itself and keeps no history)."""
    if inspect(item).session_id is None:
        return item.__dict__.__setitem__
    return lambda key, value: setattr(item, key, value)


def _column_defaults(item, assign) -> None:
    """A new record's unset columns take their plain (non-callable) defaults before the rules run:
    SQLAlchemy would only fill them in at INSERT, after ``validate()`` refused the missing value
    (a meeting posted through the API without a status is a draft, not "choose a status")."""
    values = item.__dict__
    for key, default in python_defaults(type(item)):
        if key != "version" and default.is_scalar and values.get(key) is None:
            assign(key, default.arg)


def _stamp(item, user_id, is_new: bool) -> None:
    now = utcnow()
    assign = _assigner(item)
    values = item.__dict__
    if is_new:
        _column_defaults(item, assign)
        assign("created_at", values.get("created_at") or now)
        assign("created_by_id", values.get("created_by_id") or user_id)
    assign("updated_at", now)
    assign("updated_by_id", user_id)
    for column in item.__pinyin_columns__:
        if is_new or column in inspect(item).committed_state:
            assign(f"{column}_pinyin", pinyin_key(getattr(item, column)))


def _department_change(person: Person):
    """(old_id, new_id) when a person's department changes in this flush, else None."""
    state = inspect(person)
    new_id = fk_value(person, "department_id")
    rel_hist = state.attrs.department.history
    fk_hist = state.attrs.department_id.history
    old_id = None
    if rel_hist.deleted and rel_hist.deleted[0] is not None:
        old_id = rel_hist.deleted[0].id
    elif fk_hist.deleted:
        old_id = fk_hist.deleted[0]
    elif rel_hist.unchanged and rel_hist.unchanged[0] is not None:
        old_id = rel_hist.unchanged[0].id
    else:
        old_id = person.department_id
    if old_id is None or new_id is None or old_id == new_id:
        return None
    return old_id, new_id


def apply_rules(session: Session, item, is_new: bool, user_id, scope) -> dict:
    """Stamp one record, run its ``validate()``, check its scope and its change rules.

    Returns the validation problems ({field: message}); raises ``ScopeViolation`` when the record
    lies outside ``scope``. Every flush calls this for each new or changed record, and so does the
    bulk insert (``app.bulk``) for the rows it writes without a flush."""
    problems = _text_problems(item, is_new)
    _stamp(item, user_id, is_new)
    problems.update(item.validate(session))
    if problems:
        return problems
    if not scope.allows(item):
        raise ScopeViolation(type(item).__name__)
    if hasattr(item, "check_change"):
        item.check_change(scope, session)
    return {}


def before_flush(session: Session, flush_context, instances) -> None:
    records = [o for o in session.new if isinstance(o, RecordMixin)]
    records += [o for o in session.dirty if isinstance(o, RecordMixin) and has_net_changes(o)]
    if not records:
        return
    user_id = current_user_id()
    scope = current_scope()
    errors = {}
    with session.no_autoflush:
        for item in records:
            is_new = item in session.new
            problems = apply_rules(session, item, is_new, user_id, scope)
            if problems:
                errors.update(problems)
                continue
            if isinstance(item, Person) and not is_new:
                change = _department_change(item)
                if change:
                    transfer = Transfer(
                        person=item,
                        from_department_id=change[0],
                        to_department_id=change[1],
                        transferred_on=date.today(),
                        reason=item.transfer_reason,
                    )
                    session.add(transfer)
                    _stamp(transfer, user_id, True)
    if errors:
        raise RecordInvalid(errors)
    for item in session.deleted:
        if isinstance(item, RecordMixin) and not scope.allows(item):
            raise ScopeViolation(type(item).__name__)


def install() -> None:
    if not event.contains(Session, "before_flush", before_flush):
        event.listen(Session, "before_flush", before_flush)
