"""The code-free dashboards: thin notebooks, Voilà's security settings, and a real browser.

One Voilà server (the course's own command, on 127.0.0.1 and a free port) serves ``dashboards/``
for the whole module. A client that talks to the kernel websocket as the page does tries to run
code and must fail; Debian's Chromium (Playwright) moves a slider and plays the Qualification Cup.
The pages use the course's Voilà template (``dashboards/.templates``): a request of the browser to
any host but 127.0.0.1 fails the test.
"""

from __future__ import annotations

import json
import os
import re
import sys
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlparse

import nbformat
import pytest
import websocket
from browser import background_server, free_port

from sqolab.labs import LABS
from sqolab.workshop.deploy import (
    DASHBOARDS,
    DASHBOARDS_DIR,
    START_PAGE,
    TEMPLATES_DIR,
    dashboard,
    start_url,
    voila_command,
)

KERNEL_ID = re.compile(r'"kernelId":\s*"([0-9a-f-]{36})"')
TEMPLATE = TEMPLATES_DIR / "voila" / "templates" / "sqolab"
TEMPLATE_STATIC = "/voila/templates/sqolab/static/"
URL_IN_PAGE = re.compile(r"""(?:href|src)\s*=\s*["']([^"']*)|import\(\s*["']([^"']*)""")


def is_local(url: str) -> bool:
    """127.0.0.1 only; data:, blob: and about: addresses never leave the page."""
    parsed = urlparse(url)
    if parsed.scheme in ("data", "blob", "about"):
        return True
    return parsed.scheme in ("http", "https", "ws", "wss") and parsed.hostname == "127.0.0.1"


# --------------------------------------------------------------------------------------------------
# Without a server
# --------------------------------------------------------------------------------------------------


def test_every_lab_has_a_thin_dashboard_and_the_start_page_links_them_all():
    names = [d.name for d in DASHBOARDS]
    assert set(LABS) <= set(names)
    files = sorted(p.name for p in DASHBOARDS_DIR.glob("*.ipynb"))
    assert files == sorted([START_PAGE, *(d.notebook for d in DASHBOARDS)])
    for notebook, name in [(START_PAGE, "start"), *((d.notebook, d.name) for d in DASHBOARDS)]:
        nb = nbformat.read(DASHBOARDS_DIR / notebook, as_version=4)
        code = [c.source for c in nb.cells if c.cell_type == "code"]
        assert code == [f'from sqolab.workshop.deploy import dashboard\n\ndashboard("{name}")'], (
            notebook
        )
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    start = dashboard("start").value
    for d in DASHBOARDS:
        assert f'href="{d.notebook}"' in start and d.title in start


def test_dashboard_wraps_the_lab_in_projector_styling():
    page = dashboard("orchard")
    assert "sqolab-dashboard" in page._dom_classes
    assert "font-size" in page.children[0].value
    assert type(page.children[1]).__name__ == "OrchardLab"
    page.close()
    with pytest.raises(ValueError, match="Unknown dashboard"):
        dashboard("poker")


def test_the_voila_config_sets_the_security_options():
    config = json.loads((DASHBOARDS_DIR / "voila.json").read_text())
    voila = config["VoilaConfiguration"]
    assert voila["strip_sources"] is True and voila["show_tracebacks"] is False
    assert voila["file_allowlist"] == [] and voila["file_denylist"] == [".*"]
    assert voila["allow_template_override"] == "NO" and voila["allow_theme_override"] == "NO"
    assert config["VoilaExecutor"]["show_tracebacks"] is False
    assert voila["template"] == "sqolab"  # Voilà's lab template without its CDN links


def test_the_course_template_extends_voilas_lab_template_and_links_no_other_host():
    assert json.loads((TEMPLATE / "conf.json").read_text()) == {"base_template": "lab"}
    source = (TEMPLATE / "index.html.j2").read_text()
    assert "{%- extends 'lab/index.html.j2' -%}" in source
    code = re.sub(r"\{#.*?#\}", "", source, flags=re.DOTALL)  # without the comments
    assert "//" not in code  # no URL at all
    assert "{{ super.super() }}" in code  # nbconvert's lab CSS, as lab's own block renders it


