"""Class deployment: nbgitpuller and Binder links, the command line, the guide, the slides."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import yaml
from browser import free_port, serve_directory

from sqolab.workshop import deploy
from sqolab.workshop.deploy import (
    DASHBOARDS,
    START_PAGE,
    binder_link,
    class_links,
    course_addresses,
    descendants,
    nbgitpuller_link,
)

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "book" / "instructors"
REPO = "https://github.com/sqo-lab/sqo-lab"


# --------------------------------------------------------------------------------------------------
# Links
# --------------------------------------------------------------------------------------------------


def test_nbgitpuller_link_has_the_documented_format():
    # As nbgitpuller's link generator writes it: <hub>/hub/user-redirect/git-pull?repo=..&urlpath=..
    # &branch=.., form-encoded, with urlpath starting at the clone's folder (the repository name).
    link = nbgitpuller_link("https://hub.example.org/", REPO)
    assert link == (
        "https://hub.example.org/hub/user-redirect/git-pull"
        "?repo=https%3A%2F%2Fgithub.com%2Fsqo-lab%2Fsqo-lab"
        "&urlpath=lab%2Ftree%2Fsqo-lab%2Fnotebooks%2F00_start_here.ipynb"
        "&branch=main"
    )


def test_nbgitpuller_link_round_trips_through_a_url_parser():
    cup = "dashboards/07_cup_entry.ipynb"
    link = nbgitpuller_link(
        "https://example.org/jupyter", REPO + ".git", "spring 2026", cup, "voila"
    )
    parsed = urlparse(link)
    assert parsed.path == "/jupyter/hub/user-redirect/git-pull"
    query = parse_qs(parsed.query)
    assert query == {
        "repo": [REPO + ".git"],
        "urlpath": ["voila/render/sqo-lab/dashboards/07_cup_entry.ipynb"],
        "branch": ["spring 2026"],
    }
    assert "spring+2026" in link  # spaces form-encoded, as URLSearchParams does
    classic = parse_qs(urlparse(nbgitpuller_link("https://h.org", REPO, app="classic")).query)
    assert classic["urlpath"] == ["tree/sqo-lab/notebooks/00_start_here.ipynb"]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"hub_url": "hub.example.org"},
        {"hub_url": "ftp://hub.example.org"},
        {"repo": "sqo-lab/sqo-lab"},
        {"path": "../etc/passwd"},
        {"path": "/etc/passwd"},
        {"app": "rstudio"},
        {"branch": ""},
    ],
)
def test_nbgitpuller_link_rejects_bad_input(kwargs):
    args = {"hub_url": "https://hub.example.org", "repo": REPO, **kwargs}
    with pytest.raises(ValueError):
        nbgitpuller_link(**args)


def test_binder_link_opens_the_start_notebook_or_a_dashboard():
    assert binder_link(REPO) == (
        "https://mybinder.org/v2/gh/sqo-lab/sqo-lab/main"
        "?urlpath=lab%2Ftree%2Fnotebooks%2F00_start_here.ipynb"
    )
    voila = binder_link(REPO, "dev", "dashboards/00_start.ipynb", "voila")
    assert parse_qs(urlparse(voila).query) == {
        "urlpath": ["voila/render/dashboards/00_start.ipynb"]
    }
    assert urlparse(voila).path == "/v2/gh/sqo-lab/sqo-lab/dev"
    with pytest.raises(ValueError, match=r"github\.com"):
        binder_link("https://gitlab.com/a/b")


def test_the_links_come_from_the_books_config():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    course = course_addresses()
    assert course.repository == config["repository"]["url"]
    assert course.jupyterhub == config["launch_buttons"]["jupyterhub_url"]
    links = class_links()
    assert all(config["repository"]["url"].split("/")[-1] in url for url in links.values())
    assert links["binder (labs in JupyterLab)"].startswith(
        config["launch_buttons"]["binderhub_url"]
    )
    hub = class_links("https://other.example")["jupyterhub (labs in JupyterLab)"]
    assert hub.startswith("https://other.example/hub/user-redirect/git-pull?")


def test_the_command_line_prints_links_and_the_server_command(capsys):
    assert deploy.main(["links", "--hub", "https://hub.example.org"]) == 0
    out = capsys.readouterr().out
    assert "https://hub.example.org/hub/user-redirect/git-pull?repo=" in out
    assert deploy.main(["serve", "--dry-run", "--port", "9123"]) == 0
    out = capsys.readouterr().out
    assert (
        "-m sqolab.workshop.server" in out
        and "--port=9123" in out
        and "--Voila.ip=127.0.0.1" in out
    )
    assert deploy.main(["serve", "--dry-run", "--lan", "--token", "abc"]) == 0
    out = capsys.readouterr().out
    assert "--Voila.ip=0.0.0.0" in out and "--Voila.token=abc" in out
    assert deploy.main(["serve", "--dry-run", "--max-kernels", "25"]) == 0
    assert "--ClassroomKernelManager.max_kernels=25" in capsys.readouterr().out


@pytest.mark.slow
def test_sigterm_stops_serve_with_its_server_and_kernels(tmp_path):
    # Before: `serve` died on SIGTERM and left Voila and its kernels (own sessions) as orphans.
    port = free_port()
    env = {**os.environ, "SQOLAB_CUP_DIR": str(tmp_path)}
    command = [sys.executable, "-m", "sqolab.workshop.deploy", "serve", f"--port={port}"]
    with (tmp_path / "serve.log").open("wb") as log:
        serve = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}/voila/render/{START_PAGE}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert serve.poll() is None, (tmp_path / "serve.log").read_text()[-3000:]
            try:
                with urllib.request.urlopen(url, timeout=120) as response:
                    page = response.read().decode()
                break
            except OSError:
                assert time.monotonic() < deadline, "serve did not answer within 120 s"
                time.sleep(0.5)
        assert '"kernelId"' in page
        started = descendants(serve.pid)  # the Voila server and the page's kernel
        kernels = [p for p in started if b"ipykernel" in Path(f"/proc/{p}/cmdline").read_bytes()]
        assert len(started) >= 2 and kernels
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=60)
        deadline = time.monotonic() + 30
        while left := [p for p, t in started.items() if (deploy._proc_stat(p) or (0, 0))[1] == t]:
            assert time.monotonic() < deadline, f"still running after SIGTERM: {left}"
            time.sleep(0.2)
    finally:
        if serve.poll() is None:
            serve.kill()


# --------------------------------------------------------------------------------------------------
# The facilitator guide
# --------------------------------------------------------------------------------------------------

GUIDE_PAGES = ["index.md", "agendas.md", "labs.md", "cup.md", "deployment.md"]


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def agenda_tables() -> dict[str, tuple[int, list[tuple[int, int, str]]]]:
    """Each agenda's declared length and its rows (start, minutes, activity)."""
    text = (GUIDE / "agendas.md").read_text()
    agendas = {}
    for section in re.split(r"^## ", text, flags=re.M)[1:]:
        heading = section.splitlines()[0]
        declared = re.search(r"\((\d+) minutes\)", heading)
        if not declared:
            continue
        rows = [
            (_minutes(m[1]), int(m[2]), m[3].strip())
            for m in re.finditer(r"^\| (\d+:\d\d) \| (\d+) \| ([^|]+)\|", section, flags=re.M)
        ]
        agendas[heading] = (int(declared[1]), rows)
    return agendas


