"""The platform works without the internet: no page, script or style sheet loads anything from another host.

For each role this walks the home page, the navbar's dropdown menu pages, the profile forms and the
add/edit forms linked from each register's list, then every <script src>, <link href> and <img src>
of those pages and every url(...) of their style sheets, fetching the local files with the test client.

- In a page's HTML any URL to another host counts (http://, https:// or protocol-relative //host).
- In a JS or CSS file only what can load something counts: a remote URL in url(...), after @import,
  after src= / href=, or as a string literal in code. Comments are removed first, so licence and
  documentation links are fine.

Allowed everywhere: w3.org namespace URIs, 127.0.0.1 and localhost.
"""

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from flask import url_for

ROLES = ("as_admin", "as_staff", "as_staff_jj", "as_supervisor")
ALLOWED_HOSTS = re.compile(r"^(?:[\w.-]*\.)?w3\.org$|^localhost$|^127\.0\.0\.1$", re.IGNORECASE)
HOST = r"([A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z]{2,}|localhost|\d{1,3}(?:\.\d{1,3}){3})"

#: In HTML: any absolute URL, and protocol-relative ones where an attribute or string starts them.
HTML_REMOTE = re.compile(r"https?://" + HOST + r"|(?<=[\"'(=])\s*//" + HOST, re.IGNORECASE)

#: In JS/CSS, after comments are removed: the constructs that make a browser fetch something.
URL = r"(?:https?:)?//" + HOST
LOADING_CONSTRUCTS = [
    re.compile(r"url\(\s*[\"']?\s*" + URL, re.IGNORECASE),  # CSS url(), also in JS-built styles
    re.compile(r"@import\s+(?:url\()?\s*[\"']?\s*" + URL, re.IGNORECASE),  # CSS @import
    re.compile(r"\b(?:src|href|srcset|action)\s*[=:]\s*[\"']?\s*" + URL, re.IGNORECASE),  # src=, href=
    re.compile(r"[\"'`]\s*" + URL),  # a URL string literal in code: fetch("..."), loader("..."), el.src = "..."
]
BLOCK_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
LINE_COMMENT = re.compile(r"(?:^|(?<=[\s;{}]))//[^\n]*")

#: Pages accepted to load from another host: (path prefix, reason). Empty, and it should stay so.
KNOWN_REMOTE_PAGES: set[tuple[str, str]] = set()


class Refs(HTMLParser):
    """The links and the referenced assets of a page."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.menu_links: list[str] = []
        self.assets: list[str] = []
        self._ul_stack: list[bool] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "ul":
            self._ul_stack.append("dropdown-menu" in (attributes.get("class") or "").split())
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
            if any(self._ul_stack):
                self.menu_links.append(attributes["href"])
        if tag in ("script", "img") and attributes.get("src"):
            self.assets.append(attributes["src"])
        if tag == "link" and attributes.get("href"):
            self.assets.append(attributes["href"])

    def handle_endtag(self, tag):
        if tag == "ul" and self._ul_stack:
            self._ul_stack.pop()


def local_path(href: str) -> str | None:
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def remote_urls_in_html(html: str) -> list[str]:
    return sorted({match.group(0).strip() for match in HTML_REMOTE.finditer(html) if not allowed(match)})


def remote_loads_in_asset(text: str) -> list[str]:
    code = LINE_COMMENT.sub("", BLOCK_COMMENT.sub(" ", text))
    found = set()
    for pattern in LOADING_CONSTRUCTS:
        found.update(match.group(0).strip() for match in pattern.finditer(code) if not allowed(match))
    return sorted(found)


def allowed(match: re.Match) -> bool:
    host = next(group for group in match.groups() if group)
    return ALLOWED_HOSTS.match(host) is not None


def get_text(client, path: str):
    response = client.get(path, follow_redirects=True)  # e.g. a meeting's add form is the minutes editor
    try:
        return response.status_code, response.get_data().decode("utf-8", "replace")
    finally:
        response.close()


def walk_pages(app, client) -> list[str]:
    """Home, the dropdown menu pages, the profile forms, and each list's add form and first edit form."""
    status, home = get_text(client, "/")
    assert status == 200
    paths = ["/"]
    for href in Refs(home).menu_links:
        path = local_path(href)
        if path and not path.startswith("/lang/") and "logout" not in path:
            paths.append(path)
    with app.test_request_context():
        paths += [url_for("ResetMyPasswordView.this_form_get"), url_for("UserInfoEditView.this_form_get")]
    for path in [p for p in paths if p.endswith("/list/")]:
        base = path[: -len("list/")]
        status, html = get_text(client, path)
        assert status == 200, path
        linked = [local_path(href) for href in Refs(html).links]
        forms = [p for p in linked if p and (p == base + "add" or p.startswith(base + "edit/"))]
        paths += [p for p in forms if p == base + "add"][:1] + [p for p in forms if p != base + "add"][:1]
    return list(dict.fromkeys(paths))


