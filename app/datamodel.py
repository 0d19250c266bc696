"""The data layer every domain view and API uses: scope, soft delete and clear errors.

``ScopedSQLAInterface`` extends Flask-AppBuilder's ``SQLAInterface`` so that:
- every query (list, show, edit, delete, bulk actions, REST, counts and the
  options of relation selects) hides soft-deleted rows and rows outside the
  user's data scope;
- delete is soft, and refused while the record still has live children;
- a broken business rule, a scope violation, a unique-index race or a lost
  edit race becomes a typed exception that views turn into a clear message.
"""

from operator import attrgetter

from flask_appbuilder.exceptions import FABException
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla import filters as fab_filters
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import format_number
from flask_babel import lazy_gettext as _l
from sqlalchemy import Enum, asc, bindparam, desc, func, inspect, literal, select, true, union_all
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import ColumnProperty, RelationshipProperty, joinedload
from sqlalchemy.orm.exc import StaleDataError

from models.mixins import RecordMixin, utcnow
from models.search import name_contains
from models.tally import tallied_by, tally_sum
from models.validation import RecordInvalid, constraint_refusal

from .list_records import RowShape, read_columns
from .scope import NOT_BY_DEPARTMENT, ScopeViolation, current_scope, scope_attrs

#: at most this many departments are read branch by branch (SQLite allows 500 in one compound SELECT)
MAX_NEWEST_BRANCHES = 200


class DeleteRefused(FABException):
    """The record can't be deleted now; ``reasons`` says why, in the user's language."""

    def __init__(self, reasons):
        super().__init__("; ".join(str(r) for r in reasons))
        self.reasons = reasons


class StaleEdit(FABException):
    """Someone else saved this record after it was loaded."""


class FilterNameOrPinyin(BaseFilter):
    """Contains, matching the Chinese name or its full pinyin or initials (wangwei, ww → 王伟);
    served by the trigram index where the table has one (``models.search``)."""

    name = _l("Contains (name or pinyin)")
    arg_name = "py"

    def apply(self, query, value):
        value = (value or "").strip()
        if not value:
            return query
        dialect = query.session.get_bind().dialect.name
        return query.filter(name_contains(self.model, self.column_name, value[:200], dialect))


class PlatformFilterConverter(fab_filters.SQLAFilterConverter):
    """Puts the name-or-pinyin filter first on columns that have a pinyin key."""

    conversion_table = (
        (
            "is_pinyin_searchable",
            [FilterNameOrPinyin, fab_filters.FilterEqual, fab_filters.FilterStartsWith, fab_filters.FilterNotContains],
        ),
        *fab_filters.SQLAFilterConverter.conversion_table,
    )

    def convert(self, col_name):
        """Flask-AppBuilder's conversion, worked out once per column of a datamodel. Each list or
        REST request builds three filter sets, and each set converts every column of the model
        (about 70 filter objects a set). A filter object holds only its column, its datamodel and
        its class's name, and is never changed, so the sets share them; each gets its own list."""
        converted = getattr(self.datamodel, "converted_filters", None)
        if converted is None:
            return super().convert(col_name)
        if col_name not in converted:
            converted[col_name] = super().convert(col_name)
        found = converted[col_name]
        return None if found is None else list(found)


class CountAtLeast(int):
    """A list's count that stopped at the limit: one more than ``limit``, so that pagination offers
    the pages up to the limit, and shown as "more than <limit>"."""

    def __new__(cls, limit: int):
        number = super().__new__(cls, limit + 1)
        number.limit = limit
        return number

    def __str__(self) -> str:
        return str(_l("more than %(count)s", count=format_number(self.limit)))


def list_count_limit() -> int:
    from flask import current_app, has_app_context

    return int(current_app.config.get("LIST_COUNT_LIMIT") or 0) if has_app_context() else 0