def test_the_agendas_add_up():
    agendas = agenda_tables()
    assert sorted(length for length, _ in agendas.values()) == [90, 210, 420]
    for heading, (length, rows) in agendas.items():
        assert rows, heading
        assert sum(minutes for _, minutes, _ in rows) == length, heading
        clock = 0
        for start, minutes, activity in rows:
            assert start == clock, f"{heading}: {activity} starts at {start}, expected {clock}"
            assert minutes > 0
            clock += minutes


def test_the_agendas_use_the_kit():
    text = (GUIDE / "agendas.md").read_text()
    for needed in ("Qualification Cup", "Lab 1", "Slides 1", "Break"):
        assert needed in text


def test_the_guide_covers_every_lab_with_questions_and_misconceptions():
    text = (GUIDE / "labs.md").read_text()
    sections = re.split(r"^## ", text, flags=re.M)[1:]
    titles = [d.title for d in DASHBOARDS if d.title.startswith("Lab ")]
    assert [s.splitlines()[0] for s in sections] == titles
    for section in sections:
        assert "**How to run it.**" in section
        assert "**Questions and expected answers.**" in section
        assert "**Misconceptions.**" in section
        assert section.count("- *") >= 4  # questions and misconceptions, each with an answer


def test_the_guide_pages_exist_and_name_the_commands():
    for page in GUIDE_PAGES:
        assert (GUIDE / page).read_text().startswith(("# ", "---")), page
    deployment = (GUIDE / "deployment.md").read_text()
    assert ".venv/bin/python -m sqolab.workshop.deploy serve" in deployment
    assert ".venv/bin/python slides/build.py" in deployment
    assert "benchmarks/bench_capacity.py" in deployment
    readme = (ROOT / "dashboards" / "README.md").read_text()
    assert ".venv/bin/python -m sqolab.workshop.deploy serve" in readme
    index = (GUIDE / "index.md").read_text()
    assert "## Learning outcomes" in index
    cup = (GUIDE / "cup.md").read_text()
    for rule in ("won revenue", "missed revenue", "hours spent", "earlier submission"):
        assert rule in cup


