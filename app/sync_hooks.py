"""Flask's check that a hook or view is not a coroutine function, asked once per function.

For every before- and after-request hook and the view of every request, Flask asks
``ensure_sync``, which asks ``inspect.iscoroutinefunction`` (its code flags, wrapped functions
unwrapped): some twenty times a request here, a thirtieth of a signed-in request's time. A
function's answer never changes, so each worker keeps it.
"""

from flask import Flask

#: functions kept per worker (hooks and views: a few hundred); a full table starts again
MAX_KEPT = 4096


def install(app: Flask) -> None:
    """Keep ``app.ensure_sync``'s answer per function."""
    ask = app.ensure_sync
    kept: dict = {}

    def ensure_sync(func):
        try:
            return kept[func]
        except KeyError:
            pass
        except TypeError:  # an unhashable callable
            return ask(func)
        if len(kept) >= MAX_KEPT:
            kept.clear()
        answer = kept[func] = ask(func)
        return answer

    app.ensure_sync = ensure_sync
