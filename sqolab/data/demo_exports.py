"""The project's own demo CRM exports, written from the simulated leads with a fixed seed.

Three exports with the header names and value conventions of the tools they imitate (written by
the project, not copied from anyone): HubSpot contacts + deals, a Salesforce leads report +
opportunities report, and a German Excel list (.xlsx and semicolon CSV with comma decimals,
dd.mm.yyyy dates and € signs). About a third of the deals are still open. Run
``python -m sqolab.data.demo_exports`` to write them to datasets/exports/.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from sqolab.data.generator import generate_leads

EXPORTS_DIR = Path(__file__).resolve().parents[2] / "datasets" / "exports"
"""Where the demo exports are shipped."""

DEMO_FILES: dict[str, tuple[str, ...]] = {
    "HubSpot contacts + deals": ("hubspot_contacts.csv", "hubspot_deals.csv"),
    "Salesforce leads + opportunities": ("salesforce_leads.csv", "salesforce_opportunities.csv"),
    "German Excel list (.xlsx)": ("leads_de.xlsx",),
    "German CSV list (semicolon)": ("leads_de.csv",),
}
"""Each demo export by name: its file, or the leads file and the deals file to join."""

DEMO_KEYS: dict[str, tuple[str, str]] = {
    "HubSpot contacts + deals": ("Record ID", "Associated Contact ID"),
    "Salesforce leads + opportunities": ("Lead ID", "Converted Lead ID"),
}
"""The join keys (leads table, deals table) of the two-table demo exports."""

_SOURCES_HUBSPOT = {
    "inbound": "Organic Search",
    "referral": "Referrals",
    "paid_search": "Paid Search",
    "social": "Social Media",
    "event": "Offline Sources",
    "outbound": "Other Campaigns",
    "partner": "Partner",
}
_SOURCES_SF = {
    "inbound": "Web",
    "referral": "Employee Referral",
    "paid_search": "Advertisement",
    "social": "Social Media",
    "event": "Trade Show",
    "outbound": "Purchased List",
    "partner": "Partner Referral",
}
_SOURCES_DE = {
    "inbound": "Website",
    "referral": "Empfehlung",
    "paid_search": "Google Ads",
    "social": "LinkedIn",
    "event": "Messe",
    "outbound": "Kaltakquise",
    "partner": "Partner",
}


def _base(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray, np.random.Generator]:
    """Simulated leads, which of them were worked (have a deal), and the random generator."""
    leads = generate_leads("consultancy", n=n, seed=seed)
    rng = np.random.default_rng(seed)
    worked = rng.random(n) < 0.6
    return leads, worked, rng


def _stage(
    outcome: str,
    is_open: bool,
    won: str,
    lost: str,
    no_decision: str,
    opens: list[str],
    rng: np.random.Generator,
) -> str:
    if is_open:
        return str(rng.choice(opens))
    return {"won": won, "lost_competitor": lost, "no_decision": no_decision}[outcome]


def _close(created: pd.Timestamp, rng: np.random.Generator) -> pd.Timestamp:
    return created + pd.Timedelta(days=int(rng.integers(20, 200)))


def write_demo_exports(
    directory: str | Path = EXPORTS_DIR, n: int = 400, seed: int = 14
) -> list[Path]:
    """Write the demo exports to ``directory`` (reproducible: same seed, same files)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    leads, worked, rng = _base(n, seed)
    is_open = rng.random(n) < 0.3
    sessions = np.maximum(0, np.round(leads["engagement_score"] / 8 + rng.normal(0, 2, n))).astype(
        int
    )
    written: list[Path] = []
    first = ["Anna", "Ben", "Clara", "David", "Eva", "Felix", "Greta", "Hannes", "Ida", "Jonas"]
    last = ["Berger", "Schmidt", "Keller", "Wagner", "Roth", "Lang", "Vogel", "Brandt", "Frank"]
    names = [(first[i % 10], last[(i * 7) % 9]) for i in range(n)]

    contacts = pd.DataFrame(
        {
            "Record ID": [str(510000 + i * 13) for i in range(n)],
            "First Name": [f for f, _ in names],
            "Last Name": [s for _, s in names],
            "Company Name": leads["company"],
            "Job Title": leads["contact_title"],
            "Industry": leads["industry"],
            "Country/Region": leads["country"],
            "Number of Employees": leads["employees"],
            "Original Source": leads["source"].map(_SOURCES_HUBSPOT),
            "Lifecycle Stage": np.where(worked, "Opportunity", "Marketing Qualified Lead"),
            "Lead Status": np.where(worked, "In Progress", "New"),
            "Create Date": leads["created_on"].dt.strftime("%Y-%m-%d %H:%M"),
            "Number of Sessions": sessions,
        }
    )
    deals = pd.DataFrame(
        {
            "Record ID": [str(9100000 + i * 7) for i in range(n)],
            "Deal Name": [f"{c} - Beratung" for c in leads["company"]],
            "Deal Stage": [
                _stage(
                    o,
                    op,
                    "Closed Won",
                    "Closed Lost",
                    "Closed Lost - No Decision",
                    ["Appointment Scheduled", "Presentation Scheduled", "Contract Sent"],
                    rng,
                )
                for o, op in zip(leads["outcome"], is_open, strict=False)
            ],
            "Amount": leads["deal_value_eur"].round(2),
            "Close Date": [_close(d, rng).strftime("%Y-%m-%d") for d in leads["created_on"]],
            "Associated Contact ID": contacts["Record ID"],
        }
    )[worked]
    contacts.to_csv(directory / "hubspot_contacts.csv", index=False)
    deals.to_csv(directory / "hubspot_deals.csv", index=False)

    sf = pd.DataFrame(
        {
            "Lead ID": [f"00Q5g00000{i:06d}AAA" for i in range(n)],
            "First Name": [f for f, _ in names],
            "Last Name": [s for _, s in names],
            "Title": leads["contact_title"],
            "Company / Account": leads["company"],
            "Industry": leads["industry"],
            "Lead Source": leads["source"].map(_SOURCES_SF),
            "Rating": leads["need"].map(
                {"confirmed": "Hot", "latent": "Warm", "none": "Cold", "unknown": ""}
            ),
            "Lead Status": np.where(worked, "Qualified", "Open - Not Contacted"),
            "No. of Employees": leads["employees"],
            "Create Date": leads["created_on"].dt.strftime("%m/%d/%Y"),
        }
    )
    opps = pd.DataFrame(
        {
            "Opportunity ID": [f"0065g00000{i:06d}BBB" for i in range(n)],
            "Opportunity Name": [f"{c} - Projekt" for c in leads["company"]],
            "Stage": [
                _stage(
                    o,
                    op,
                    "Closed Won",
                    "Closed Lost",
                    "Closed Lost - No Decision",
                    [
                        "Qualification",
                        "Needs Analysis",
                        "Proposal/Price Quote",
                        "Negotiation/Review",
                    ],
                    rng,
                )
                for o, op in zip(leads["outcome"], is_open, strict=False)
            ],
            "Amount": [f"EUR {v:,.2f}" for v in leads["deal_value_eur"]],
            "Close Date": [_close(d, rng).strftime("%m/%d/%Y") for d in leads["created_on"]],
            "Converted Lead ID": sf["Lead ID"],
        }
    )[worked]
    sf.to_csv(directory / "salesforce_leads.csv", index=False)
    opps.to_csv(directory / "salesforce_opportunities.csv", index=False)

    de_phase = [
        _stage(
            o,
            op,
            "Gewonnen",
            "Verloren",
            "Verloren - keine Entscheidung",
            ["Angebot", "In Verhandlung"],
            rng,
        )
        if w
        else "Neu"
        for o, op, w in zip(leads["outcome"], is_open, worked, strict=False)
    ]
    de = pd.DataFrame(
        {
            "Lead-Nr.": [f"L-{2026}-{i + 1:04d}" for i in range(n)],
            "Firma": leads["company"],
            "Position": leads["contact_title"],
            "Branche": leads["industry"],
            "Land": leads["country"],
            "Mitarbeiter": leads["employees"],
            "Quelle": leads["source"].map(_SOURCES_DE),
            "Erstellt am": leads["created_on"].dt.strftime("%d.%m.%Y"),
            "Budget (€)": [
                ""
                if pd.isna(b)
                else f"{b:,.2f} €".replace(",", "X").replace(".", ",").replace("X", ".")
                for b in leads["budget_eur"]
            ],
            "Bedarf": leads["need"].map(
                {"confirmed": "bestätigt", "latent": "vermutet", "none": "kein", "unknown": ""}
            ),
            "Phase": de_phase,
            "Auftragswert (€)": [
                f"{v:,.2f} €".replace(",", "X").replace(".", ",").replace("X", ".")
                for v in leads["deal_value_eur"]
            ],
        }
    )
    de.to_csv(directory / "leads_de.csv", index=False, sep=";", encoding="utf-8-sig")
    de.to_excel(directory / "leads_de.xlsx", index=False, sheet_name="Leads", engine="openpyxl")
    written += [directory / f for files in DEMO_FILES.values() for f in files]
    return written


def demo_path(name: str) -> list[Path]:
    """The shipped files of a demo export (see :data:`DEMO_FILES`)."""
    return [EXPORTS_DIR / f for f in DEMO_FILES[name]]


if __name__ == "__main__":  # pragma: no cover - writes the shipped files
    for path in write_demo_exports(sys.argv[1] if len(sys.argv) > 1 else EXPORTS_DIR):
        print(path)
