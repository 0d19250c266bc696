"""The floor of each measured page: the least work that serves the same rows.

A bare Flask app (no Flask-AppBuilder, no login, no ORM) answers each page with one SQLAlchemy Core
query selecting the same rows as the real page (same filter, order, offset and page size), rendered
through a trivial Jinja2 template (a plain ``<table>``, or a plain form for the edit page), or dumped
with ``json.dumps`` for the REST list. It is timed exactly like the real pages (Flask test client,
in-process), so ``median(page) / median(floor)`` is the overhead of the framework and the app.
"""

import json

from flask import Flask, Response, abort, request
from jinja2 import Environment
from sqlalchemy import MetaData, Table, create_engine, select
from sqlalchemy.engine import Engine

LIST_COLUMNS = ("id", "name", "gender", "id_number", "position", "category", "status")
RECORD_COLUMNS = (
    "id",
    "name",
    "gender",
    "id_number",
    "mobile",
    "position",
    "category",
    "political_status",
    "education",
    "hired_on",
    "left_on",
    "status",
    "social_work_qualification",
    "created_at",
    "updated_at",
    "version",
)
#: what the REST list answers per person (``PersonApi.list_columns``, the department as id and name)
API_COLUMNS = (
    "id",
    "name",
    "gender",
    "id_number",
    "mobile",
    "department_id",
    "position",
    "category",
    "political_status",
    "education",
    "hired_on",
    "left_on",
    "status",
    "social_work_qualification",
    "version",
)
TABLE_TEMPLATE = """<!doctype html><html><head><title>Persons</title></head><body>
<table>
<thead><tr>{% for key in keys %}<th>{{ key }}</th>{% endfor %}</tr></thead>
<tbody>{% for row in rows %}<tr>{% for value in row %}<td>{{ value }}</td>{% endfor %}</tr>{% endfor %}</tbody>
</table></body></html>"""
FORM_TEMPLATE = """<!doctype html><html><head><title>Edit person</title></head><body>
<form method="post">{% for key, value in row.items() %}
<label>{{ key }} <input name="{{ key }}" value="{{ value if value is not none else '' }}"></label>
{% endfor %}<button type="submit">Save</button></form></body></html>"""


class FloorQueries:
    """The Core queries of the floor pages, on the tables as they are in the benchmark database."""

    def __init__(self, engine: Engine):
        metadata = MetaData()
        self.person = Table("person", metadata, autoload_with=engine)
        self.department = Table("department", metadata, autoload_with=engine)

    def _joined(self, columns):
        person, department = self.person, self.department
        selected = [person.c[name] for name in columns] + [department.c.name.label("department")]
        joined = person.join(department, department.c.id == person.c.department_id)
        return select(*selected).select_from(joined).where(person.c.deleted_at.is_(None))

    def page(self, order: str, offset: int, limit: int, term: str | None = None, columns=LIST_COLUMNS):
        """One list page: ``order`` is "name", "department_name", "department_id" or "id"."""
        person, department = self.person, self.department
        query = self._joined(columns)
        if term:
            query = query.where(person.c.name.contains(term, autoescape=True))
        ordering = {
            "name": (person.c.name,),
            "department_name": (department.c.name,),
            "department_id": (person.c.department_id,),
            "id": (),
        }[order]
        return query.order_by(*ordering, person.c.id).limit(limit).offset(offset)

    def record(self, pk: int):
        return self._joined(RECORD_COLUMNS).where(self.person.c.id == pk)


def create_floor_app(database_url: str) -> Flask:
    """The floor app: /list, /show/<pk>, /edit/<pk> and /api on its own engine."""
    engine = create_engine(database_url)
    queries = FloorQueries(engine)
    templates = Environment(autoescape=True)
    table = templates.from_string(TABLE_TEMPLATE)
    form = templates.from_string(FORM_TEMPLATE)
    app = Flask("bench_floor")

    def list_query(columns=LIST_COLUMNS):
        args = request.args
        return queries.page(
            args.get("order", "name"),
            args.get("offset", 0, type=int),
            args.get("limit", 25, type=int),
            args.get("q"),
            columns,
        )

    @app.get("/list")
    def list_page():
        with engine.connect() as conn:
            result = conn.execute(list_query())
            return table.render(keys=list(result.keys()), rows=result.all())

    @app.get("/api")
    def rest_list():
        with engine.connect() as conn:
            rows = [dict(row) for row in conn.execute(list_query(API_COLUMNS)).mappings()]
        body = json.dumps({"count": len(rows), "result": rows}, ensure_ascii=False, default=str)
        return Response(body, mimetype="application/json")

    @app.get("/show/<int:pk>")
    def show_page(pk: int):
        with engine.connect() as conn:
            result = conn.execute(queries.record(pk))
            rows = result.all()
        if not rows:
            abort(404)
        return table.render(keys=list(result.keys()), rows=rows)

    @app.get("/edit/<int:pk>")
    def edit_page(pk: int):
        with engine.connect() as conn:
            row = conn.execute(queries.record(pk)).mappings().first()
        if row is None:
            abort(404)
        return form.render(row=dict(row))

    app.extensions["bench_engine"] = engine
    return app