def test_the_command_serves_only_dashboards_and_needs_a_token_on_a_network():
    command = voila_command(port=9999)
    variable, paths = command[1].split("=", 1)
    assert command[0] == "env" and variable == "JUPYTER_PATH"
    assert paths.split(os.pathsep)[0] == str(TEMPLATES_DIR)  # the sqolab template, found first
    assert command[2:5] == [sys.executable, "-m", "voila"]
    assert str(DASHBOARDS_DIR) in command
    assert f"--Voila.config_file_paths={DASHBOARDS_DIR}" in command
    single = voila_command(root=Path("lab.ipynb"), config=DASHBOARDS_DIR)
    assert "lab.ipynb" in single and f"--Voila.config_file_paths={DASHBOARDS_DIR}" in single
    assert "--Voila.ip=127.0.0.1" in command and "--port=9999" in command
    with pytest.raises(ValueError, match="token"):
        voila_command(ip="0.0.0.0")
    assert "--Voila.token=s3cret" in voila_command(ip="0.0.0.0", token="s3cret")
    logged = voila_command(log=Path("/tmp/v.log"))
    assert logged[:2] == ["sh", "-c"] and ">/tmp/v.log 2>&1" in logged[2]
    assert start_url(1, "h", "a b").endswith("/voila/render/00_start.ipynb?token=a+b")


# --------------------------------------------------------------------------------------------------
# Against a running Voilà
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cup_folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cup")


@pytest.fixture(scope="module")
def voila_url(cup_folder, tmp_path_factory):
    """Voilà serving dashboards/ with the course's command; yields the base URL."""
    port = free_port()
    env = {**os.environ, "SQOLAB_CUP_DIR": str(cup_folder)}
    url = f"http://127.0.0.1:{port}/"
    log = tmp_path_factory.mktemp("voila") / "voila.log"
    command = voila_command(port=port, log=log)  # nobody reads background_server's pipe
    with background_server(command, url, timeout=120, cwd=DASHBOARDS_DIR, env=env):
        yield url.rstrip("/")


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=180) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def shell_message(msg_type: str, content: dict) -> dict:
    return {
        "header": {
            "msg_id": uuid.uuid4().hex,
            "msg_type": msg_type,
            "username": "trainee",
            "session": uuid.uuid4().hex,
            "version": "5.3",
            "date": "",
        },
        "parent_header": {},
        "metadata": {},
        "content": content,
        "channel": "shell",
        "buffers": [],
    }


@pytest.mark.slow
def test_the_kernel_websocket_refuses_to_execute_code(voila_url, tmp_path):
    status, page = get(f"{voila_url}/voila/render/01_qualify.ipynb")
    assert status == 200
    assert "dashboard(" not in page  # sources stripped
    kernel_id = KERNEL_ID.search(page).group(1)
    target = tmp_path / "executed.txt"
    ws = websocket.create_connection(
        f"{voila_url.replace('http', 'ws')}/api/kernels/{kernel_id}/channels"
        f"?session_id={uuid.uuid4()}",
        timeout=120,  # a bound for a loaded machine, not a wait: replies end the loop
    )
    try:
        code = f"open({str(target)!r}, 'w').write('code ran')"
        execute = shell_message(
            "execute_request",
            {"code": code, "silent": False, "store_history": False, "user_expressions": {},
             "allow_stdin": False, "stop_on_error": True},
        )  # fmt: skip
        ws.send(json.dumps(execute))
        info = shell_message("kernel_info_request", {})
        ws.send(json.dumps(info))  # allowed: proves the channel and the kernel are alive
        # The kernel handles shell requests one at a time, in the order they arrive: had the
        # execute_request reached it, the file would be written before kernel_info is answered.
        replies = []
        while not any(
            m["parent_header"].get("msg_id") == info["header"]["msg_id"]
            and m["msg_type"] == "kernel_info_reply"
            for m in replies
        ):
            replies.append(json.loads(ws.recv()))
    finally:
        ws.close()
    assert any(m["msg_type"] == "kernel_info_reply" for m in replies)
    answered = [
        m for m in replies if m["parent_header"].get("msg_id") == execute["header"]["msg_id"]
    ]
    assert answered == []  # no execute_reply, no execute_input, no busy status for it
    assert not target.exists()


