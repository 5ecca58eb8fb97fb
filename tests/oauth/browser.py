"""The person's browser in tests: opens the provider's sign-in page and goes back to the app as told.

It follows what a real browser does with the provider's answer: a redirect to the app's loopback
address (``response_mode=query``), or a page whose form it posts there (``form_post``, msal's way).
It trusts only the test CA, like the rest of the test servers' clients.
"""

from __future__ import annotations

import html.parser
import urllib.parse
from pathlib import Path

import requests


class _Form(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.action = values.get("action")
        elif tag == "input" and "name" in values:
            self.fields[values["name"]] = values.get("value", "")


def open_sign_in_page(uri: str, ca_file: Path) -> int:
    """Open ``uri`` (the provider's authorization URL) and deliver the answer to the app; the app's status."""
    http = requests.Session()
    http.trust_env = False  # a proxy or CA bundle from the environment has no say on loopback
    page = http.get(uri, verify=str(ca_file), allow_redirects=False, timeout=10)
    if page.status_code in (301, 302, 303, 307):
        return http.get(page.headers["Location"], allow_redirects=False, timeout=10).status_code
    form = _Form()
    form.feed(page.text)
    if page.status_code != 200 or form.action is None:
        return page.status_code  # the provider showed an error page: nothing goes back to the app
    target = urllib.parse.urljoin(uri, form.action)
    return http.post(target, data=form.fields, allow_redirects=False, timeout=10).status_code
