"""What the browser tests do with a page: sign in, switch the language, pick from a Select2 select,
save a screenshot."""

import os
from pathlib import Path

PASSWORD = "demo-Pass-2026"
VIEWPORT_HEIGHT = 800
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def login(page, user: str, password: str = PASSWORD) -> None:
    page.goto("/login/")
    page.fill("#username", user)
    page.fill("#password", password)
    page.click("input[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


def switch_language(page, lang: str) -> None:
    """Choose the language in the navbar's language menu, as a user does."""
    page.click("#locale-menu > a.dropdown-toggle")
    page.click(f"#locale-menu a.locale-switch[lang={lang}]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == lang


def choose(page, field_id: str, search: str, option: str | None = None) -> None:
    """Pick an option of a Select2 AJAX select: open it, type, click the matching result."""
    page.click(f"#{field_id} + .select2-container .select2-selection")
    page.fill(".select2-container--open .select2-search__field", search)
    page.click(f".select2-container--open .select2-results__option:text-is('{option or search}')")


def shoot(page, screen: str, lang: str) -> None:
    """Save docs/screenshots/<screen>-<lang>.png, only when SCREENSHOTS=1 (``make screenshots``)."""
    if os.environ.get("SCREENSHOTS") != "1":
        return
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.wait_for_load_state("networkidle")
    page.mouse.move(0, VIEWPORT_HEIGHT - 1)  # no hover effect or tooltip in the picture
    page.wait_for_timeout(800)  # the charts' entry animation
    page.screenshot(path=str(SCREENSHOT_DIR / f"{screen}-{lang}.png"), animations="disabled", caret="hide")


def submit(page, button: str = "#model_form button[type=submit]") -> None:
    """Click a form's submit button and wait for the page that answers."""
    with page.expect_navigation():
        page.click(button)


def save(page, button: str = "#model_form button[type=submit]") -> str:
    """Submit a form and return the success message of the page it leads to; fail with what the page
    said (its alerts and the messages under the form fields) when the save was refused."""
    submit(page, button)
    success = page.locator(".alert-success")
    if success.count():
        return success.first.inner_text()
    alerts = page.locator(".alert").all_inner_texts()
    fields = page.locator(".has-error").all_inner_texts()
    raise AssertionError(f"the save was refused at {page.url}: {alerts} {fields}")


def type_date(page, selector: str, value: str) -> None:
    """Type a date into a date-picker field key by key, as a user does (the picker keeps a typed
    date, while a value set in one go is replaced by the picker's own on blur), then close it."""
    page.click(selector)
    page.keyboard.press("Control+A")
    page.keyboard.type(value)
    page.keyboard.press("Escape")