#: the bound parameter of a record's key in the statements built once (``ScopedSQLAInterface._by_key``)
RECORD_KEY = "record_pk"
#: the bound parameters of a list page's size and first row (``ScopedSQLAInterface._page_statement``)
PAGE_SIZE, PAGE_OFFSET = "page_size", "page_offset"
#: each datamodel keeps at most this many built statements (they differ by data scope)
MAX_BUILT_STATEMENTS = 256


def count_up_to(matching, limit: int):
    """SELECT count(*) of the rows ``matching`` selects, counting up to ``limit`` + 1 (0: all)."""
    if limit:
        matching = matching.limit(limit + 1)
    return select(func.count()).select_from(matching.subquery())


#: ids are INTEGER columns: a larger key is not found (PostgreSQL would refuse it with an error)
MAX_PK = 2**31 - 1


def parse_pk(value) -> int | None:
    """An integer primary key from a URL or form value, or None when it can't be one."""
    try:
        pk = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return pk if 0 < pk <= MAX_PK else None


def live_parents_clause(model):
    """A WHERE clause keeping the rows of ``model`` whose parent record (``__parent_attr__``), and
    that parent's own parent, are live; None for a model without a parent record."""
    parent_attr = getattr(model, "__parent_attr__", None)
    if not parent_attr:
        return None
    relation = inspect(model).relationships[parent_attr]
    parent = relation.mapper.class_
    if not issubclass(parent, RecordMixin):
        return None
    live = select(parent.id).where(parent.deleted_at.is_(None))
    grandparents_live = live_parents_clause(parent)
    if grandparents_live is not None:
        live = live.where(grandparents_live)
    return list(relation.local_columns)[0].in_(live)


