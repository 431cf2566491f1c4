"""The code-free dashboards: thin notebooks, Voilà's security settings, and a real browser.

One Voilà server (the course's own command, on 127.0.0.1 and a free port) serves ``dashboards/``
for the whole module. A client that talks to the kernel websocket as the page does tries to run
code and must fail; Debian's Chromium (Playwright) moves a slider and plays the Qualification Cup.
The pages use the course's Voilà template (``dashboards/.templates``): a request of the browser to
any host but 127.0.0.1 fails the test.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

import nbformat
import pytest
import websocket
from browser import background_server, free_port
from jupyter_client.session import Session
from jupyter_server.services.kernels.connection.base import (
    serialize_binary_message,
    serialize_msg_to_ws_v1,
)

from sqolab.engine.cup import SECRET_ENV
from sqolab.labs import LABS
from sqolab.workshop.cup import KEYS_ENV
from sqolab.workshop.deploy import (
    DASHBOARDS,
    DASHBOARDS_DIR,
    START_PAGE,
    TEMPLATES_DIR,
    dashboard,
    descendants,
    start_url,
    voila_command,
)
from sqolab.workshop.server import V1_PROTOCOL, ClassFull, ClassroomKernelManager, message_header

CUP_SECRET = "instructor-only-secret-for-the-tests"
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
    # only the front-end extensions the widgets need (jupytext's failed to load on every page)
    assert voila["extension_allowlist"] == [
        "@jupyter-widgets/jupyterlab-manager",
        "@voila-dashboards/widgets-manager8",
        "jupyter-matplotlib",
    ]
    limits = config["ClassroomKernelManager"]
    assert limits["max_kernels"] >= 0 and 0 < limits["kernel_memory_limit_mib"] <= 4096
    assert config["Voila"]["tornado_settings"]["websocket_max_message_size"] <= 4 * 2**20


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
    assert command[2:5] == [sys.executable, "-m", "sqolab.workshop.server"]  # Voilà + limits
    assert str(DASHBOARDS_DIR) in command
    assert f"--Voila.config_file_paths={DASHBOARDS_DIR}" in command
    single = voila_command(root=Path("lab.ipynb"), config=DASHBOARDS_DIR)
    assert "lab.ipynb" in single and f"--Voila.config_file_paths={DASHBOARDS_DIR}" in single
    assert "--Voila.ip=127.0.0.1" in command and "--port=9999" in command
    with pytest.raises(ValueError, match="token"):
        voila_command(ip="0.0.0.0")
    assert "--Voila.token=s3cret" in voila_command(ip="0.0.0.0", token="s3cret")
    assert "--ClassroomKernelManager.max_kernels=3" in voila_command(max_kernels=3)
    with pytest.raises(ValueError, match="max_kernels"):
        voila_command(max_kernels=0)
    logged = voila_command(log=Path("/tmp/v.log"))
    assert logged[:2] == ["sh", "-c"] and ">/tmp/v.log 2>&1" in logged[2]
    assert start_url(1, "h", "a b").endswith("/voila/render/00_start.ipynb?token=a+b")


def test_message_headers_are_read_without_trusting_a_count():
    # Voilà 0.5 read a client's legacy binary message (no subprotocol) as v1 framing: its first
    # 8 bytes made a count of ~10**18 offsets and the server froze while its memory grew.
    session = Session()
    msg = session.msg("comm_msg", {"data": {}})
    legacy = serialize_binary_message({**msg, "channel": "iopub", "buffers": [b"x" * 1000]})
    assert int.from_bytes(legacy[:8], "little") > 10**15  # what Voilà took for a count
    assert message_header(legacy, None)["msg_type"] == "comm_msg"
    parts = session.serialize({**msg, "buffers": [b"x" * 10]})
    v1 = serialize_msg_to_ws_v1(parts[2:], "iopub")
    assert message_header(v1, V1_PROTOCOL)["msg_type"] == "comm_msg"
    for junk in (b"", b"\xff" * 7, b"\xff" * 64, legacy[:20], b"\x02" + b"\x00" * 7 + b"{}"):
        assert message_header(junk, None) is None and message_header(junk, V1_PROTOCOL) is None
    assert message_header({"header": {"msg_type": "status"}}, None) == {"msg_type": "status"}


async def _ready(manager: ClassroomKernelManager, kernel_id: str) -> int:
    """Wait until a kernel answers; its process id."""
    client = manager.get_kernel(kernel_id).client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=120)
    finally:
        client.stop_channels()
    return manager.get_kernel(kernel_id).provisioner.pid


@pytest.mark.slow
def test_the_kernel_manager_caps_limits_and_culls_kernels():
    async def scenario() -> None:
        manager = ClassroomKernelManager(
            root_dir=str(DASHBOARDS_DIR), max_kernels=2, kernel_memory_limit_mib=1024
        )
        try:
            # three pages at the same instant, two places: one is refused, none is counted twice
            starts = [manager.start_kernel(kernel_name="python3") for _ in range(3)]
            results = await asyncio.gather(*starts, return_exceptions=True)
            started = [r for r in results if isinstance(r, str)]
            refused = [r for r in results if isinstance(r, ClassFull)]
            assert len(started) == 2 and len(refused) == 1, results
            assert "all 2 kernels" in str(refused[0])
            first, second = started
            pid = await _ready(manager, first)
            limits = Path(f"/proc/{pid}/limits").read_text()
            assert re.search(r"Max address space\s+1073741824\s+1073741824", limits)
            assert b"OPENBLAS_NUM_THREADS=1" in Path(f"/proc/{pid}/environ").read_bytes()
            with pytest.raises(ClassFull):
                await manager.start_kernel(kernel_name="python3")
            await manager.shutdown_kernel(second)
            # An open page keeps an idle kernel for connected_cull_timeout, then loses it.
            manager._kernel_connections[first] = 1
            await manager.cull_kernel_if_idle(first)
            assert first in manager
            kernel = manager.get_kernel(first)
            kernel.last_activity -= timedelta(seconds=manager.connected_cull_timeout + 1)
            await manager.cull_kernel_if_idle(first)
            assert first not in manager and len(manager) == 0
            third = await manager.start_kernel(kernel_name="python3")  # the places are free again
            await _ready(manager, third)
        finally:
            await manager.shutdown_all()

    with ThreadPoolExecutor(1) as thread:  # Playwright's loop may run in this thread already
        thread.submit(asyncio.run, scenario()).result()


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
    keys = tmp_path_factory.mktemp("keys") / "cup-keys.json"
    cup = {"SQOLAB_CUP_DIR": str(cup_folder), SECRET_ENV: CUP_SECRET, KEYS_ENV: str(keys)}
    env = {**os.environ, **cup}
    url = f"http://127.0.0.1:{port}/"
    log = tmp_path_factory.mktemp("voila") / "voila.log"
    command = voila_command(port=port, log=log)  # nobody reads background_server's pipe
    with background_server(command, url, timeout=120, cwd=DASHBOARDS_DIR, env=env):
        SERVER_LOGS[url.rstrip("/")] = log
        yield url.rstrip("/")


SERVER_LOGS: dict[str, Path] = {}


def server_log(url: str) -> str:
    """The end of the log of the server at ``url`` (for a failure's message)."""
    return SERVER_LOGS[url].read_text(errors="replace")[-3000:]


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
    """Record page errors, console errors and every request to another host (and abort it)."""
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None)
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
              if (typeof e.data !== 'string') return;  // a binary message (a figure's image)
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
    entry.get_by_role("textbox", name="Team", exact=True).fill("Browser Team")
    submit.click()
    entry.get_by_text("received").wait_for(timeout=30_000)
    (stored,) = cup_folder.glob("team-*.json")
    assert "Browser Team" in stored.read_text(encoding="utf-8")
    entry.close()

    board = browser.new_page(viewport={"width": 1600, "height": 1000})
    _watch(board, foreign, errors)
    board.goto(f"{voila_url}/voila/render/08_cup_scoreboard.ipynb", timeout=180_000)
    board.get_by_text("scores hidden until the reveal").wait_for(timeout=180_000)
    assert board.get_by_text("Browser Team").count() == 1
    assert "EUR" not in board.locator(".sqolab-table").inner_text()
    board.get_by_label("Instructor key").fill(CUP_SECRET)
    board.get_by_role("button", name="Reveal scores").click()
    board.get_by_text("won revenue [EUR]").wait_for(timeout=30_000)
    row = board.locator(".sqolab-table tbody tr").first.inner_text()
    assert row.startswith("1") and "Browser Team" in row and "EUR" in row
    board.close()
    assert not errors, errors
    assert not foreign, f"requests to other hosts than 127.0.0.1 (aborted): {foreign}"


