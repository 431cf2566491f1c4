"""Lab "Your pipeline": bring a CRM export, map it with dropdowns, play the criteria on your leads.

Steps on one page, all with the mouse: (1) pick a file (or a shipped demo export), optionally a
second file with the deals and the key that joins them; (2) map columns and values with dropdowns
that start at the suggestions (confidence shown); (3) see which criteria your data allows;
(4) set criteria and see the funnel, the criteria each lead fails and, where outcomes exist,
the hindsight analysis with its selection-bias note. Reading, mapping and analysis live in
:mod:`sqolab.data.exports` and :mod:`sqolab.engine.hindsight`; this module only wires widgets.
Bad input never raises: problems are shown as the loader's messages (column, rows, values, fix).
"""

from __future__ import annotations

import html
import logging
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pandas as pd

from sqolab.data.demo_exports import DEMO_FILES, DEMO_KEYS, demo_path
from sqolab.data.exports import (
    CATEGORY_TARGETS,
    IGNORE,
    TARGETS,
    Mapping,
    apply_mapping,
    join_tables,
    read_export,
    suggest_mapping,
    suggest_value,
)
from sqolab.data.schema import LeadDataError
from sqolab.engine.criteria import CRITERIA_NAMES, Criteria
from sqolab.engine.formatting import fmt_number
from sqolab.engine.hindsight import availability, funnel, hindsight, rule_text
from sqolab.labs.base import KERNEL_NOTE
from sqolab.labs.controls import checkbox, dropdown
from sqolab.labs.html import LAB_CSS, LIVE_CSS, html_table

logger = logging.getLogger("sqolab.labs")

PRIVACY_NOTE = (
    "Your file stays in your own kernel (your computer, or your own session on the course "
    "server): it is read into memory, never uploaded elsewhere and never written to disk. "
    "Nothing is saved unless you press <b>Save mapping</b>, which writes only the mapping "
    "(column names and value categories, no lead data) to <code>sqolab-mapping.json</code>. "
    "This matters under the GDPR / DSGVO."
)
"""The data-protection note shown at the top of the lab."""

CHOICES: dict[str, tuple[tuple[str, Any], ...]] = {
    "budget": (
        ("off", None),
        ("≥ 5,000 EUR", 5000.0),
        ("≥ 20,000 EUR", 20000.0),
        ("≥ 50,000 EUR", 50000.0),
    ),
    "authority": (
        ("off", None),
        ("≥ influencer", "influencer"),
        ("decision maker", "decision_maker"),
    ),
    "need": (("off", None), ("≥ latent", "latent"), ("confirmed", "confirmed")),
    "timeline": (("off", None), ("≤ 3 months", 3.0), ("≤ 6 months", 6.0), ("≤ 12 months", 12.0)),
    "engagement": (("off", None), ("≥ 30", 30.0), ("≥ 50", 50.0), ("≥ 70", 70.0)),
    "fit": (("off", None), ("≥ 30", 30.0), ("≥ 50", 50.0), ("≥ 70", 70.0)),
}
"""Threshold choices of each criterion control (label, value)."""

FIELDS = {
    "budget": "min_budget_eur",
    "authority": "min_authority",
    "need": "min_need",
    "timeline": "max_timeline_months",
    "engagement": "min_engagement",
    "fit": "min_fit",
}
CHAPTER = "../book/03_drawbacks.html"


def _p(text: str) -> str:
    return f"<p>{text}</p>"


