"""Property-based walk through every lab: random valid values on every control, in random order.

After each change no error may be shown and the views must agree with a fresh engine computation
made here from the controls' values (a stale view would disagree).
"""

from __future__ import annotations

import re
from functools import cache

import ipywidgets as widgets
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sqolab import (
    CONTEXTS,
    Criteria,
    evaluate,
    lead_score,
    load_orchard,
    load_sample,
    preset,
    qualify,
)
from sqolab.data.samples import shared_world_sample
from sqolab.labs import LABS, orchard_pipeline

OUTPUT_ONLY = (widgets.HTML, widgets.HTMLMath, widgets.Label)


@cache
def lab_named(name: str):
    """One lab per name for the whole module (building is the slow part)."""
    return LABS[name]()


@cache
def scores(context: str, world: str = "as in the samples") -> np.ndarray:
    return lead_score(shared_world_sample(context, world)).to_numpy()


def shown_leads(lab) -> tuple[pd.DataFrame, str]:
    """A fresh copy of the leads the lab's context and world control name, and the world."""
    world = lab.world.value if lab.world is not None else "as in the samples"
    return shared_world_sample(lab.context.value, world).copy(), world


def value_widgets(widget: widgets.Widget) -> list[widgets.ValueWidget]:
    """Every input ValueWidget below ``widget`` (depth first), skipping output-only widgets."""
    found = []
    if isinstance(widget, widgets.ValueWidget) and not isinstance(widget, OUTPUT_ONLY):
        found.append(widget)
    for child in getattr(widget, "children", ()):
        found += value_widgets(child)
    return found


def random_value(control: widgets.ValueWidget, u: float):
    """A valid value of ``control`` chosen by ``u`` in [0, 1)."""
    if isinstance(control, widgets.Checkbox):
        return u < 0.5
    if isinstance(control, widgets.Dropdown):
        options = [o[1] if isinstance(o, tuple) else o for o in control.options]
        return options[min(int(u * len(options)), len(options) - 1)]
    if isinstance(control, widgets.IntSlider | widgets.FloatSlider):
        steps = round((control.max - control.min) / control.step)
        value = control.min + round(u * steps) * control.step
        value = min(value, control.max)
        return int(value) if isinstance(control, widgets.IntSlider) else float(value)
    raise AssertionError(f"unexpected control {type(control).__name__}")


def shown(lab, key: str) -> str:
    match = re.search(rf'data-key="{key}">([^<]*)<', lab.headline.value)
    assert match, f"{key} is not shown"
    return match.group(1)


def count(lab, key: str = "n_sqo") -> int:
    return int(shown(lab, key).split(" ")[0].replace(",", ""))


# --------------------------------------------------------------------------------------------------
# What each lab must show, computed from the controls with the engine
# --------------------------------------------------------------------------------------------------


def check_qualify(lab) -> None:
    leads = load_sample(lab.context.value)
    assert len(lab.leads) == len(leads)
    crit = Criteria(
        min_budget_eur=float(lab.budget.value) if lab.use_budget.value else None,
        min_authority=None if lab.authority.value == "off" else lab.authority.value,
        min_need=None if lab.need.value == "off" else lab.need.value,
        max_timeline_months=float(lab.timeline.value) if lab.use_timeline.value else None,
        min_engagement=lab.engagement.value if lab.use_engagement.value else None,
        min_fit=lab.fit.value if lab.use_fit.value else None,
        unknown_meets=lab.unknown_meets.value,
    )
    n_applied = len(crit.applied)
    assert lab.min_met.max == n_applied and 0 <= lab.min_met.value <= n_applied
    crit = crit.replace(min_met=lab.min_met.value)
    out = evaluate(leads, qualify(leads, crit))
    assert count(lab) == out.n_sqo
    assert lab.funnel_bars[1].get_width() == pytest.approx(out.n_sqo / len(leads))
    assert lab.funnel_bars[3].get_width() == pytest.approx(out.missed / len(leads))
    assert f"{out.n_sqo:,} SQOs" in lab.plot.alt
    if lab.preset.value != "custom":
        expected = preset(lab.preset.value, lab.context.value)
        assert crit.replace(min_met=crit.required_met) == expected.replace(
            min_met=expected.required_met
        )


