"""The Jupyter Book: it builds without warnings, works offline in Chromium, and covers the article.

The book is built once per session into a temporary folder (a fresh execution cache, so stale
outputs cannot hide a broken chapter) and every other test reuses that HTML.
"""

from __future__ import annotations

import re
import subprocess
import sys
import urllib.request
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest
import yaml
from browser import RequestLog, serve_directory

ROOT = Path(__file__).resolve().parents[1]
# The course's source, kept in the repository; the team's copy in ../shared/seed must be the same.
ARTICLE = ROOT / "book" / "source" / "sqo-article.de.txt"
SHARED_ARTICLE = ROOT.parent / "shared" / "seed" / "sqo-article.de.txt"
JUPYTER_BOOK = str(Path(sys.executable).with_name("jupyter-book"))
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
GLOSSARY_TERMS = {
    "Lead", "MQL", "SAL", "SQL", "SQO", "Opportunity", "Win rate", "Capture rate",
    "Qualification criteria", "Lead score", "k-of-n rule", "BANT", "ANUM", "CHAMP", "GPCTBA/C&I",
    "FAINT", "MEDDIC", "Missed opportunity", "Wasted hours", "Sales capacity", "Pipeline",
    "Stage-weighted forecast", "Cost per lead", "Cost per SQO", "No decision", "Ripeness threshold",
    "Funnel", "Lead hand-off", "Lead nurturing", "SDR", "AE", "Decision maker", "Buying center",
    "Discovery call", "Increased efficiency", "Marketing alignment", "Improved forecasting",
    "Over-reliance on criteria", "Increased competition",
}  # fmt: skip

NO_ALT_JS = "els => els.filter(e => !(e.getAttribute('alt') || '').trim()).map(e => e.src)"

pytestmark = pytest.mark.slow


def build(source: Path, output: Path) -> subprocess.CompletedProcess[str]:
    """``jupyter-book build SOURCE -W -n --keep-going`` into ``OUTPUT/_build``."""
    return subprocess.run(
        [JUPYTER_BOOK, "build", str(source), "-W", "-n", "--keep-going", "--path-output", output],
        capture_output=True,
        text=True,
        timeout=900,
    )


def sphinx_warnings(log: str) -> list[str]:
    """Sphinx's warning lines (not the kernel's own stderr, which Sphinx does not count)."""
    plain = re.sub(r"\x1b\[[0-9;]*m", "", log)
    return [line for line in plain.splitlines() if re.search(r"(WARNING|ERROR|CRITICAL):", line)]


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """The book's HTML folder, built once for the module, and the build's result."""
    output = tmp_path_factory.mktemp("book")
    result = build(ROOT, output)
    return output / "_build" / "html", result


def pages(html: Path) -> list[Path]:
    return sorted(p for p in html.rglob("*.html") if "_static" not in p.parts)


# ------------------------------------------------------------------------------------ build


def test_book_builds_without_warnings(book):
    html, result = book
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-5000:]
    assert sphinx_warnings(log) == []
    assert "build succeeded" in log
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]] + [c["file"] for part in toc["parts"] for c in part["chapters"]]
    for file in files:
        assert (html / f"{file}.html").is_file(), file


def test_the_build_runs_every_lab_and_practice_notebook(book):
    """The build is where these notebooks run (once per test run; nbval does not run them again):
    each in a fresh kernel, top to bottom, and an error fails the build (no warning allowed)."""
    html, result = book
    assert result.returncode == 0
    execute = yaml.safe_load((ROOT / "_config.yml").read_text())["execute"]
    assert execute["execute_notebooks"] in {"cache", "force"} and execute["allow_errors"] is False
    toc = (ROOT / "_toc.yml").read_text()
    for folder in ("notebooks", "exercises"):
        for path in sorted((ROOT / folder).glob("*.ipynb")):
            name = f"{folder}/{path.stem}"
            assert f"file: {name}\n" in toc, f"{name} is not in the book, so nothing runs it"
            page = (html / f"{name}.html").read_text(encoding="utf-8")
            assert 'class="cell_output' in page, f"{name} shows no output: it did not run"