class PipelineLab(widgets.VBox):
    """The "Your pipeline" lab. Drive it with the mouse, or in Python with :meth:`load_bytes`,
    :meth:`load_demo`, :meth:`set_column`, :meth:`set_value` and :meth:`set_criterion`."""

    title = "Your pipeline"

    def __init__(self) -> None:
        super().__init__()
        self.frame: pd.DataFrame | None = None  # the export as text cells (joined)
        self.mapping = Mapping()
        self.leads: pd.DataFrame | None = None
        self.column_boxes: dict[str, widgets.Dropdown] = {}
        self.value_boxes: dict[tuple[str, str], widgets.Dropdown] = {}
        self._quiet = False
        self.upload = widgets.FileUpload(
            accept=".csv,.txt,.xlsx", multiple=False, description="Leads file"
        )
        self.upload_deals = widgets.FileUpload(
            accept=".csv,.txt,.xlsx", multiple=False, description="Deals file (optional)"
        )
        self.upload.observe(self._uploaded, "value")
        self.upload_deals.observe(self._uploaded, "value")
        self.left_key = dropdown("Key in leads", "Column that identifies the lead", [""], "")
        self.right_key = dropdown("Key in deals", "Column of the deal naming its lead", [""], "")
        for key in (self.left_key, self.right_key):
            key.observe(self._join_changed, "value")
        self.demo_buttons = []
        for name in DEMO_FILES:
            button = widgets.Button(
                description=f"Load the demo: {name}", layout=widgets.Layout(width="auto")
            )
            button.on_click(lambda _b, n=name: self.load_demo(n))
            self.demo_buttons.append(button)
        self.message = widgets.HTML()
        self.preview = widgets.HTML()
        self.join_note = widgets.HTML()
        self.columns_box = widgets.VBox()
        self.values_box = widgets.VBox()
        self.available = widgets.HTML()
        self.criteria: dict[str, widgets.Dropdown] = {}
        for name in CRITERIA_NAMES:
            box = dropdown(name, f"Threshold of the {name} criterion", CHOICES[name], None)
            box.observe(self._refresh, "value")
            self.criteria[name] = box
        self.unknown = checkbox(
            "unknown counts as met", "An empty value meets its criterion", False
        )
        self.unknown.observe(self._refresh, "value")
        self.results = widgets.HTML()
        self.save_button = widgets.Button(description="Save mapping")
        self.save_button.on_click(lambda _b: self.save_mapping())
        self.mapping_upload = widgets.FileUpload(accept=".json", description="Load a mapping")
        self.mapping_upload.observe(self._mapping_uploaded, "value")
        self._files: list[tuple[bytes, str]] = []
        self.children = [
            widgets.HTML(LAB_CSS + LIVE_CSS + f"<h3>{self.title}</h3>" + _p(PRIVACY_NOTE)),
            widgets.HTML("<h4>1. Your file</h4>"),
            widgets.HBox([self.upload, self.upload_deals]),
            widgets.HBox([self.left_key, self.right_key]),
            widgets.HBox(self.demo_buttons, layout=widgets.Layout(flex_flow="row wrap")),
            self.message,
            self.join_note,
            self.preview,
            widgets.HTML("<h4>2. Your columns and values</h4>"),
            widgets.HBox([self.save_button, self.mapping_upload]),
            self.columns_box,
            self.values_box,
            widgets.HTML("<h4>3. What your data allows</h4>"),
            self.available,
            widgets.HTML("<h4>4. Your criteria on your leads</h4>"),
            widgets.VBox([*self.criteria.values(), self.unknown]),
            self.results,
        ]
        self.message.value = _p("Pick a file, or load a demo export.")

    # ---------------------------------------------------------------- loading
    def _uploaded(self, _change: dict[str, Any]) -> None:
        files = []
        for upload in (self.upload, self.upload_deals):
            for item in upload.value:
                files.append((bytes(item["content"]), str(item["name"])))
        if files:
            self.load_files(files)

    def load_bytes(self, data: bytes, name: str, deals: tuple[bytes, str] | None = None) -> None:
        """Load a leads file (and optionally a deals file) given as bytes."""
        self.load_files([(data, name), *([deals] if deals else [])])

    def load_demo(self, name: str) -> None:
        """Load a shipped demo export by its name in :data:`DEMO_FILES`."""
        files = [(p.read_bytes(), p.name) for p in demo_path(name)]
        self.load_files(files, DEMO_KEYS.get(name))

    def load_files(
        self, files: list[tuple[bytes, str]], keys: tuple[str, str] | None = None
    ) -> None:
        """Read the files, join a second one on the suggested (or given) keys, suggest a mapping."""
        self._files = files
        try:
            frames = [read_export(data, name) for data, name in files]  # bounded: MAX_BYTES
        except LeadDataError as error:
            return self._fail(error)
        self._frames = frames
        with self._hold():
            if len(frames) > 1:
                self.left_key.options = list(frames[0].columns)
                self.right_key.options = list(frames[1].columns)
                left, right = keys or (frames[0].columns[0], _guess_key(frames))
                self.left_key.value, self.right_key.value = left, right
            else:
                self.left_key.options, self.right_key.options = [""], [""]
        self._join_changed(None)

    def _join_changed(self, _change: dict[str, Any] | None) -> None:
        if self._quiet or not getattr(self, "_frames", None):
            return
        frames = self._frames
        self.join_note.value = ""
        if len(frames) > 1:
            try:
                frame, report = join_tables(
                    frames[0], frames[1], self.left_key.value, self.right_key.value
                )
            except LeadDataError as error:
                return self._fail(error)
            self.join_note.value = _p("Join: " + html.escape(report.describe()))
        else:
            frame = frames[0]
        self.frame = frame
        self.message.value = _p(f"Read {len(frame)} rows and {len(frame.columns)} columns.")
        self.preview.value = html_table(
            frame.head(5).to_numpy().tolist(), list(frame.columns), "The first rows of your file"
        )
        self.use_mapping(suggest_mapping(frame))

    def _fail(self, error: LeadDataError) -> None:
        self.leads = None
        self.message.value = (
            "<p><b>Your file could not be used:</b></p><pre>" + html.escape(str(error)) + "</pre>"
        )
        self.results.value = ""

    # ---------------------------------------------------------------- mapping
    def use_mapping(self, mapping: Mapping) -> None:
        """Show ``mapping`` in the dropdowns (headers the file lacks are left out) and apply it."""
        assert self.frame is not None
        self.mapping = mapping
        options = [("— not used —", IGNORE), *((t, t) for t in TARGETS)]
        self.column_boxes = {}
        rows = []
        for header in self.frame.columns:
            target = mapping.columns.get(header, IGNORE)
            box = dropdown(
                header,
                f"Which course column '{header}' holds",
                options,
                target if target in TARGETS else IGNORE,
            )
            box.observe(self._column_changed, "value")
            self.column_boxes[header] = box
            score = mapping.confidence.get(header)
            label = f"suggested, confidence {score:.0%}" if score else ""
            rows.append(widgets.HBox([box, widgets.HTML(f"<small>{label}</small>")]))
        self.columns_box.children = rows
        self._build_values()

    def _column_changed(self, change: dict[str, Any]) -> None:
        header = change["owner"].description
        self.mapping.columns[header] = change["new"]
        fresh = (
            suggest_mapping(self.frame[[h for h, t in self.mapping.columns.items() if t]])
            if self.frame is not None
            else Mapping()
        )
        for target, values in fresh.values.items():
            self.mapping.values.setdefault(target, {})
            for value, category in values.items():
                self.mapping.values[target].setdefault(value, category)
        self._build_values()

    def _build_values(self) -> None:
        chosen = {t: h for h, t in self.mapping.columns.items() if t}
        self.value_boxes = {}
        rows: list[widgets.Widget] = []
        for target, categories in CATEGORY_TARGETS.items():
            header = chosen.get(target) or (
                chosen.get("contact_title") if target == "authority" else None
            )
            if header is None or self.frame is None:
                continue
            rows.append(widgets.HTML(f"<b>{target}</b> from your column '{html.escape(header)}'"))
            values = self.mapping.values.setdefault(target, {})
            for value in self.frame[header].astype(str).str.strip().unique()[:60]:
                if not value:
                    continue
                if value not in values:
                    values[value] = suggest_value(target, value)[0]
                score = self.mapping.confidence.get(f"{target}={value}")
                box = dropdown(
                    value,
                    f"Which {target} '{value}' means",
                    [("— choose —", ""), *((c, c) for c in categories)],
                    values[value],
                )
                box.observe(self._value_changed, "value")
                self.value_boxes[(target, value)] = box
                note = f"suggested, confidence {score:.0%}" if score else "please choose"
                rows.append(widgets.HBox([box, widgets.HTML(f"<small>{note}</small>")]))
        self.values_box.children = rows
        self.remap()

    def _value_changed(self, change: dict[str, Any]) -> None:
        for (target, value), box in self.value_boxes.items():
            if box is change["owner"]:
                self.mapping.values[target][value] = change["new"]
        self.remap()

    def set_column(self, header: str, target: str) -> None:
        """Map a header of the file to a course column ("" = not used)."""
        self.column_boxes[header].value = target

    def set_value(self, target: str, value: str, category: str) -> None:
        """Map a value of a category column to a course category."""
        self.value_boxes[(target, value)].value = category

    def remap(self) -> None:
        """Apply the mapping; show problems, availability and results."""
        if self.frame is None:
            return
        try:
            self.leads = apply_mapping(self.frame, self.mapping)
        except LeadDataError as error:
            return self._fail(error)
        derived = self.leads.attrs.get("derived", {})
        note = "".join(f"<li>{c} is derived: {html.escape(d)}</li>" for c, d in derived.items())
        self.message.value = _p(f"{len(self.leads)} leads ready.") + (
            f"<ul>{note}</ul>" if note else ""
        )
        reasons = availability(self.leads)
        items = []
        for name, box in self.criteria.items():
            box.disabled = bool(reasons[name])
            if reasons[name]:
                items.append(
                    f'<li style="color:#777">{name}: unavailable, {html.escape(reasons[name])}</li>'
                )
            else:
                items.append(f"<li>{name}: available</li>")
        has = "outcome" in self.leads
        items.append(
            "<li>outcomes: available</li>"
            if has
            else "<li>outcomes: unavailable (map a deal stage column)</li>"
        )
        self.available.value = f"<ul>{''.join(items)}</ul>"
        self._refresh(None)

    def set_criterion(self, name: str, value: Any) -> None:
        """Set one criterion's threshold (None = off)."""
        self.criteria[name].value = value

    # ---------------------------------------------------------------- analysis
    def chosen_criteria(self) -> Criteria:
        """The criteria set in the controls."""
        values = {FIELDS[n]: box.value for n, box in self.criteria.items()}
        return Criteria(**values, unknown_meets=self.unknown.value)

    def _refresh(self, _change: dict[str, Any] | None) -> None:
        if self._quiet or self.leads is None:
            return
        try:
            self.results.value = self._results_html()
        except Exception:  # never a traceback in the lab: log it, say so kindly
            logger.exception("PipelineLab refresh failed")
            self.results.value = _p("These settings could not be shown; please try others.")

    def _results_html(self) -> str:
        leads, criteria = self.leads, self.chosen_criteria()
        f = funnel(leads, criteria)
        parts = [
            "<h4>Funnel</h4>",
            html_table(
                [[fmt_number(f.leads), fmt_number(f.sqos), f"{f.share:.1%}"]],
                ["Leads", "SQOs", "SQO share"],
            ),
            _p("Rule for your CRM admin: " + html.escape(rule_text(criteria))),
        ]
        if f.unavailable:
            parts.append(_p("Left out (unavailable in your data): " + ", ".join(f.unavailable)))
        failing = leads.assign(fails=f.failed)[lambda d: d["fails"] != ""].head(10)
        parts.append(
            html_table(
                failing[["lead_id", "fails"]].to_numpy().tolist(),
                ["Lead", "Criteria it fails"],
                "The first leads that are not SQOs and why",
            )
        )
        h = hindsight(leads, criteria)
        parts.append("<h4>Hindsight on your decided deals</h4>")
        if h.reason:
            parts.append(_p(f"Not available: {h.reason}."))
            return "".join(parts)
        parts.append(
            _p(
                f"{h.decided} leads have a known outcome ({h.won} won); {h.open} are open or were "
                f"never worked and are left out. Your criteria would have turned away "
                f"<b>{h.turned_away_won} won deals</b> worth "
                f"<b>{fmt_number(h.turned_away_revenue)} EUR</b>."
            )
        )
        rows = [
            [
                r.group,
                r.leads,
                r.won,
                "–" if r.leads == 0 else f"{r.rate:.0%}",
                "–" if r.leads == 0 else f"{r.low:.0%} to {r.high:.0%}",
            ]
            for r in h.rates
        ]
        parts.append(
            html_table(
                rows,
                ["Group", "Leads", "Won", "Win rate", "95% interval"],
                "Win rate by criterion met / not met",
            )
        )
        if h.sample:
            parts.append(
                _p(
                    f"Your criteria reject {fmt_number(h.rejected)} leads. Working "
                    f"{fmt_number(h.sample)} of them, picked at random, would measure their win "
                    f"rate to about ±{h.sample_margin:.0%} (95 %), the cost of the rule."
                )
            )
        parts.append(
            _p(html.escape(h.note) + f' <a href="{CHAPTER}">The chapter on drawbacks</a>.')
        )
        return "".join(parts)

    # ---------------------------------------------------------------- saving
    def save_mapping(self, directory: str | Path = ".") -> Path:
        """Write the mapping (no lead data) to sqolab-mapping.json in ``directory``."""
        path = self.mapping.save(Path(directory) / "sqolab-mapping.json")
        self.message.value += _p(f"Mapping saved to {html.escape(str(path))}.")
        return path

    def _mapping_uploaded(self, _change: dict[str, Any]) -> None:
        for item in self.mapping_upload.value:
            try:
                mapping = Mapping.from_json(bytes(item["content"])[:100_000].decode("utf-8"))
            except (LeadDataError, UnicodeDecodeError) as error:
                self.message.value = _p(html.escape(str(error)))
                return
            if self.frame is not None:
                self.use_mapping(mapping)

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        bundle["text/html"] = (
            f"<h3>{self.title}</h3>{_p(PRIVACY_NOTE)}{_p(KERNEL_NOTE)}"
            "<p>Pick a CRM export (CSV or .xlsx) or a demo export, map its columns and values, "
            "then play your criteria on your own leads.</p>"
        )
        return bundle

    def _hold(self) -> _Quiet:
        return _Quiet(self)


class _Quiet:
    """Context: no refresh while several controls change at once."""

    def __init__(self, lab: PipelineLab) -> None:
        self.lab = lab

    def __enter__(self) -> None:
        self.lab._quiet = True

    def __exit__(self, *_exc: object) -> None:
        self.lab._quiet = False


def _guess_key(frames: list[pd.DataFrame]) -> str:
    """The deals column whose values overlap most with the leads' first column."""
    ids = set(frames[0].iloc[:, 0].astype(str))
    return max(frames[1].columns, key=lambda c: frames[1][c].astype(str).isin(ids).mean())


def pipeline_lab() -> PipelineLab:
    """Build the "Your pipeline" lab."""
    return PipelineLab()
