"""Links to the static files, worked out once per file: every page links about twenty stylesheets
and scripts, and each ``url_for`` walks the URL map again for the same answer."""

from flask import Flask, request, url_for


def init_assets(app: Flask) -> None:
    links: dict = {}

    def asset_url(endpoint: str, filename: str) -> str:
        """``url_for(endpoint, filename=filename)``, remembered per file and mount point."""
        key = (endpoint, filename, request.script_root)
        link = links.get(key)
        if link is None:
            link = links[key] = url_for(endpoint, filename=filename)
        return link

    app.jinja_env.globals["asset_url"] = asset_url
