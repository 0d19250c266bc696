"""What one technique of the platform saves: a page timed with it and without it, in one process.

    .venv/bin/python bench/ab.py --reuse /tmp/perf-1m.db --page list --switch all-columns
    .venv/bin/python bench/ab.py --reuse /tmp/perf-1m.db --page edit --switch bound-anew --requests 1000
    .venv/bin/python bench/ab.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/benchdb --reuse \\
        --page list --switch orm-records

The database is prepared as ``bench/perf.py`` prepares it (the same ``--rows``, ``--reuse`` and
``--database-url``). The page is requested as ``admin`` through the Flask test client; each
timed request with the technique is followed by one without it (the switch turned on), so both
are timed in the same state of the machine, whose speed drifts by a half within minutes. It
prints both medians and their difference. A switch turns one technique off:
"""

import argparse
import os
import statistics
import sys
import time
from contextlib import contextmanager

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from bench import perf  # noqa: E402

PAGES = {
    "list": "/personview/list/",
    "show": "/personview/show/{middle}",
    "edit": "/personview/edit/{middle}",
    "rest": "/api/v1/person/",
}


def _datamodels():
    from app.datamodel import ScopedSQLAInterface
    from app.extensions import appbuilder

    return [
        view.datamodel
        for view in appbuilder.baseviews
        if isinstance(getattr(view, "datamodel", None), ScopedSQLAInterface)
    ]


@contextmanager
def _patched(owner, name: str, value, datamodels_kept_apart: bool = False):
    """``owner.name`` is ``value`` within; with ``datamodels_kept_apart``, each datamodel's shapes
    and built statements are the switch's own within (they depend on what is patched)."""
    saved = getattr(owner, name)
    setattr(owner, name, value)
    kept = []
    if datamodels_kept_apart:
        for datamodel in _datamodels():
            kept.append((datamodel, datamodel.row_shapes, datamodel.built_statements))
            datamodel.row_shapes, datamodel.built_statements = datamodel.__dict__.setdefault("_ab_kept", ({}, {}))
    try:
        yield
    finally:
        setattr(owner, name, saved)
        for datamodel, shapes, statements in kept:
            datamodel.row_shapes, datamodel.built_statements = shapes, statements


def _orm_records():
    import app.datamodel

    return _patched(app.datamodel, "read_columns", lambda _datamodel: None)


@contextmanager
def _all_columns():
    import app.list_records

    with _patched(app.list_records, "_root_keys", lambda *_args: None, datamodels_kept_apart=True):
        with _patched(app.list_records, "_named_keys", lambda *_args: None):
            yield


def _dict_per_row():
    from app.datamodel import ScopedSQLAInterface

    return _patched(ScopedSQLAInterface, "_straight", lambda _self, _columns: False)


def _bound_anew():
    from wtforms.meta import DefaultMeta

    from views.form_binding import KeptFieldsMeta

    return _patched(KeptFieldsMeta, "bind_field", DefaultMeta.bind_field)


def _dir_flags():
    from wtforms.fields.core import Flags

    return _patched(Flags, "__dir__", object.__dir__)


def _scope_unkept():
    from app.security_cache import SecurityCache

    kept_value = SecurityCache.value

    def value(self, session, key, compute):
        return compute() if key[0] == "data scope" else kept_value(self, session, key, compute)

    return _patched(SecurityCache, "value", value)


#: switch → (what it turns off, the context that turns it off)
SWITCHES = {
    "orm-records": ("records read through the ORM, not as plain rows (app/list_records.py)", _orm_records),
    "all-columns": ("rows holding every column of the record and of related records", _all_columns),
    "dict-per-row": ("a list's values read into a dict per row, not from a read-only record", _dict_per_row),
    "bound-anew": ("form fields bound anew for every form (views/form_binding.py)", _bound_anew),
    "dir-flags": ("dir() of a field's flags listing every name (views/field_html.py)", _dir_flags),
    "scope-unkept": ("the data scope worked out on every request (app/scope.py)", _scope_unkept),
}
__doc__ += ";".join(f"\n- ``{name}``: {what}" for name, (what, _context) in SWITCHES.items()) + "."


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--page", choices=sorted(PAGES), default="list", help="the page timed (default list)")
    parser.add_argument(
        "--switch", choices=sorted(SWITCHES), nargs="+", required=True, help="the techniques turned off, one at a time"
    )
    parser.add_argument("--requests", type=int, default=500, help="timed requests each way (default 500)")
    parser.add_argument("--rows", type=int, default=1_000_000, help="persons to seed (default 1,000,000)")
    parser.add_argument("--reuse", nargs="?", const="", metavar="PATH", help="as bench/perf.py's --reuse")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"), help="as bench/perf.py's")
    args = parser.parse_args(argv)
    if args.reuse == "" and not args.database_url:
        parser.error("--reuse needs a PATH with SQLite")
    return args


def compare(client, url: str, headers, switch, requests: int) -> tuple[float, float]:
    """The medians (ms) of ``url`` with the technique and without it (``switch`` on)."""
    with_it, without = [], []
    for number in range(perf.WARMUP + requests):
        for timings, context in ((with_it, None), (without, switch)):
            started = time.perf_counter()
            if context is None:
                response = client.get(url, headers=headers)
            else:
                with context():
                    response = client.get(url, headers=headers)
            elapsed = time.perf_counter() - started
            perf.require_ok(response, "the page", url)
            if number >= perf.WARMUP:
                timings.append(elapsed * 1000)
    return statistics.median(with_it), statistics.median(without)


def main(argv=None) -> None:
    args = parse_args(argv)
    app, _url, _seeding, tempdir = perf.seed_database(args)
    try:
        client = app.test_client()
        perf.login_form(client, *perf.ADMIN)
        headers = perf.api_token(client, *perf.ADMIN) if args.page == "rest" else None
        from app.extensions import db

        with app.app_context():
            live, middle = perf.live_and_middle(db.engine)
        url = PAGES[args.page].format(middle=middle)
        print(f"{url}, {args.requests} requests each way, {live:,} persons")
        for name in args.switch:
            what, switch = SWITCHES[name]
            with_it, without = compare(client, url, headers, switch, args.requests)
            print(f"{name}: with the technique median {with_it:.3f} ms; without ({what}) {without:.3f} ms; "
                  f"saved {without - with_it:+.3f} ms ({(without / with_it - 1) * 100:+.1f}%)")  # fmt: skip
    finally:
        perf.release_database(app, tempdir)


if __name__ == "__main__":
    main()