@pytest.mark.slow
@pytest.mark.parametrize(
    "path",
    [
        "/api/contents",
        "/api/kernels",
        "/api/sessions",
        "/api/terminals",
        "/terminals/websocket/1",
        "/tree",
        "/lab",
        "/voila/files/voila.json",
        "/voila/files/README.md",
        "/voila/files/01_qualify.ipynb",
        "/voila/render/../notebooks/01_qualify_leads.ipynb",
        "/voila/render/..%2Fnotebooks%2F01_qualify_leads.ipynb",
        "/voila/render/%2Fwork%2Fmain%2Fnotebooks%2F01_qualify_leads.ipynb",
        "/voila/api/contents/..",
        "/voila/tree/.templates",
        "/voila/api/contents/.templates",
        "/voila/render/.templates/voila/templates/sqolab/index.html.j2",
        "/voila/files/.templates/voila/templates/sqolab/index.html.j2",
        "/voila/render/01_qualify.ipynb?voila-template=reveal&voila-theme=dark",
    ],
)
def test_nothing_but_the_dashboards_is_served(voila_url, path):
    status, body = get(f"{voila_url}{path}")
    if path.startswith("/voila/render/01_qualify.ipynb?"):
        head = body.split("<body", 1)[0]
        assert status == 200 and "reveal" not in head.lower() and TEMPLATE_STATIC in head
        return
    assert status in (403, 404), (path, status)
    assert "from sqolab" not in body


@pytest.mark.slow
def test_the_directory_listing_shows_only_the_dashboards(voila_url):
    status, body = get(f"{voila_url}/voila/api/contents")
    assert status == 200
    names = {item["name"] for item in json.loads(body)["content"]}
    assert names == {START_PAGE, *(d.notebook for d in DASHBOARDS)}
    assert all(item["content"] is None for item in json.loads(body)["content"])


@pytest.mark.slow
def test_the_pages_use_the_course_template_and_link_no_other_host(voila_url):
    for notebook in [START_PAGE, "01_qualify.ipynb"]:
        status, page = get(f"{voila_url}/voila/render/{notebook}")
        assert status == 200 and TEMPLATE_STATIC in page
        linked = [a or b for a, b in URL_IN_PAGE.findall(page)]
        assert linked and all(not urlparse(u).netloc for u in linked), linked
        assert "cdn." not in page and "cdnjs" not in page  # Font Awesome, mermaid.js


def _watch(page, foreign: list[str], errors: list[str]) -> None:
    """Record page errors and every request to another host than 127.0.0.1 (and abort it)."""
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("websocket", lambda ws: None if is_local(ws.url) else foreign.append(ws.url))

    def route(route) -> None:
        if is_local(route.request.url):
            route.continue_()
        else:
            foreign.append(route.request.url)
            route.abort()

    page.route("**/*", route)


def _sqo_count(page) -> int:
    return int(page.locator('[data-key="n_sqo"]').inner_text().split(" ")[0].replace(",", ""))