def test_no_page_references_a_remote_script_or_stylesheet(book):
    html, _ = book
    remote = re.compile(r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)=\"(?:https?:)?//", re.I)
    offenders = {}
    for page in pages(html):
        tags = [m.group(0) for m in remote.finditer(page.read_text(encoding="utf-8"))]
        # <link rel="..." href="https://..."> for canonical/prev/next would be harmless, but the
        # book has none: any remote reference is a request the browser would make.
        if tags:
            offenders[page.relative_to(html).as_posix()] = tags[:3]
    assert offenders == {}


def test_figures_have_alt_text_and_captions(book):
    html, _ = book
    for name in ("book/01_what_is_an_sqo.html", "book/02_benefits.html"):
        text = (html / name).read_text(encoding="utf-8")
        figures = re.findall(r"<figure\b.*?</figure>", text, re.S)
        assert figures, name
        for figure in figures:
            assert re.search(r"<img\b[^>]*\balt=\"[^\"]{20,}\"", figure), figure[:300]
            assert "<figcaption" in figure


def test_numbers_are_glued_not_left_as_keys(book):
    html, _ = book
    text = (html / "book" / "02_benefits.html").read_text(encoding="utf-8")
    # a glue key that failed to resolve would leave its role in the text
    assert "{glue" not in text
    assert re.search(r"win rate rises from <span class=\"pasted-text\">\d+\.\d%</span>", text)


# ----------------------------------------------------------------------------- the browser


def test_every_page_loads_offline_in_chromium(book, browser):
    html, result = book
    assert result.returncode == 0
    problems: list[str] = []
    external: list[str] = []
    with serve_directory(html) as base:
        context = browser.new_context()

        def route(route_, request):
            host = urlparse(request.url).hostname or ""
            if request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
                route_.continue_()
            else:  # no allow-list: the pages must not reach out at all
                external.append(request.url)
                route_.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on(
            "console",
            lambda message: (
                problems.append(f"console {message.type}: {message.text}")
                if message.type == "error"
                else None
            ),
        )
        requests = RequestLog(lambda url: (urlparse(url).hostname or "") in LOCAL_HOSTS)
        requests.watch(page)
        for path in pages(html):
            url = f"{base}/{path.relative_to(html).as_posix()}"
            page.goto(url, wait_until="load")
            if 'http-equiv="Refresh"' in path.read_text(encoding="utf-8"):  # index.html
                page.wait_for_url(lambda now, start=url: now != start)
                page.wait_for_load_state("load")
            missing_alt = page.eval_on_selector_all(
                "img",
                "els => els.filter(e => !(e.getAttribute('alt') || '').trim()).map(e => e.src)",
            )
            if missing_alt:
                problems.append(f"{url}: images without alt text: {missing_alt}")
        page.goto(f"{base}/search.html?q=SQO", wait_until="load")
        page.wait_for_selector("ul.search li", timeout=20_000)
        found = page.locator("ul.search li").count()
        context.close()
        not_served = requests.not_served()  # also what Chromium cancelled when it moved on
    assert external == []
    assert problems == []
    assert requests.failed == []
    assert not_served == []
    assert found >= 3
    assert len(requests.requested) > len(pages(html))  # the pages and what they load


def test_the_discovery_call_plays_in_the_course_page(book, browser):
    """Lab 7's page holds the live player: a question, a decision, the reveal (no kernel)."""
    html, _ = book
    with serve_directory(html) as base:
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{base}/notebooks/07_discovery_call.html")
        page.wait_for_selector('.sqolab-live[data-lab="discovery"][data-ready="true"]')
        page.locator("button.sqolab-disc-ask").first.click()
        page.wait_for_selector(".sqolab-disc-transcript li")
        page.get_by_role("button", name="Decide and reveal").click()
        page.wait_for_selector(".sqolab-disc-reveal li")
        assert page.locator(".sqolab-disc-chart").count() == 1
        page.close()
    assert errors == []


