"""Running the course for a class: code-free dashboards, their server command, and class links.

* :func:`dashboard` builds what each Voilà notebook in ``dashboards/`` displays (a lab, the Cup's
  entry form or scoreboard, or the start page), with the projector-friendly styling.
* :func:`voila_command` is the one command that serves ``dashboards/`` with the course's security
  settings (``dashboards/voila.json``) and classroom limits (:mod:`sqolab.workshop.server`: a cap
  on kernels, limited kernels, bounded websockets); ``python -m sqolab.workshop.deploy serve`` runs
  it, and stops the server with all its kernels on Ctrl+C or SIGTERM (:func:`stop_server`).
* :func:`nbgitpuller_link` and :func:`binder_link` build the links a class clicks to get the course
  on a JupyterHub or on Binder; ``python -m sqolab.workshop.deploy links --hub URL`` prints them.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import html
import os
import secrets
import shlex
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlencode, urlparse

import ipywidgets as widgets

ROOT = Path(__file__).resolve().parents[2]
DASHBOARDS_DIR = ROOT / "dashboards"
TEMPLATES_DIR = DASHBOARDS_DIR / ".templates"  # a Jupyter data dir: voila/templates/sqolab/
CONFIG_FILE = ROOT / "_config.yml"
DEFAULT_PORT = 8866

PROJECTOR_CSS = """<style>
/* Projector: larger type everywhere, the whole width of the screen. */
body {--jp-widgets-font-size: 15px; --jp-content-font-size1: 16px; --jp-ui-font-size1: 15px;}
.jp-Notebook, .jp-Cell, .jp-OutputArea-output {max-width: none !important;}
.sqolab-dashboard {font-size: 16px;}
.sqolab-dashboard h2 {font-size: 2em;}
.sqolab-dashboard h3 {font-size: 1.7em;}
.sqolab-dashboard .sqolab-numbers {font-size: 1.45em;}
.sqolab-dashboard .sqolab-table {font-size: 1em;}
.sqolab-start a {display: block; font-size: 1.5em; padding: 10px 16px; margin: 8px 0;
  border: 2px solid #0072B2; border-radius: 6px; text-decoration: none; color: #0072B2;}
.sqolab-start a:focus, .sqolab-start a:hover {background: #E8F1F8;}
.sqolab-start small {display: block; font-size: 0.65em; color: #333;}
</style>"""


@dataclass(frozen=True)
class Dashboard:
    """One dashboard notebook of ``dashboards/``."""

    notebook: str  # file name in dashboards/
    name: str  # key for :func:`dashboard`
    title: str
    purpose: str


PRACTICE_TITLES: dict[str, str] = {
    "what_is_an_sqo": "Practice 1: What is an SQO? (no code)",
    "benefits": "Practice 2: What SQOs bring (no code)",
    "drawbacks": "Practice 3: What SQOs cost (no code)",
    "examples": "Practice 4: The examples (no code)",
    "choosing": "Practice 5: Choosing your criteria (no code)",
    "capstone": "Practice 6: Capstone (no code)",
    "conversation": "Practice 7: From criteria to conversation (no code)",
}
"""The practice chapters served as no-code dashboards, in course order."""

DASHBOARDS: tuple[Dashboard, ...] = (
    Dashboard("01_qualify.ipynb", "qualify", "Lab 1: Qualify sample leads",
              "set criteria and see who becomes an SQO, and why not"),
    Dashboard("02_tradeoff.ipynb", "tradeoff", "Lab 2: The strictness trade-off",
              "win rate against capture rate, revenue per hour, capacity"),
    Dashboard("03_benefits.ipynb", "benefits", "Lab 3: What SQOs bring",
              "efficiency, cost per SQO by campaign, forecast error"),
    Dashboard("04_drawbacks.ipynb", "drawbacks", "Lab 4: What SQOs cost",
              "missed winners, rigid against flexible rules, competition"),
    Dashboard("05_contexts.ipynb", "contexts", "Lab 5: Three businesses, three frameworks",
              "startup, consultancy and agency under their frameworks"),
    Dashboard("06_orchard.ipynb", "orchard", "Lab 6: The orchard",
              "ripeness threshold, fruit wasted and fruit left on the tree"),
    Dashboard("09_discovery.ipynb", "discovery", "Lab 7: The discovery call",
              "ask within 20 minutes, decide, hand over, then see the truth"),
    Dashboard("10_pipeline.ipynb", "pipeline", "Lab 8: Your pipeline",
              "upload a CRM export, map it, see what your criteria would have cost"),
    *(
        Dashboard(f"{11 + i}_practice_{chapter}.ipynb", f"practice_{chapter}", title,
                  "every question answered with the mouse and keyboard, with instant feedback")
        for i, (chapter, title) in enumerate(PRACTICE_TITLES.items())
    ),
    Dashboard("07_cup_entry.ipynb", "cup_entry", "Qualification Cup: team entry",
              "a team sets its criteria and submits them"),
    Dashboard("08_cup_scoreboard.ipynb", "cup_scoreboard", "Qualification Cup: scoreboard",
              "the instructor's board: refresh, reveal, rank"),
)  # fmt: skip
"""The dashboards in the order of the start page."""

START_PAGE = "00_start.ipynb"


def start_page() -> widgets.HTML:
    """The start page: a large link to each dashboard (relative, so it works under any prefix)."""
    links = "".join(
        f'<a href="{d.notebook}">{html.escape(d.title)}<small>{html.escape(d.purpose)}</small></a>'
        for d in DASHBOARDS
    )
    return widgets.HTML(
        f'{PROJECTOR_CSS}<div class="sqolab-dashboard sqolab-start"><h2>SQO Lab dashboards</h2>'
        f"<p>Pick a dashboard. Each opens in a fresh session; the browser's Back button returns "
        f"here.</p>{links}</div>"
    )


def _builders() -> dict[str, Callable[[], widgets.Widget]]:
    from sqolab.labs import LABS
    from sqolab.labs.discovery import discovery_lab
    from sqolab.labs.pipeline import pipeline_lab
    from sqolab.practice.forms import practice_form
    from sqolab.workshop.cup import CupEntry, Scoreboard

    return {
        **LABS,
        "discovery": discovery_lab,
        "pipeline": pipeline_lab,
        "cup_entry": CupEntry,
        "cup_scoreboard": Scoreboard,
        "start": start_page,
        **{
            f"practice_{chapter}": functools.partial(practice_form, chapter)
            for chapter in PRACTICE_TITLES
        },
    }


def dashboard(name: str) -> widgets.Widget:
    """The widget dashboard ``name`` shows (a key of :data:`DASHBOARDS`, or "start")."""
    builders = _builders()
    if name not in builders:
        raise ValueError(f"Unknown dashboard {name!r}; use one of {', '.join(builders)}.")
    content = builders[name]()
    if name == "start":
        return content
    page = widgets.VBox([widgets.HTML(PROJECTOR_CSS), content])
    page.add_class("sqolab-dashboard")
    return page


# --------------------------------------------------------------------------------------------------
# Serving the dashboards
# --------------------------------------------------------------------------------------------------


def voila_command(
    port: int = DEFAULT_PORT,
    ip: str = "127.0.0.1",
    token: str | None = None,
    root: Path = DASHBOARDS_DIR,
    open_browser: bool = False,
    log: Path | None = None,
    config: Path | None = None,
    max_kernels: int | None = None,
) -> list[str]:
    """The Voilà command that serves ``root`` with the settings in ``root/voila.json`` only.

    The server is Voilà with the course's classroom limits (``python -m sqolab.workshop.server``);
    ``max_kernels`` overrides ``voila.json``'s cap on simultaneous page views (kernels).

    ``config`` is the folder whose ``voila.json`` applies instead of ``root``'s (to serve a single
    notebook, ``root``, with the course's settings). The command starts with
    ``env JUPYTER_PATH=dashboards/.templates``: Voilà looks for templates only in
    ``<Jupyter data dir>/voila/templates/``, and that is where the course's ``sqolab`` template is
    (Voilà's lab template without its links to CDNs; ``voila.json`` selects it).

    Binding to anything but 127.0.0.1 (a room's network) requires a token. With ``log``, the
    server's output goes to that file (through ``sh``), for tests and benchmarks that run it in the
    background and never read its output.
    """
    if ip not in ("127.0.0.1", "localhost", "::1") and not token:
        raise ValueError("Serving on a network needs a token: anyone who reaches the port could "
                         "otherwise open the dashboards.")  # fmt: skip
    jupyter_path = os.pathsep.join(filter(None, [str(TEMPLATES_DIR), os.getenv("JUPYTER_PATH")]))
    command = [
        "env",
        f"JUPYTER_PATH={jupyter_path}",
        sys.executable,
        "-m",
        "sqolab.workshop.server",
        str(root),
        f"--Voila.config_file_paths={config or root}",  # only the course's config, not a user's
        f"--port={port}",
        f"--Voila.ip={ip}",
        f"--Voila.open_browser={open_browser}",
    ]
    if token:
        command.append(f"--Voila.token={token}")
    if max_kernels is not None:
        if max_kernels < 1:
            raise ValueError(f"max_kernels must be at least 1, got {max_kernels}.")
        command.append(f"--ClassroomKernelManager.max_kernels={max_kernels}")
    if log is not None:
        command = ["sh", "-c", f'exec "$@" >{shlex.quote(str(log))} 2>&1', "sh", *command]
    return command


def start_url(port: int = DEFAULT_PORT, host: str = "127.0.0.1", token: str | None = None) -> str:
    """The address of the start page."""
    url = f"http://{host}:{port}/voila/render/{START_PAGE}"
    return f"{url}?{urlencode({'token': token})}" if token else url


# --------------------------------------------------------------------------------------------------
# Class links
# --------------------------------------------------------------------------------------------------

NBGITPULLER_APPS = {"lab": "lab/tree", "classic": "tree", "voila": "voila/render"}


def _check_url(url: str, what: str) -> str:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValueError(f"{what} must be an http(s) address, got {url!r}.")
    return url.rstrip("/")


def _check_path(path: str) -> str:
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or not path:
        raise ValueError(f"path must be relative to the repository, got {path!r}.")
    return str(pure)


def nbgitpuller_link(
    hub_url: str,
    repo: str,
    branch: str = "main",
    path: str = "notebooks/00_start_here.ipynb",
    app: str = "lab",
) -> str:
    """An nbgitpuller link: log in to ``hub_url``, pull ``repo`` (``branch``), open ``path``.

    The format is nbgitpuller's ``<hub>/hub/user-redirect/git-pull?repo=..&urlpath=..&branch=..``;
    ``urlpath`` starts with the clone's folder (the repository's name), as nbgitpuller requires.
    ``app`` is "lab" (JupyterLab), "classic" (Notebook) or "voila" (a dashboard).
    """
    hub = _check_url(hub_url, "hub_url")
    repo_url = _check_url(repo, "repo")
    if app not in NBGITPULLER_APPS:
        raise ValueError(f"app must be one of {', '.join(NBGITPULLER_APPS)}, got {app!r}.")
    if not branch:
        raise ValueError("branch must not be empty.")
    folder = PurePosixPath(urlparse(repo_url).path).name.removesuffix(".git")
    urlpath = f"{NBGITPULLER_APPS[app]}/{folder}/{_check_path(path)}"
    query = urlencode({"repo": repo_url, "urlpath": urlpath, "branch": branch})
    return f"{hub}/hub/user-redirect/git-pull?{query}"


def binder_link(
    repo: str,
    branch: str = "main",
    path: str = "notebooks/00_start_here.ipynb",
    app: str = "lab",
    binderhub_url: str = "https://mybinder.org",
) -> str:
    """A Binder link that builds ``repo`` (a GitHub address) at ``branch`` and opens ``path``."""
    parsed = urlparse(_check_url(repo, "repo"))
    parts = PurePosixPath(parsed.path).parts[1:]
    if parsed.netloc != "github.com" or len(parts) != 2:
        raise ValueError(f"repo must be https://github.com/OWNER/NAME, got {repo!r}.")
    owner, name = parts[0], parts[1].removesuffix(".git")
    if app not in NBGITPULLER_APPS:
        raise ValueError(f"app must be one of {', '.join(NBGITPULLER_APPS)}, got {app!r}.")
    urlpath = f"{NBGITPULLER_APPS[app]}/{_check_path(path)}"
    base = _check_url(binderhub_url, "binderhub_url")
    return f"{base}/v2/gh/{owner}/{name}/{branch}?{urlencode({'urlpath': urlpath})}"


@dataclass(frozen=True)
class CourseAddresses:
    """The addresses set once in ``_config.yml``."""

    repository: str
    branch: str
    binderhub: str
    jupyterhub: str


def course_addresses(config: Path = CONFIG_FILE) -> CourseAddresses:
    """Read the repository, branch, BinderHub and JupyterHub addresses from ``_config.yml``."""
    import yaml

    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    buttons = data.get("launch_buttons", {})
    return CourseAddresses(
        repository=data["repository"]["url"],
        branch=data["repository"].get("branch", "main"),
        binderhub=buttons.get("binderhub_url", "https://mybinder.org"),
        jupyterhub=buttons.get("jupyterhub_url", ""),
    )


def class_links(hub_url: str | None = None) -> dict[str, str]:
    """The links of the instructor guide, from ``_config.yml`` (``hub_url`` overrides its hub)."""
    course = course_addresses()
    hub = hub_url or course.jupyterhub
    return {
        "binder (labs in JupyterLab)": binder_link(
            course.repository, course.branch, binderhub_url=course.binderhub
        ),
        "binder (dashboards)": binder_link(
            course.repository, course.branch, f"dashboards/{START_PAGE}", "voila",
            course.binderhub,
        ),
        "jupyterhub (labs in JupyterLab)": nbgitpuller_link(
            hub, course.repository, course.branch
        ),
        "jupyterhub (Cup entry dashboard)": nbgitpuller_link(
            hub, course.repository, course.branch, "dashboards/07_cup_entry.ipynb", "voila"
        ),
    }  # fmt: skip


# --------------------------------------------------------------------------------------------------
# Stopping the server with its kernels
# --------------------------------------------------------------------------------------------------


def _proc_stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, start time) of a process from ``/proc``; None once it is gone (or a zombie)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()  # after "pid (name)": state ppid ... starttime
    return None if fields[0] == "Z" else (int(fields[1]), int(fields[19]))


def descendants(pid: int) -> dict[int, int]:
    """Every process below ``pid`` (its children, theirs, ...): pid -> start time (Linux)."""
    parents: dict[int, list[tuple[int, int]]] = {}
    if not Path("/proc").is_dir():
        return {}  # not Linux: the server's own SIGTERM handling stops its kernels
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _proc_stat(int(entry.name))):
            parents.setdefault(stat[0], []).append((int(entry.name), stat[1]))
    found: dict[int, int] = {}
    todo = [pid]
    while todo:
        for child, started in parents.get(todo.pop(), []):
            if child not in found:
                found[child] = started
                todo.append(child)
    return found


def stop_server(process: subprocess.Popen, grace: float = 20) -> None:
    """Stop the Voilà server and every process it started (kernels run in their own sessions).

    SIGTERM lets Voilà shut its kernels down; whatever is left after ``grace`` seconds (or was
    left behind) is killed, checked by start time so that no reused process id is hit.
    """
    below = descendants(process.pid)  # before the server exits: orphans lose their parent link
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    for pid, started in below.items():
        stat = _proc_stat(pid)
        if stat and stat[1] == started:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


class _Stop(Exception):
    """SIGTERM or SIGHUP reached ``serve``."""


def _raise_stop(signum: int, frame: object) -> None:
    raise _Stop(signum)


def run_server(command: list[str]) -> int:
    """Run the server in the foreground; on Ctrl+C, SIGTERM or SIGHUP stop it with its kernels."""
    process = subprocess.Popen(command, cwd=DASHBOARDS_DIR, env={**os.environ})
    stops = [getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]
    previous = {sig: signal.signal(sig, _raise_stop) for sig in stops}
    try:
        return process.wait()
    except (KeyboardInterrupt, _Stop):
        stop_server(process)
        return 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


# --------------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """``serve`` the dashboards, or print the class ``links``."""
    parser = argparse.ArgumentParser(prog="python -m sqolab.workshop.deploy", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the dashboards with Voilà")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)
    serve.add_argument(
        "--lan",
        action="store_true",
        help="listen on every network interface (the room's network), protected by a token",
    )
    serve.add_argument("--token", default=None, help="the token for --lan (default: a new one)")
    serve.add_argument(
        "--max-kernels",
        type=int,
        default=None,
        help="most dashboard pages open at once (default: voila.json, or what memory holds)",
    )
    serve.add_argument("--dry-run", action="store_true", help="print the command, do not run it")
    links = sub.add_parser("links", help="print the Binder and nbgitpuller links of the class")
    links.add_argument("--hub", default=None, help="your JupyterHub (default: _config.yml)")
    args = parser.parse_args(argv)

    if args.command == "links":
        for label, url in class_links(args.hub).items():
            print(f"{label}:\n  {url}")
        return 0
    token = (args.token or secrets.token_urlsafe(12)) if args.lan else None
    command = voila_command(
        args.port, "0.0.0.0" if args.lan else "127.0.0.1", token, max_kernels=args.max_kernels
    )
    print(shlex.join(command))
    if args.dry_run:
        return 0
    host = "<this machine's address>" if args.lan else "127.0.0.1"
    print(f"Start page: {start_url(args.port, host, token)}  (Ctrl+C stops the server)", flush=True)
    return run_server(command)


if __name__ == "__main__":
    sys.exit(main())
