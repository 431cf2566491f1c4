"""Running the course for a class: code-free dashboards, their server command, and class links.

* :func:`dashboard` builds what each Voilà notebook in ``dashboards/`` displays (a lab, the Cup's
  entry form or scoreboard, or the start page), with the projector-friendly styling.
* :func:`voila_command` is the one command that serves ``dashboards/`` with the course's security
  settings (``dashboards/voila.json``); ``python -m sqolab.workshop.deploy serve`` runs it.
* :func:`nbgitpuller_link` and :func:`binder_link` build the links a class clicks to get the course
  on a JupyterHub or on Binder; ``python -m sqolab.workshop.deploy links --hub URL`` prints them.
"""

from __future__ import annotations

import argparse
import html
import os
import secrets
import shlex
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
    from sqolab.workshop.cup import CupEntry, Scoreboard

    return {**LABS, "cup_entry": CupEntry, "cup_scoreboard": Scoreboard, "start": start_page}


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
) -> list[str]:
    """The Voilà command that serves ``root`` with the settings in ``root/voila.json`` only.

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
        "voila",
        str(root),
        f"--Voila.config_file_paths={config or root}",  # only the course's config, not a user's
        f"--port={port}",
        f"--Voila.ip={ip}",
        f"--Voila.open_browser={open_browser}",
    ]
    if token:
        command.append(f"--Voila.token={token}")
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
    serve.add_argument("--dry-run", action="store_true", help="print the command, do not run it")
    links = sub.add_parser("links", help="print the Binder and nbgitpuller links of the class")
    links.add_argument("--hub", default=None, help="your JupyterHub (default: _config.yml)")
    args = parser.parse_args(argv)

    if args.command == "links":
        for label, url in class_links(args.hub).items():
            print(f"{label}:\n  {url}")
        return 0
    token = (args.token or secrets.token_urlsafe(12)) if args.lan else None
    command = voila_command(args.port, "0.0.0.0" if args.lan else "127.0.0.1", token)
    print(shlex.join(command))
    if args.dry_run:
        return 0
    host = "<this machine's address>" if args.lan else "127.0.0.1"
    print(f"Start page: {start_url(args.port, host, token)}  (Ctrl+C stops the server)", flush=True)
    try:
        return subprocess.call(command, cwd=DASHBOARDS_DIR, env={**os.environ})
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