@pytest.mark.slow
def test_an_instructor_picks_lab_1_moves_a_slider_and_the_result_changes(
    browser, voila_url, tmp_path
):
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    foreign: list[str] = []
    errors: list[str] = []
    _watch(page, foreign, errors)
    page.goto(f"{voila_url}/voila/render/{START_PAGE}", timeout=180_000)
    page.get_by_text("Lab 1: Qualify sample leads").click()
    count = page.locator('[data-key="n_sqo"]')
    count.wait_for(timeout=180_000)
    page.locator(".jupyter-matplotlib-canvas-div canvas").first.wait_for(timeout=60_000)
    assert "dashboard(" not in page.content()  # no source on the page
    before = _sqo_count(page)
    handle = page.locator(".widget-slider", has_text="criteria to meet").locator(".noUi-handle")
    handle.focus()
    page.keyboard.press("ArrowLeft")  # BANT: all 4 criteria -> at least 3 of 4
    page.wait_for_function(
        "b => { const e = document.querySelector('[data-key=\"n_sqo\"]');"
        " return e && parseInt(e.textContent.replace(/,/g, '')) !== b; }",
        arg=before,
        timeout=30_000,
    )
    assert _sqo_count(page) > before

    # Code execution attempted from inside the dashboard page, with the page's own kernel id.
    target = tmp_path / "from-the-page.txt"
    kernel_id = KERNEL_ID.search(page.content()).group(1)
    message = shell_message(
        "execute_request",
        {"code": f"open({str(target)!r}, 'w').write('x')", "silent": False,
         "store_history": False, "user_expressions": {}, "allow_stdin": False},
    )  # fmt: skip
    info = shell_message("kernel_info_request", {})
    # Shell requests are handled in order: once kernel_info is answered, an execute_request that
    # reached the kernel would have run and been answered (no timer decides when to stop looking)
    outcome = page.evaluate(
        """([url, msg, info]) => new Promise(resolve => {
            const ws = new WebSocket(url);
            const seen = [];
            ws.onmessage = e => {
              const m = JSON.parse(e.data);
              const parent = m.parent_header && m.parent_header.msg_id;
              if (parent === msg.header.msg_id) seen.push(m.msg_type);
              if (parent === info.header.msg_id && m.msg_type === 'kernel_info_reply') {
                ws.close();
                resolve(seen);
              }
            };
            ws.onopen = () => { ws.send(JSON.stringify(msg)); ws.send(JSON.stringify(info)); };
            ws.onerror = () => resolve(['socket error']);
        })""",
        [
            f"{voila_url.replace('http', 'ws')}/api/kernels/{kernel_id}/channels"
            f"?session_id={uuid.uuid4()}",
            message,
            info,
        ],
    )
    assert outcome == []
    assert not target.exists()
    assert page.locator(".sqolab-error").count() == 0
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
    page.close()
    assert not errors, errors
    assert not foreign, f"requests to other hosts than 127.0.0.1 (aborted): {foreign}"


@pytest.mark.slow
def test_teams_play_the_cup_in_the_browser(browser, voila_url, cup_folder):
    entry = browser.new_page(viewport={"width": 1600, "height": 1000})
    foreign: list[str] = []
    errors: list[str] = []
    _watch(entry, foreign, errors)
    entry.goto(f"{voila_url}/voila/render/07_cup_entry.ipynb", timeout=180_000)
    entry.locator('[data-key="n_sqo"]').wait_for(timeout=180_000)
    submit = entry.get_by_role("button", name="Submit entry")
    submit.click()  # no team name yet: a kind message, no file
    entry.get_by_text("Give your team a name").wait_for(timeout=30_000)
    entry.locator(".widget-text", has_text="Team").locator("input").fill("Browser Team")
    submit.click()
    entry.get_by_text("received").wait_for(timeout=30_000)
    assert (cup_folder / "browser-team.json").exists()
    entry.close()

    board = browser.new_page(viewport={"width": 1600, "height": 1000})
    _watch(board, foreign, errors)
    board.goto(f"{voila_url}/voila/render/08_cup_scoreboard.ipynb", timeout=180_000)
    board.get_by_text("scores hidden until the reveal").wait_for(timeout=180_000)
    assert board.get_by_text("Browser Team").count() == 1
    assert "EUR" not in board.locator(".sqolab-table").inner_text()
    board.get_by_role("button", name="Reveal scores").click()
    board.get_by_text("won revenue [EUR]").wait_for(timeout=30_000)
    row = board.locator(".sqolab-table tbody tr").first.inner_text()
    assert row.startswith("1") and "Browser Team" in row and "EUR" in row
    board.close()
    assert not errors, errors
    assert not foreign, f"requests to other hosts than 127.0.0.1 (aborted): {foreign}"