# --------------------------------------------------------------------------------------------------
# Classroom limits (issue 13): kernel cap, leaving a page, one client's messages, extensions
# --------------------------------------------------------------------------------------------------


def _server_pid(port: int) -> int:
    """The process id of the Voilà server this test run started on ``port``."""
    for pid in descendants(os.getpid()):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"sqolab.workshop.server" in cmdline and f"--port={port}".encode() in cmdline:
            return pid
    raise LookupError(f"no server on port {port}")


def _rss_mib(pid: int) -> float:
    """Resident memory of a process in MiB (0 once it has gone), from /proc."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024


def _kernel_alive(base: str, kernel_id: str) -> bool:
    status, _ = get(f"{base}/api/kernels/{kernel_id}")
    assert status in (200, 404), status
    return status == 200


@pytest.mark.slow
def test_a_full_class_gets_a_clear_page_instead_of_another_kernel(tmp_path):
    port = free_port()
    command = voila_command(port=port, log=tmp_path / "voila.log", max_kernels=2)
    env = {**os.environ, "SQOLAB_CUP_DIR": str(tmp_path)}
    url = f"http://127.0.0.1:{port}"
    with background_server(command, url + "/", timeout=120, cwd=DASHBOARDS_DIR, env=env):
        server = _server_pid(port)
        for _ in range(2):
            status, page = get(f"{url}/voila/render/{START_PAGE}")
            assert status == 200 and KERNEL_ID.search(page)
        assert len(descendants(server)) == 2  # one kernel per page view
        try:
            urllib.request.urlopen(f"{url}/voila/render/{START_PAGE}", timeout=60)
            raise AssertionError("a third page view got a kernel")
        except urllib.error.HTTPError as full:
            body = full.read().decode()
            assert full.code == 503 and full.headers["Retry-After"] == "60"
        assert "The class is full" in body and "try again in a minute" in body
        assert "ask your instructor" in body and "All 2 places" in body
        assert "kernelId" not in body and "Traceback" not in body
        assert len(descendants(server)) == 2  # no kernel started for the refused page


@pytest.mark.slow
def test_leaving_a_page_frees_its_kernel(browser, voila_url):
    # No request routing here: Playwright's sync API would hold the page's last request (the
    # shutdown beacon) until the test calls Playwright again.
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{voila_url}/voila/render/{START_PAGE}", timeout=180_000)
    page.locator(".sqolab-start a").first.wait_for(timeout=180_000)
    kernel_id = KERNEL_ID.search(page.content()).group(1)
    assert _kernel_alive(voila_url, kernel_id)
    page.goto("about:blank")  # leaving: Voilà's page posts /voila/api/shutdown/<kernel>
    deadline = time.monotonic() + 60
    while _kernel_alive(voila_url, kernel_id):
        assert time.monotonic() < deadline, f"the left page's kernel runs:\n{server_log(voila_url)}"
        time.sleep(0.5)
    page.close()
    assert not errors, errors
    assert "403 POST /voila/api/shutdown" not in server_log(voila_url)


@pytest.mark.slow
def test_the_pages_load_no_unused_extension_and_log_no_error(browser, voila_url):
    page = browser.new_page()
    console: list[tuple[str, str]] = []
    page.on("console", lambda m: console.append((m.type, m.text)))
    page.on("pageerror", lambda exc: console.append(("pageerror", str(exc))))
    page.goto(f"{voila_url}/voila/render/{START_PAGE}", timeout=180_000)
    page.locator(".sqolab-start a").first.wait_for(timeout=180_000)
    # every extension has been loaded (or failed) once the widget is shown
    page.close(run_before_unload=True)
    assert not [text for kind, text in console if kind in ("error", "pageerror")], console
    assert not [text for _, text in console if "jupytext" in text.lower()], console


@pytest.mark.slow
def test_one_client_cannot_take_the_server_down(voila_url):
    # As the script: open the trade-off dashboard, connect to its kernel's websocket
    # without a subprotocol, flood the figure with "draw" requests and 4000 x 4000 resizes, never
    # read, disconnect. The server must keep answering with bounded memory.
    port = urlparse(voila_url).port
    server = _server_pid(port)
    status, page = get(f"{voila_url}/voila/render/02_tradeoff.ipynb")
    assert status == 200
    kernel_id = KERNEL_ID.search(page).group(1)

    def memory() -> tuple[float, float]:
        kernels = descendants(server)
        return _rss_mib(server), sum(_rss_mib(pid) for pid in kernels)

    server_before, kernels_before = memory()
    ws = websocket.create_connection(
        f"{voila_url.replace('http', 'ws')}/api/kernels/{kernel_id}/channels"
        f"?session_id={uuid.uuid4()}",
        timeout=10,
    )
    info = shell_message("comm_info_request", {"target_name": "jupyter.widget"})
    ws.send(json.dumps(info))
    while (reply := json.loads(ws.recv()))["msg_type"] != "comm_info_reply":
        pass
    comms = list(reply["content"]["comms"])
    assert comms
    requests = [
        {"type": "draw"},
        {"type": "resize", "width": 4000, "height": 4000},
    ]
    peak = (server_before, kernels_before)
    sent = 0
    deadline = time.monotonic() + 12
    try:
        while time.monotonic() < deadline:
            for comm in comms:
                for content in requests:
                    data = {"comm_id": comm, "data": {"method": "custom", "content": content}}
                    ws.send(json.dumps(shell_message("comm_msg", data)))
                    sent += 1
            now = memory()
            peak = (max(peak[0], now[0]), max(peak[1], now[1]))
    except (OSError, websocket.WebSocketException):
        pass  # the server may disconnect a client that does not read
    finally:
        ws.close()
    for _ in range(8):  # and after the client has gone
        time.sleep(0.5)
        now = memory()
        peak = (max(peak[0], now[0]), max(peak[1], now[1]))
    assert sent > 1000
    started = time.monotonic()
    status, listing = get(f"{voila_url}/voila/api/contents")
    assert status == 200 and START_PAGE in listing and time.monotonic() - started < 10
    assert peak[0] - server_before < 100, f"server grew from {server_before:.0f} to {peak[0]:.0f}"
    grown = peak[0] + peak[1] - server_before - kernels_before
    assert grown < 500, f"server + kernels grew by {grown:.0f} MiB"