class ScopedSQLAInterface(SQLAInterface):
    """SQLAInterface that applies data scope and soft delete on every read and write."""

    filter_converter_class = PlatformFilterConverter

    def __init__(self, obj, session=None, apply_scope: bool = True, deleted_only: bool = False):
        self.apply_scope = apply_scope
        self.deleted_only = deleted_only  # the recycle bin's view of the same table
        #: many-to-one relations loaded with the rows, in the same statement (set by the views
        #: from the columns they show), so a list page costs one query for its rows whatever its size
        self.eager_relations = ()
        #: column → its filter objects (``PlatformFilterConverter.convert``)
        self.converted_filters = {}
        #: list columns → how each column's value is read (``get_values``)
        self.value_readers = {}
        #: (statement, data scope, eager relations) → the statement (``_built``)
        self.built_statements = {}
        #: (eager relations, columns a page reads) → the shape of its rows, or None (``_row_shape_reading``)
        self.row_shapes = {}
        super().__init__(obj, session)

    def apply_all(
        self,
        query,
        filters=None,
        order_column="",
        order_direction="",
        page=None,
        page_size=None,
        select_columns=None,
        outer_default_load=False,
    ):
        """Flask-AppBuilder's query, with the eager relations joined, unless the caller named its
        columns (a REST ``columns`` argument): Flask-AppBuilder then joins what they need itself."""
        query = super().apply_all(
            query, filters, order_column, order_direction, page, page_size, select_columns, outer_default_load
        )
        if self.eager_relations and not select_columns:
            query = query.options(*(self._eager_option(name) for name in self.eager_relations))
        return query

    def _eager_option(self, name: str):
        """Join a relation, and the relations its label needs (``__str_relations__``), in one go."""
        option = joinedload(getattr(self.obj, name))
        related = self.get_related_model(name)
        for nested in getattr(related, "__str_relations__", ()):
            option = option.joinedload(getattr(related, nested))
        return option

    def apply_order_by(self, query, order_column, order_direction, *args, **kwargs):
        """A many-to-one relation sorts by the related record's name (Flask-AppBuilder would fail
        to sort by the relation itself)."""
        if order_column and "." not in order_column and self.is_relation_many_to_one(order_column):
            related = self.get_related_model(order_column)
            order_column = f"{order_column}.{'name' if hasattr(related, 'name') else 'id'}"
        return super().apply_order_by(query, order_column, order_direction, *args, **kwargs)

    def query_count(self, query, filters=None, select_columns=None) -> int:
        """The number of matching rows, counted up to ``LIST_COUNT_LIMIT`` (counting a million rows
        costs more than the page): beyond it, a ``CountAtLeast`` that shows as "more than N".

        Counted as SELECT count(*) over the filtered table: Flask-AppBuilder counts a subquery of
        every column, joined to the columns a list shows."""
        limit = list_count_limit()
        matching = self._apply_inner_all(query, filters, aliases_mapping={}).with_entities(literal(1)).order_by(None)
        return self._counted(count_up_to(matching.statement, limit), limit)

    def _counted(self, statement, limit: int) -> int:
        """The answer of a ``count_up_to`` statement: a ``CountAtLeast`` beyond ``limit``."""
        number = self.session.execute(statement).scalar()
        return CountAtLeast(limit) if limit and number > limit else number

    def query(
        self,
        filters=None,
        order_column="",
        order_direction="",
        page=None,
        page_size=None,
        select_columns=None,
        outer_default_load=False,
    ):
        """The count and one page of records. A plain list page (no filters, no named columns, no
        order through a relation) reads both with directly built statements; Flask-AppBuilder
        builds a filter set, an aliases map and a legacy Query around each of them. Where the
        tallies tell the count (``_tally_statement``), it comes with the rows, in one statement."""
        plain_order = not order_column or isinstance(inspect(self.obj).attrs.get(order_column), ColumnProperty)
        if select_columns or (filters is not None and filters.filters) or not plain_order or self.is_pk_composite():
            return super().query(
                filters, order_column, order_direction, page, page_size, select_columns, outer_default_load
            )
        direction = "asc" if order_direction == "asc" else "desc"
        paged = bool(page_size)
        tallied = self._tally_statement()
        # records the page only reads come as plain rows (``app.list_records``)
        shape = self._row_shape_reading(read_columns(self))
        statement = self._built(
            f"{'page' if shape is None else f'rows of {shape.selected}'} by {order_column} {direction}"
            f"{' paged' if paged else ''}{' tallied' if tallied is not None else ''}",
            lambda: self._page_statement(order_column, direction, paged, tallied, shape),
        )
        arguments = {PAGE_SIZE: page_size, PAGE_OFFSET: (page or 0) * page_size} if paged else {}
        count = self._plain_count() if tallied is None else None
        if shape is not None:
            rows = self._plain_rows(statement, arguments)
            records = shape.records(rows)
        elif tallied is None:
            return count, list(self.session.execute(statement, arguments).unique().scalars())
        else:
            rows = self.session.execute(statement, arguments).unique().all()
            records = [row[0] for row in rows]
        if count is None:
            # the tallies' sum comes last in each row; a page past the end has none, and asks apart
            count = rows[0][-1] if rows else self.session.execute(tallied).scalar()
        return count, records

    def _row_shape_reading(self, columns) -> RowShape | None:
        """The shape of this model's rows with its eager relations, when the list being drawn
        reads only ``columns`` it holds (``app.list_records``); else None."""
        if columns is None:
            return None
        key = (self.eager_relations, columns)  # the columns some view's code declares: a few per view
        if key not in self.row_shapes:
            shape = RowShape.of(self.obj, self.eager_relations, columns)
            self.row_shapes[key] = shape if shape is not None and shape.reads(columns) else None
        return self.row_shapes[key]

    def _plain_rows(self, statement, arguments) -> list:
        """The rows of a statement of plain columns, read in the session's transaction after its
        autoflush, as ``session.execute`` reads an ORM statement's."""
        if self.session.autoflush:
            self.session.flush()
        return self.session.connection().execute(statement, arguments).all()

    def _plain_count(self) -> int:
        """The number of live records in scope where the tallies can't tell it (see ``query``):
        counted up to ``LIST_COUNT_LIMIT``."""
        limit = list_count_limit()
        counted = self._built(
            f"count up to {limit}", lambda: count_up_to(self.restrict(select(literal(1)).select_from(self.obj)), limit)
        )
        return self._counted(counted, limit)

    def _tally_statement(self):
        """The SELECT adding up the tallies of this list's live records in scope, or None when they
        can't answer it (no tally, the recycle bin's deleted rows, rows whose parent may be deleted,
        a scope that is not a set of departments)."""
        table = getattr(self.obj, "__tablename__", None)
        column = tallied_by(table) if table else None
        if column is None or self.deleted_only or not issubclass(self.obj, RecordMixin):
            return None
        if live_parents_clause(self.obj) is not None:
            return None
        departments = current_scope().department_limit(self.obj, column) if self.apply_scope else None
        if departments is NOT_BY_DEPARTMENT:
            return None
        return self._built("tally", lambda: tally_sum(table, departments))

    def _page_statement(self, order_column: str, direction: str, paged: bool, tallied=None, shape=None):
        """The live records in scope, ordered as Flask-AppBuilder orders them (the column, then the
        key to break ties, in one direction), one page (``PAGE_SIZE`` from ``PAGE_OFFSET``) when
        ``paged``, with the eager relations; with the ``tallied`` count beside each record when
        given (one statement, one round trip, instead of two). With a ``shape``, the same rows as
        plain columns (``app.list_records``)."""
        base = select(self.obj) if shape is None else select(*shape.columns).select_from(shape.from_clause)
        statement = self.restrict(base)
        if tallied is not None:
            statement = statement.add_columns(tallied.scalar_subquery())
        if order_column:
            ordering = asc if direction == "asc" else desc
            column, pk = getattr(self.obj, order_column), self.get_pk()
            statement = statement.order_by(ordering(column), *([ordering(pk)] if column is not pk else []))
        if paged:
            statement = statement.limit(bindparam(PAGE_SIZE)).offset(bindparam(PAGE_OFFSET))
        return self._with_eager_relations(statement) if shape is None else statement

    def eager_load(self, columns) -> None:
        """Load these columns' many-to-one relations with the rows (other columns are ignored)."""
        names = {column.split(".")[0] for column in columns or ()}
        self.eager_relations = tuple(
            sorted(set(self.eager_relations) | {n for n in names if self.is_relation_many_to_one(n)})
        )

    # ----- reads ---------------------------------------------------------
    def get_values(self, lst, list_columns):
        """Each item's value of each list column, as Flask-AppBuilder's ``_get_attr_value`` reads it,
        with each column's way of reading worked out once per datamodel: a list page reads 175
        values, and ``_get_attr_value`` asks three ``getattr`` and two ``hasattr`` for each."""
        readers = self._readers(list_columns)
        straight = self._straight(list_columns)
        for item in lst:
            values = item.__dict__
            if straight and "_sa_instance_state" not in values:
                yield values  # a read-only record's own values (``app.list_records``): they are these
            else:
                yield {column: read(item) for column, read in readers}

    def get_values_item(self, item, show_columns):
        """One record's value of each column (a record page), read as ``get_values`` reads them."""
        return [read(item) for _column, read in self._readers(show_columns)]

    def _readers(self, columns) -> list:
        """(column, how its value is read) for each of ``columns``, worked out once per datamodel."""
        key = tuple(columns)
        readers = self.value_readers.get(key)
        if readers is None:
            readers = self.value_readers[key] = [(column, self.value_reader(column)) for column in key]
        return readers

    def _straight(self, columns) -> bool:
        """Whether each of ``columns`` is read as a plain attribute: a read-only record's
        ``__dict__`` then holds each value under its column's name."""
        return all(type(read) is attrgetter for _column, read in self._readers(columns))

    def value_reader(self, column: str):
        """One attribute access for a mapped column (not an Enum: Flask-AppBuilder shows its value)
        or a many-to-one relation to a record that can't be called; ``_get_attr_value`` for the
        rest (dotted paths, properties, methods)."""
        prop = inspect(self.obj).attrs.get(column)
        if isinstance(prop, ColumnProperty) and not any(isinstance(c.type, Enum) for c in prop.columns):
            return attrgetter(column)
        if isinstance(prop, RelationshipProperty) and not prop.uselist:
            related = prop.mapper.class_
            if not any("__call__" in vars(cls) for cls in related.__mro__ if cls is not object):
                return attrgetter(column)
        return lambda item: self._get_attr_value(item, column)

    def is_pinyin_searchable(self, col_name: str) -> bool:
        return col_name in getattr(self.obj, "__pinyin_columns__", ())

    def restrict(self, query):
        """Hide deleted rows, rows whose parent record is deleted (a deleted meeting's resolutions,
        a deleted inspection's rectifications) and rows outside the current scope."""
        if issubclass(self.obj, RecordMixin):
            deleted = self.obj.deleted_at.isnot(None) if self.deleted_only else self.obj.deleted_at.is_(None)
            query = query.filter(deleted)
            parents_live = None if self.deleted_only else live_parents_clause(self.obj)
            if parents_live is not None:
                query = query.filter(parents_live)
        if self.apply_scope:
            clause = current_scope().clause(self.obj)
            if clause is not None:
                query = query.filter(clause)
        return query

    def newest(self, order_column, limit: int) -> list:
        """The ``limit`` live records in scope with the latest ``order_column``, newest first.

        Under a department scope the rows are read department by department, each branch the
        few newest rows of one department (an index range on department and ``order_column``),
        all in one statement. So the cost follows the rows shown, not the rows in scope, whatever
        statistics the database keeps; a plain ORDER BY … LIMIT over a large scope may sort it all."""
        model = self.obj
        scope = current_scope()
        attrs = scope_attrs(model)
        branches_fit = 0 < len(scope.department_ids) <= MAX_NEWEST_BRANCHES
        plain_attr = len(attrs) == 1 and not hasattr(model, "scope_clause") and not hasattr(model, "__parent_attr__")
        order = (order_column.desc(), model.id.desc())
        if not (self.apply_scope and scope.kind in ("dept", "dept_and_below") and branches_fit and plain_attr):
            return self.restrict(self.session.query(model)).order_by(*order).limit(limit).all()
        owner = getattr(model, attrs[0])
        live = model.deleted_at.is_(None) if issubclass(model, RecordMixin) else true()
        branches = [
            select(model.id, order_column.label("ordered"))
            .where(live, owner == department_id)
            .order_by(*order)
            .limit(limit)
            .subquery()
            for department_id in sorted(scope.department_ids)
        ]
        newest = union_all(*[select(branch.c.id, branch.c.ordered) for branch in branches]).subquery()
        ids = self.session.execute(
            select(newest.c.id).order_by(newest.c.ordered.desc(), newest.c.id.desc()).limit(limit)
        ).scalars()
        ids = list(ids)
        if not ids:
            return []
        found = {item.id: item for item in self.restrict(self.session.query(model)).filter(model.id.in_(ids))}
        return [found[pk] for pk in ids if pk in found]

    def _apply_inner_all(self, query, filters=None, *args, **kwargs):
        return super()._apply_inner_all(self.restrict(query), filters, *args, **kwargs)

    def get(self, id, filters=None, select_columns=None, outer_default_load=False):
        """One live, in-scope record by primary key; a malformed key is simply not found."""
        pk = parse_pk(id)
        if pk is None:
            return None
        if select_columns or (filters is not None and filters.filters) or self.is_pk_composite():
            return super().get(pk, filters, select_columns=select_columns, outer_default_load=outer_default_load)
        # no filter of the view's own: one SELECT by key, scoped and with the eager relations, built
        # directly (Flask-AppBuilder builds a filter list and a legacy Query around the same statement)
        shape = self._row_shape_reading(read_columns(self))
        if shape is not None:
            # a page that only reads ``reading``'s columns gets a read-only record (``app.list_records``)
            rows = self._plain_rows(self._by_key(shape), {RECORD_KEY: pk})
            return shape.records(rows)[0] if rows else None
        return self.session.execute(self._by_key(), {RECORD_KEY: pk}).unique().scalar_one_or_none()

    def _by_key(self, shape: RowShape | None = None):
        """The SELECT of one live record in scope by its key (``RECORD_KEY``), with the eager
        relations (as plain columns with a ``shape``): built once per data scope, as it depends
        only on the scope."""

        def build():
            base = select(self.obj) if shape is None else select(*shape.columns).select_from(shape.from_clause)
            statement = self.restrict(base.where(getattr(self.obj, self.get_pk_name()) == bindparam(RECORD_KEY)))
            return self._with_eager_relations(statement) if shape is None else statement

        return self._built("by key" if shape is None else f"row of {shape.selected} by key", build)

    def _with_eager_relations(self, statement):
        if self.eager_relations:
            statement = statement.options(*(self._eager_option(name) for name in self.eager_relations))
        return statement

    def _built(self, name: str, build):
        """The statement ``build()`` makes for this request's data scope, kept per datamodel (at most
        ``MAX_BUILT_STATEMENTS``): what ``restrict`` adds depends only on the scope."""
        key = (name, current_scope() if self.apply_scope else None, self.eager_relations)
        statement = self.built_statements.get(key)
        if statement is None:
            if len(self.built_statements) >= MAX_BUILT_STATEMENTS:
                self.built_statements.clear()
            statement = self.built_statements[key] = build()
        return statement

    def get_related_interface(self, col_name: str):
        public = col_name in getattr(self.obj, "__public_relations__", ())
        return ScopedSQLAInterface(self.get_related_model(col_name), self._session, apply_scope=not public)

    # ----- writes --------------------------------------------------------
    def _commit(self, prepare=None) -> None:
        """Run ``prepare`` (which may flush) and commit, mapping failures to typed exceptions."""
        try:
            if prepare is not None:
                prepare()
            self.session.commit()
        except (RecordInvalid, ScopeViolation):
            self.session.rollback()
            raise
        except StaleDataError as exc:
            self.session.rollback()
            raise StaleEdit(str(_l("Someone else saved this record in the meantime."))) from exc
        except IntegrityError as exc:
            self.session.rollback()
            raise constraint_refusal(exc) or RecordInvalid(
                {"": _l("This record conflicts with an existing one (a duplicate or a missing reference).")}
            ) from exc
        except SQLAlchemyError:
            self.session.rollback()
            raise

    def add(self, item, commit: bool = True) -> None:
        self.session.add(item)
        if commit:
            self._commit()

    def edit(self, item, commit: bool = True) -> None:
        if commit:
            self._commit(lambda: self.session.merge(item))
        else:
            self.session.merge(item)

    def soft_delete(self, item) -> None:
        reasons = item.delete_blockers(self.session) if isinstance(item, RecordMixin) else []
        if reasons:
            raise DeleteRefused(reasons)
        if not current_scope().allows(item):
            raise ScopeViolation(type(item).__name__)
        if isinstance(item, RecordMixin):
            item.deleted_at = utcnow()
        else:
            self.session.delete(item)

    def delete(self, item, commit: bool = True) -> None:
        try:
            self.soft_delete(item)
        except (DeleteRefused, ScopeViolation):
            self.session.rollback()
            raise
        if commit:
            self._commit()

    def delete_all(self, items) -> None:
        try:
            for item in items:
                self.soft_delete(item)
        except (DeleteRefused, ScopeViolation):
            self.session.rollback()
            raise
        self._commit()