def test_the_favicon_is_served(book):
    html, _ = book
    text = (html / "book" / "01_what_is_an_sqo.html").read_text(encoding="utf-8")
    (href,) = re.findall(r"<link\b[^>]*\brel=\"(?:shortcut )?icon\"[^>]*\bhref=\"([^\"]+)\"", text)
    with serve_directory(html) as base:
        url = urljoin(f"{base}/book/01_what_is_an_sqo.html", href)
        with urllib.request.urlopen(url, timeout=30) as response:
            assert response.status == 200
            assert response.headers["Content-Type"].startswith("image/")
            assert response.read()


# ------------------------------------------------- widgets: the static snapshot wins, no CDN


FAKE_LAB = '''---
jupytext:
  text_representation:
    format_name: myst
kernelspec:
  name: python3
  display_name: Python 3
---

# Widget page

```{code-cell} ipython3
:tags: [remove-input]

import ipywidgets


class Lab:
    """Displays like the course's labs: a widget view plus a static HTML snapshot."""

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {
            "WIDGET_VIEW": {"version_major": 2, "version_minor": 0, "model_id": "deadbeef"},
            "text/html": '<div class="lab-snapshot"><img src="data:image/gif;base64,'
            'R0lGODlhAQABAAAAACw=" alt="snapshot of the lab">'
            "<table><tr><td>SNAPSHOT-TABLE</td></tr></table></div>",
            "text/plain": "Lab()",
        }


display(Lab())
ipywidgets.IntSlider(value=3)  # a real widget: the notebook stores widget state
```
'''.replace("WIDGET_VIEW", WIDGET_VIEW)


