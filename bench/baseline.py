"""What every page of the platform costs before it draws anything of its own.

Two routes are added to the benchmarked app (before its first request; nothing is written to
the database):

* ``/bench/baseline/request``: a signed-in request that passes the show page's permission check
  (``can_read`` on ``Person``) and answers a word: the request pipeline (session, user,
  security stamp, permission set, rate limiter, CSRF, security headers);
* ``/bench/baseline/page``: the same, drawing Flask-AppBuilder's base layout (head, top bar,
  footer) with nothing in it: what every screen adds before its own content.

Timed against the show page's floor, they tell how much of the 2.5× allowance a page has spent
before it reads its record.
"""

from flask import Flask, abort, render_template

REQUEST_URL = "/bench/baseline/request"
PAGE_URL = "/bench/baseline/page"


def _allowed() -> None:
    from app.extensions import appbuilder

    if not appbuilder.sm.has_access("can_read", "Person"):
        abort(403)


def baseline_request() -> str:
    _allowed()
    return "ok"


def baseline_page() -> str:
    from app.extensions import appbuilder

    _allowed()
    return render_template("appbuilder/base.html", base_template=appbuilder.base_template, appbuilder=appbuilder)


def add_baseline_routes(app: Flask) -> None:
    """Add both routes; call it before the app's first request."""
    app.add_url_rule(REQUEST_URL, "bench_baseline_request", baseline_request)
    app.add_url_rule(PAGE_URL, "bench_baseline_page", baseline_page)
