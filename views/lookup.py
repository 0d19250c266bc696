"""The JSON endpoint behind ``AjaxSelectField`` relation selects."""

from flask import abort, jsonify, request
from flask_appbuilder import expose, has_access
from sqlalchemy import or_

from app.extensions import db

LOOKUP_LIMIT = 20


class RelationLookupMixin:
    """The JSON endpoint behind ``AjaxSelectField``: live, in-scope rows matching ``q`` (name, code or pinyin)."""

    def lookup_interface(self, column):
        """The scoped data layer of the model a relation column points to, or None."""
        fields = {**(self.add_form_extra_fields or {}), **(self.search_form_extra_fields or {})}
        if column not in fields or not self.datamodel.is_relation(column):
            return None
        return self.datamodel.get_related_interface(column)

    @expose("/lookup/<column>")
    @has_access
    def lookup(self, column):
        """Select2 options for a relation field."""
        related = self.lookup_interface(column)
        if related is None:
            abort(404)
        model = related.obj
        term = (request.args.get("q") or "").replace("\x00", "").strip()[:50]
        query = related.restrict(db.session.query(model))
        if term:
            conditions = [model.id == int(term)] if term.isdigit() and len(term) < 18 else []
            for name in ("name", "name_en", "code"):
                if hasattr(model, name):
                    conditions.append(getattr(model, name).ilike(f"%{term}%"))
            if hasattr(model, "name_pinyin"):
                conditions.append(model.name_pinyin.like(f"%{term.lower()}%"))
            query = query.filter(or_(*conditions))
        order = getattr(model, "name", model.id)
        rows = query.order_by(order).limit(LOOKUP_LIMIT).all()
        return jsonify(results=[{"id": row.id, "text": str(row)} for row in rows])