def check_tradeoff(lab) -> None:
    leads, world = shown_leads(lab)
    score = pd.Series(scores(lab.context.value, world), index=leads.index)
    t, cap = lab.threshold.value, float(lab.capacity.value)
    out = evaluate(leads, score >= t, capacity_hours=cap, priority=score)
    assert count(lab) == out.n_sqo
    assert shown(lab, "n_worked") == f"{out.n_worked:,}"
    assert list(lab.now_line.get_xdata()) == [t, t]
    assert lab.capacity.max >= leads["sales_hours"].sum()
    binds = out.n_worked < out.n_sqo
    assert lab.capacity_binds == binds
    assert ('data-binds="yes"' in lab.headline.value) == binds
    if binds:
        assert list(lab.cap_dots.get_ydata()) == pytest.approx(
            [out.win_rate, out.capture_rate], nan_ok=True
        )
    else:
        assert len(lab.cap_dots.get_ydata()) == 0


def check_benefits(lab) -> None:
    leads = load_sample(lab.context.value)
    is_sqo = scores(lab.context.value) >= lab.threshold.value
    out = evaluate(leads, is_sqo)
    assert count(lab) == out.n_sqo
    height = 0.0 if np.isnan(out.revenue_per_hour_eur) else out.revenue_per_hour_eur
    assert lab.eff_bars[1].get_height() == pytest.approx(height)
    sqos_in_table = sum(int(r[4]) for r in table_rows(lab.campaign_table.value))
    assert sqos_in_table == out.n_sqo - int(leads.loc[is_sqo, "campaign"].isna().sum())


def check_drawbacks(lab) -> None:
    context = lab.context.value
    leads, world = shown_leads(lab)
    gate = preset(lab.framework.value, context).replace(
        min_met=None, unknown_meets=lab.unknown_meets.value
    )
    assert lab.k.max == len(gate.applied) and 1 <= lab.k.value <= lab.k.max
    assert count(lab) == int(qualify(leads, gate).sum())
    kofn = qualify(leads, gate.replace(min_met=lab.k.value))
    assert count(lab, "kofn_sqo") == int(kofn.sum())
    assert count(lab, "score_sqo") == int((scores(context, world) >= lab.threshold.value).sum())


def check_contexts(lab) -> None:
    for context in CONTEXTS:
        leads = load_sample(context)
        crit = preset(lab.frameworks[context].value, context).replace(
            unknown_meets=lab.unknowns[context].value
        )
        assert count(lab, f"n_sqo_{context}") == int(qualify(leads, crit).sum())


def check_orchard(lab) -> None:
    orchard = load_orchard()
    ripeness = orchard["ripeness"].to_numpy()
    t, hours = lab.threshold.value, float(lab.hours.value)
    out = evaluate(
        orchard_pipeline(orchard), ripeness >= t, capacity_hours=hours, priority=ripeness
    )
    assert count(lab) == out.n_sqo
    assert shown(lab, "picked") == f"{out.n_worked:,}"
    assert lab.harvest_bars[0].get_width() == pytest.approx(out.n_worked / len(orchard))


def table_rows(html: str) -> list[list[str]]:
    body = html.split("<tbody>", 1)[1]
    return [re.findall(r"<td>(.*?)</td>", row) for row in body.split("<tr>")[1:]]


CHECKS = {
    "qualify": check_qualify,
    "tradeoff": check_tradeoff,
    "benefits": check_benefits,
    "drawbacks": check_drawbacks,
    "contexts": check_contexts,
    "orchard": check_orchard,
}


def test_every_lab_has_a_consistency_check():
    assert set(CHECKS) == set(LABS)


@pytest.mark.parametrize("name", list(LABS))
def test_the_widget_tree_holds_exactly_the_registered_controls(name):
    lab = lab_named(name)
    assert {id(w) for w in value_widgets(lab)} == {id(w) for w in lab.controls.values()}


@pytest.mark.parametrize("name", list(LABS))
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_random_values_never_error_and_never_leave_a_view_stale(name, data):
    lab = lab_named(name)
    controls = value_widgets(lab)
    steps = data.draw(
        st.lists(
            st.tuples(st.integers(0, len(controls) - 1), st.floats(0, 1, exclude_max=True)),
            min_size=1,
            max_size=6,
        )
    )
    for index, u in steps:
        control = controls[index]
        if control.disabled:  # a learner cannot change it either
            continue
        before = lab.refresh_count
        value = random_value(control, u)
        changed = value != control.value
        control.value = value
        assert lab.error is None, lab.error
        assert lab.message.layout.display == "none"
        assert lab.refresh_count > before or not changed
        CHECKS[name](lab)
    if data.draw(st.booleans()):
        lab.reset()
        assert lab.error is None
        CHECKS[name](lab)