def is_known_remote(path: str) -> bool:
    return any(path.startswith(prefix) for prefix, _reason in KNOWN_REMOTE_PAGES)


@pytest.mark.parametrize("role", ROLES)
def test_nothing_is_loaded_from_another_host(request, app, role):
    client = request.getfixturevalue(role)
    pages = walk_pages(app, client)
    assert any(path.endswith("/add") for path in pages) or role == "as_supervisor", pages
    problems: dict[str, list[str]] = {}
    assets: dict[str, str] = {}
    for path in pages:
        if is_known_remote(path):
            continue
        status, html = get_text(client, path)
        assert status == 200, f"{path}: {status}"
        if remote := remote_urls_in_html(html):
            problems[path] = remote
        for ref in Refs(html).assets:
            asset = local_path(urljoin(path, ref))
            if asset is None:
                problems.setdefault(path, []).append(ref)
            else:
                assets.setdefault(asset.split("?")[0], path)
    checked = set()
    queue = list(assets)
    while queue:
        asset = queue.pop()
        if asset in checked:
            continue
        checked.add(asset)
        status, text = get_text(client, asset)
        assert status == 200, f"{asset} (from {assets.get(asset)}): {status}"
        if asset.endswith((".js", ".css")):
            if remote := remote_loads_in_asset(text):
                problems[asset] = remote
        if asset.endswith(".css"):
            for ref in re.findall(r"url\(\s*[\"']?([^\"')]+)", BLOCK_COMMENT.sub(" ", text)):
                if ref.startswith(("data:", "#")):
                    continue
                target = local_path(urljoin(asset, ref.strip()))
                if target is not None:
                    queue.append(target.split("?")[0])
                    assets.setdefault(target.split("?")[0], asset)
    assert any(asset.endswith(".js") for asset in checked) and any(asset.endswith(".css") for asset in checked)
    assert not problems, f"{role}: references to other hosts: {problems}"


@pytest.mark.parametrize(
    ("text", "loads_remote"),
    [
        ("/*! jQuery | (c) OpenJS Foundation | https://jquery.org/license */ var a = 1;", False),
        ("// see https://example.com/docs\nvar a = 1;", False),
        ('var ns = "http://www.w3.org/2000/svg";', False),
        ('var u = "http://localhost:5000/x", v = "//127.0.0.1/y";', False),
        ("var path = a + '//' + b; // two slashes", False),
        ('s.src = "https://cdn.example.com/lib.js";', True),
        ("@font-face { src: url(//fonts.example.com/a.woff2) }", True),
        ("@import url('https://fonts.example.com/css');", True),
        ("@import 'https://fonts.example.com/css';", True),
        ('load(A("https://www.gstatic.com/charts/loader.js"))', True),
    ],
)
def test_the_asset_scan_finds_loading_constructs_only(text, loads_remote):
    assert bool(remote_loads_in_asset(text)) == loads_remote, remote_loads_in_asset(text)


def test_the_html_scan():
    assert remote_urls_in_html('<script src="https://cdn.example.com/x.js"></script>') == ["https://cdn.example.com"]
    assert remote_urls_in_html("<link href='//fonts.example.com/css'>") == ["//fonts.example.com"]
    assert remote_urls_in_html('<svg xmlns="http://www.w3.org/2000/svg"></svg><a href="/x">1 // 2</a>') == []


def test_asset_links_follow_the_mount_point(client):
    """Asset links are remembered per file and per mount point (SCRIPT_NAME behind a proxy)."""
    plain = client.get("/login/").get_data(as_text=True)
    mounted = client.get("/login/", base_url="http://localhost/platform").get_data(as_text=True)
    again = client.get("/login/").get_data(as_text=True)
    assert 'href="/static/appbuilder/css/bootstrap.min.css"' in plain
    assert 'href="/platform/static/appbuilder/css/bootstrap.min.css"' in mounted
    assert 'src="/platform/static/js/platform.js' in mounted
    assert 'href="/static/appbuilder/css/bootstrap.min.css"' in again
