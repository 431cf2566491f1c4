"""Build reveal.js slide decks of the chapters' key points from the book's own sources.

Run ``.venv/bin/python slides/build.py`` (decks in ``_build/slides/``; ``--out DIR`` elsewhere).

Each chapter ``book/0N_*.md`` gives one deck: its title, its learning objectives, one slide per key
takeaway, and the labs to try (from its "Practise and explore" section, as dashboards). The text is
read from the chapter at build time, so the slides cannot drift from the book. The decks are
written as a notebook with slide metadata and converted by nbconvert's reveal.js exporter with the
template in ``slides/templates/sqolab_reveal``, which loads reveal.js from a copy next to the decks
(installed from the npm registry into ``slides/node_modules`` by ``npm ci``) and nothing from a CDN.
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbconvert import SlidesExporter

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from sqolab.workshop.deploy import DASHBOARDS  # noqa: E402

BOOK = ROOT / "book"
REVEAL = HERE / "node_modules" / "reveal.js"
TEMPLATES = HERE / "templates"
DEFAULT_OUT = ROOT / "_build" / "slides"
REVEAL_FILES = ("dist", "plugin/notes")

ROLE = re.compile(r"\{(?P<role>[a-z:]+)\}`(?P<text>[^`<]*?)\s*(?:<(?P<target>[^>]+)>)?`")


@dataclass(frozen=True)
class Deck:
    """The key points of one chapter."""

    source: str  # file stem, e.g. "01_what_is_an_sqo"
    title: str
    objectives: tuple[str, ...]
    takeaways: tuple[str, ...]
    labs: tuple[str, ...]  # dashboard titles


def _title_of(stem: str) -> str:
    for line in (BOOK / f"{stem}.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return stem


def plain(text: str) -> str:
    """MyST roles as plain text: {term}`SQO` -> SQO, {doc}`03_drawbacks` -> its chapter title."""

    def replace(match: re.Match[str]) -> str:
        role, shown, target = match["role"], match["text"].strip(), match["target"]
        if role.startswith("glue"):
            raise ValueError(f"a computed value ({match[0]}) needs the executed chapter")
        if role == "doc" and not target and (BOOK / f"{shown}.md").exists():
            return f"“{_title_of(shown)}”"
        return shown or (target or "")

    return " ".join(ROLE.sub(replace, text).split())


def _bullets(lines: list[str]) -> tuple[str, ...]:
    """Markdown bullets ("- " and their indented continuation lines) as plain text."""
    items: list[str] = []
    for line in lines:
        if line.startswith("- "):
            items.append(line[2:])
        elif items and line.startswith("  ") and line.strip():
            items[-1] += " " + line.strip()
    return tuple(plain(item) for item in items)


def _section(lines: list[str], heading: str) -> list[str]:
    start = lines.index(heading) + 1
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("## ")), len(lines))
    return lines[start:end]


def chapter_deck(path: Path) -> Deck:
    """Title, learning objectives, key takeaways and labs of the chapter at ``path``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    title = next(line[2:].strip() for line in lines if line.startswith("# "))
    start = lines.index("```{admonition} Learning objectives") + 1
    end = lines.index("```", start)
    objectives = _bullets(lines[start:end])
    takeaways = _bullets(_section(lines, "## Key takeaways"))
    practise = "\n".join(_section(lines, "## Practise and explore"))
    numbers = re.findall(r"\{doc\}`\.\./notebooks/(\d\d)_", practise)
    labs = tuple(d.title for n in numbers for d in DASHBOARDS if d.notebook.startswith(f"{n}_"))
    if not objectives or not takeaways:
        raise ValueError(f"{path.name}: no learning objectives or key takeaways found")
    return Deck(path.stem, title, objectives, takeaways, labs)


def _slide(markdown: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_markdown_cell(markdown)
    cell.metadata["slideshow"] = {"slide_type": "slide"}
    return cell


def _code(text: str) -> str:
    """Inline `code` as <code> (inside raw HTML, where Markdown is not parsed)."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", text)


def deck_notebook(deck: Deck) -> nbformat.NotebookNode:
    """The deck as a notebook whose markdown cells are slides."""
    esc = html.escape
    n = len(deck.takeaways)
    objectives = "\n".join(f"- {esc(o)}" for o in deck.objectives)
    cells = [
        _slide(f"# {esc(deck.title)}\n\nSQO Lab: the chapter's key points"),
        _slide(f"## After this chapter you can\n\n{objectives}"),
    ]
    cells += [
        _slide(f"## Key point {i} of {n}\n\n<p class='sqolab-point'>{_code(esc(point))}</p>")
        for i, point in enumerate(deck.takeaways, 1)
    ]
    if deck.labs:
        cells.append(
            _slide("## Try it\n\n" + "\n".join(f"- {esc(lab)} (dashboard)" for lab in deck.labs))
        )
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["title"] = deck.title
    return nb


def ensure_reveal() -> Path:
    """reveal.js from the npm registry (``npm ci`` in slides/ if it is not installed yet)."""
    if not (REVEAL / "dist" / "reveal.js").exists():
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("npm is needed once to install reveal.js: apt-get install npm")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True)
    return REVEAL


def build(out: Path = DEFAULT_OUT, chapters: list[Path] | None = None) -> list[Path]:
    """Write one deck per chapter (and an index page) into ``out``; returns the decks."""
    reveal = ensure_reveal()
    out.mkdir(parents=True, exist_ok=True)
    for part in REVEAL_FILES:
        shutil.copytree(reveal / part, out / "reveal.js" / part, dirs_exist_ok=True)
    exporter = SlidesExporter(
        template_name="sqolab_reveal",
        extra_template_basedirs=[str(TEMPLATES)],
        reveal_url_prefix="reveal.js",
        reveal_theme="white",
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    written: list[Path] = []
    titles: list[str] = []
    for path in chapters or sorted(BOOK.glob("0[1-9]_*.md")):
        deck = chapter_deck(path)
        body, _resources = exporter.from_notebook_node(
            deck_notebook(deck), resources={"metadata": {"name": deck.title}}
        )
        target = out / f"{deck.source}.slides.html"
        target.write_text(body, encoding="utf-8")
        written.append(target)
        titles.append(deck.title)
    links = "".join(
        f'<li><a href="{p.name}">{html.escape(t)}</a></li>'
        for p, t in zip(written, titles, strict=True)
    )
    (out / "index.html").write_text(
        f"<!DOCTYPE html><html lang='en'><meta charset='utf-8'><title>SQO Lab slides</title>"
        f"<h1>SQO Lab slides</h1><ul>{links}</ul></html>",
        encoding="utf-8",
    )
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for the decks")
    args = parser.parse_args(argv)
    for path in build(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
