"""Flask's synchronous-hook check asked once per function (app.sync_hooks)."""

import flask.app

from tests.conftest import login


def test_each_hook_is_checked_once_per_worker(app, client, session, monkeypatch):
    login(client, "staff")
    assert client.get("/personview/list/").status_code == 200
    asked = []
    real = flask.app.iscoroutinefunction
    monkeypatch.setattr(flask.app, "iscoroutinefunction", lambda func: asked.append(func) or real(func))
    assert client.get("/personview/list/").status_code == 200
    assert asked == []  # every hook and the view were checked by an earlier request

    def new_hook():
        return "ran"

    assert app.ensure_sync(new_hook)() == "ran"
    assert app.ensure_sync(new_hook)() == "ran"
    assert asked == [new_hook]


def test_an_unhashable_callable_is_checked_each_time(app):
    class Unhashable:
        __hash__ = None

        def __call__(self):
            return "ran"

    assert app.ensure_sync(Unhashable())() == "ran"