@pytest.fixture(scope="module")
def widget_book(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """A one-page book with the project's _config.yml, whose page displays a lab-like object."""
    source = tmp_path_factory.mktemp("widget_book_src")
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["title"] = "Widget test"
    config["bibtex_bibfiles"] = ["refs.bib"]
    (source / "_config.yml").write_text(yaml.safe_dump(config))
    favicon = config.get("html", {}).get("favicon")
    if favicon:  # the config names a file of the project: the mini-book needs it too
        (source / favicon).parent.mkdir(parents=True, exist_ok=True)
        (source / favicon).write_bytes((ROOT / favicon).read_bytes())
    (source / "_toc.yml").write_text("format: jb-book\nroot: index\n")
    (source / "refs.bib").write_text("@misc{x, title={X}, year={2020}}\n")
    (source / "index.md").write_text(FAKE_LAB)
    output = tmp_path_factory.mktemp("widget_book_out")
    result = build(source, output)
    return output / "_build" / "html", result


def test_widget_snapshot_wins_and_no_widget_js_is_loaded(widget_book):
    html, result = widget_book
    assert result.returncode == 0, (result.stdout + result.stderr)[-5000:]
    text = (html / "index.html").read_text(encoding="utf-8")
    # the static text/html of the bundle is rendered, the widget view is not
    assert "SNAPSHOT-TABLE" in text and 'alt="snapshot of the lab"' in text
    assert f'<script type="{WIDGET_VIEW}"' not in text
    assert WIDGET_VIEW not in text  # the source is hidden, so the type appears nowhere
    # the real widget left its state in the notebook (so myst-nb would add the widget scripts) ...
    assert "application/vnd.jupyter.widget-state+json" in text
    # ... but no script is loaded from anywhere but the book itself
    sources = re.findall(r"<script\b[^>]*\bsrc=\"([^\"]+)\"", text)
    assert sources
    assert [s for s in sources if re.match(r"(?:https?:)?//", s)] == []
    assert not re.search(r"require(?:\.min)?\.js|embed-amd\.js|cdn\.jsdelivr|cdnjs", text)


# ----------------------------------------------------------------- the article and the book


def article_headings(text: str) -> list[str]:
    """The article's numbered section headings, e.g. '1.2 - Vorteile von ...'."""
    return [line.strip() for line in text.splitlines() if re.match(r"^\d\.\d+ - ", line.strip())]


def article_map() -> list[dict]:
    return yaml.safe_load((ROOT / "book" / "article_map.yml").read_text())["sections"]


@pytest.fixture(scope="module")
def article() -> str:
    if not ARTICLE.is_file():
        pytest.fail(f"the source article is missing: {ARTICLE}")
    return ARTICLE.read_text(encoding="utf-8")


def test_every_article_heading_is_in_the_map(article):
    headings = article_headings(article)
    assert len(headings) >= 7  # 1.1-1.3 and 2.1-2.4
    mapped = {entry["heading"] for entry in article_map()}
    assert [h for h in headings if h not in mapped] == []
    # the map also covers the intro and the summary ("Zusammenfassend ...")
    ids = {entry["id"] for entry in article_map()}
    assert {"intro", "summary"} <= ids


@pytest.mark.parametrize("entry", article_map(), ids=lambda e: e["id"])
def test_article_section_is_taught_in_its_chapter(entry, article):
    assert entry["phrase"] in article, f"phrase not in the article: {entry['phrase']!r}"
    if entry["heading"] is not None:
        assert entry["heading"] in article_headings(article)
    chapter = ROOT / entry["chapter"]
    assert chapter.is_file(), chapter
    text = chapter.read_text(encoding="utf-8")
    assert f"({entry['label']})=" in text, (
        f"{entry['chapter']} lacks the target ({entry['label']})="
    )
    toc = (ROOT / "_toc.yml").read_text()
    assert entry["chapter"].removesuffix(".md") in toc


def test_glossary_holds_exactly_the_course_terms():
    text = (ROOT / "book" / "glossary.md").read_text(encoding="utf-8")
    block = re.search(r"```\{glossary\}\n(.*?)\n```", text, re.S).group(1)
    terms = {line.strip() for line in block.splitlines() if line and not line.startswith(" ")}
    assert terms == GLOSSARY_TERMS


def test_chapters_open_with_objectives_and_end_with_a_self_check():
    for name in ("00_welcome", "01_what_is_an_sqo", "02_benefits"):
        text = (ROOT / "book" / f"{name}.md").read_text(encoding="utf-8")
        assert text.index("Learning objectives") < text.index("## Key takeaways")
        assert text.index("## Key takeaways") < text.index("## Self-check")
        exercises = re.findall(r"```\{exercise\}", text)
        solutions = re.findall(r"```\{solution\}[^\n]*\n:class: dropdown", text)
        assert 2 <= len(exercises) <= 4 and len(solutions) == len(exercises), name


def test_the_article_copy_is_the_shared_source():
    if not SHARED_ARTICLE.is_file():
        pytest.skip(f"no shared copy beside the repository ({SHARED_ARTICLE})")
    assert ARTICLE.read_bytes() == SHARED_ARTICLE.read_bytes()


QUIZ_OF_CHAPTER = {
    "01_what_is_an_sqo": "what_is_an_sqo",
    "02_benefits": "benefits",
    "03_drawbacks": "drawbacks",
    "04_examples": "examples",
    "05_choosing": "choosing",
    "06_conversation": "conversation",
}


@pytest.mark.parametrize("chapter", sorted(QUIZ_OF_CHAPTER))
def test_each_chapter_ends_with_its_quiz_and_it_works_in_the_built_book(book, browser, chapter):
    from playwright.sync_api import expect

    from sqolab.practice.quiz import load_quiz

    html, _ = book
    with serve_directory(html) as base:
        page = browser.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.goto(f"{base}/book/{chapter}.html")
        quiz = page.locator(f'.sqolab-quiz[data-chapter="{QUIZ_OF_CHAPTER[chapter]}"]')
        assert quiz.count() == 1, "the chapter shows its quiz"
        questions = load_quiz(QUIZ_OF_CHAPTER[chapter]).questions
        assert quiz.locator("fieldset").count() == len(questions) >= 5
        feedback = quiz.locator(".sqolab-quiz-feedback")
        assert feedback.count() > 0 and not feedback.first.is_visible()
        option = quiz.locator("fieldset").first.locator(".sqolab-quiz-option").first
        option.locator("label").click()
        expect(option.locator(".sqolab-quiz-feedback")).to_be_visible()
        # the quiz is the last thing on the page's main content: after the self-check
        text = page.locator("main").inner_text()
        assert text.rfind("Quiz") > text.rfind("Self-check")
        page.close()
    assert not problems, problems