def test_the_capacity_figures_agree_between_the_guide_and_the_deploy_notes():
    rows = re.compile(r"^\| (\d+) GB \| (\d+) \| (\d+) \|", re.M)
    guide = rows.findall((GUIDE / "deployment.md").read_text())
    notes = rows.findall((ROOT / "deploy" / "CAPACITY.md").read_text())
    assert guide and guide == notes


def test_the_z2jh_example_is_valid_yaml_with_the_class_settings():
    config = yaml.safe_load((ROOT / "deploy" / "z2jh-config.yaml").read_text())
    user = config["singleuser"]
    assert user["memory"]["guarantee"] and user["memory"]["limit"]
    assert user["cpu"]["guarantee"] <= user["cpu"]["limit"]
    assert config["cull"]["enabled"] is True and config["cull"]["timeout"] > 0
    assert user["extraEnv"]["SQOLAB_CUP_DIR"]
    assert "gitpuller" in " ".join(user["lifecycleHooks"]["postStart"]["exec"]["command"])


# --------------------------------------------------------------------------------------------------
# Slides
# --------------------------------------------------------------------------------------------------


def _slides_module():
    spec = importlib.util.spec_from_file_location("slides_build", ROOT / "slides" / "build.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_a_chapters_key_points_are_read_from_the_book():
    slides = _slides_module()
    deck = slides.chapter_deck(ROOT / "book" / "03_drawbacks.md")
    assert deck.title == "Drawbacks of SQOs"
    assert any("Unknown is not no" in point for point in deck.takeaways)
    assert deck.labs == ("Lab 4: What SQOs cost",)
    assert not any("{" in text for text in deck.objectives + deck.takeaways)
    assert slides.plain("an {term}`SQO` and {term}`leads <Lead>`") == "an SQO and leads"
    with pytest.raises(ValueError, match="executed chapter"):
        slides.plain("{glue:text}`n_sqo`")


@pytest.mark.slow
def test_a_slide_deck_builds_with_the_key_points_and_no_cdn(tmp_path, browser):
    slides = _slides_module()
    if not (slides.REVEAL / "dist" / "reveal.js").exists() and not shutil.which("npm"):
        if os.environ.get("CI"):
            pytest.fail("npm is needed to install reveal.js for the slides: apt-get install npm")
        pytest.skip("npm not found (apt-get install npm): reveal.js cannot be installed")
    chapter = ROOT / "book" / "01_what_is_an_sqo.md"
    (deck_path,) = slides.build(tmp_path, [chapter])
    page_html = deck_path.read_text()
    deck = slides.chapter_deck(chapter)
    loaded = re.findall(r"""(?:src|href)=["']([^"'#]+)["']|@import\s+url\(([^)]+)\)""", page_html)
    urls = [a or b for a, b in loaded]
    assert urls and not [u for u in urls if re.match(r"^(https?:)?//", u.strip("'\""))], urls
    assert (tmp_path / "reveal.js" / "dist" / "reveal.js").exists()
    assert (tmp_path / "reveal.js" / "plugin" / "notes" / "notes.js").exists()

    from playwright.sync_api import expect

    page = browser.new_page()
    foreign: list[str] = []

    def route(r) -> None:
        if r.request.url.startswith("http://127.0.0.1"):
            r.continue_()
        else:
            foreign.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    with serve_directory(tmp_path) as base:
        page.goto(f"{base}/{deck_path.name}")
        page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=30_000)
        shown = " ".join(page.evaluate("document.querySelector('.slides').textContent").split())
        for point in (*deck.takeaways, *deck.objectives, deck.title):
            assert point.replace("`", "") in shown, point
        total = page.evaluate("Reveal.getTotalSlides()")
        assert total == 2 + len(deck.takeaways) + 1  # title, objectives, points, try it
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        present = page.locator("section.present:not(.stack)")
        takeaway = deck.takeaways[0].replace("`", "")
        expect(present).to_contain_text(takeaway, use_inner_text=True)  # waits for Reveal
    page.close()
    assert not foreign, foreign
    assert not errors, errors
