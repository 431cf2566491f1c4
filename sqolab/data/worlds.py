"""Worlds: the switches of the generative model that decide some of the course's conclusions.

Three lessons of the course follow from how the samples are simulated, not from data about real
buyers. Each has a switch here, so a learner can see the lesson hold in one world and flip in
another:

* "unknown is not no": by default a budget or timeline is unknown *at random* (missing at random).
  ``hiding`` > 0 makes weak buyers hide them more often (missing not at random), so an unknown value
  becomes a warning sign.
* "a score beats a checklist": by default fit and engagement (which the lead score uses and BANT
  does not) drive the simulated outcomes. ``signal`` < 1 weakens that link; at 0 they say nothing
  about winning and the score keeps only a small edge (from budget, authority, need, timeline).
* "SQOs face more competition": by default competitors are drawn to high-fit, high-value leads.
  ``crowding`` < 1 weakens that; at 0 competition does not follow lead quality at all.

The default world reproduces the shipped samples byte for byte. ``datasets/README.md`` documents
each switch and what it changes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class World:
    """Switches of the sample generator (the defaults are the course's samples)."""

    hiding: float = 0.0
    """How strongly weak buyers hide budget and timeline: 0 = at random; 1.5 = strongly."""
    signal: float = 1.0
    """How much fit and engagement drive winning: 1 = as in the samples; 0 = not at all."""
    crowding: float = 1.0
    """How strongly competitors follow lead quality (fit, deal size): 1 = samples; 0 = not."""

    def __post_init__(self) -> None:
        for name, low, high in (("hiding", 0.0, 3.0), ("signal", 0.0, 2.0), ("crowding", 0.0, 2.0)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
                raise ValueError(f"World.{name} must be a number, got {value!r}.")
            if not low <= value <= high:
                raise ValueError(
                    f"World.{name} must be between {low:g} and {high:g}, got {value!r}; "
                    f"the default is {getattr(World, name):g}."
                )


DEFAULT_WORLD = World()

WORLDS: dict[str, World] = {
    "as in the samples": DEFAULT_WORLD,
    "weak buyers hide budget and timeline": World(hiding=1.5),
    "fit and engagement do not drive wins": World(signal=0.0),
    "competition ignores lead quality": World(crowding=0.0),
}
"""Named worlds for the labs' "what if the world were different" control."""

WORLD_NOTES: dict[str, str] = {
    "as in the samples": "Unknown budgets and timelines are unknown at random; fit and engagement "
    "drive wins; competitors go after the best leads.",
    "weak buyers hide budget and timeline": "Buyers with little chance to buy hide their budget "
    "and timeline more often, so 'unknown' becomes a warning sign.",
    "fit and engagement do not drive wins": "Fit and engagement scores say nothing about winning; "
    "a lead score built on them loses its edge over a checklist.",
    "competition ignores lead quality": "Competitors are as likely on a weak lead as on a strong "
    "one, so SQOs face no more competition than other leads.",
}
"""One sentence per named world: what is different in it."""
