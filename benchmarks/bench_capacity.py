"""Capacity figures for a class: memory per participant, and participants per machine size.

Run ``python benchmarks/bench_capacity.py`` (every dashboard) or ``--quick`` (Lab 1 and the Cup
scoreboard only; CI). Measured with psutil, in MiB of resident memory (RSS; USS, the memory only
that process holds, in brackets):

* a fresh Jupyter kernel (the baseline), the same after ``import sqolab``, and after building every
  lab of ``LABS`` (what a participant's kernel holds after working through the course);
* the kernel Voilà starts for one page view of each dashboard (served with the course's command),
  and the Voilà server itself;
* an idle JupyterLab server (the per-user server on a JupyterHub).

From these: how many participants a machine serves, for notebooks on a JupyterHub (one JupyterLab
server and two kernels each: a lab and an exercise) and for dashboards on the room's network (one
dashboard kernel each, the heaviest), keeping a reserve for the system and a headroom.
The check that must agree: every measurement is positive and the kernel with the labs holds more
than the fresh kernel.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from browser import background_server, free_port  # noqa: E402

from sqolab.workshop.deploy import DASHBOARDS, DASHBOARDS_DIR, START_PAGE, voila_command  # noqa: E402

MIB = 1024 * 1024
MACHINES_GB = (8, 16, 32, 64)
RESERVE_MB = 1536  # the system, the hub and the proxy
HEADROOM = 0.25  # kept free for peaks (a lab redraw, a second tab)
KERNELS_PER_PARTICIPANT = 2


def memory(pid: int) -> tuple[float, float]:
    """(RSS, USS) of a process in MiB."""
    info = psutil.Process(pid).memory_full_info()
    return info.rss / MIB, info.uss / MIB


def kernel_figures() -> dict[str, tuple[float, float]]:
    """Memory of one kernel: fresh, after ``import sqolab``, after building every lab."""
    from jupyter_client.manager import KernelManager

    manager = KernelManager(kernel_name="python3")
    manager.start_kernel(cwd=str(ROOT))
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=120)
        pid = manager.provisioner.process.pid
        time.sleep(1)
        figures = {"fresh kernel (baseline)": memory(pid)}
        steps = [
            ("kernel after import sqolab", "import sqolab\nfrom sqolab.labs import LABS"),
            ("kernel with every lab built", "labs = [LABS[name]() for name in LABS]"),
        ]
        for label, code in steps:
            reply = client.execute_interactive(code, timeout=600, output_hook=lambda _msg: None)
            if reply["content"]["status"] != "ok":
                raise RuntimeError(f"{label}: {reply['content']}")
            time.sleep(1)
            figures[label] = memory(pid)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    return figures


def _kernels() -> set[int]:
    return {
        p.pid
        for p in psutil.Process().children(recursive=True)
        if "ipykernel_launcher" in " ".join(p.cmdline())
    }


def voila_figures(notebooks: list[str]) -> dict[str, tuple[float, float]]:
    """Memory of the kernel of one page view per dashboard, and of the Voilà server."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    figures: dict[str, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        command = voila_command(port=port, log=Path(tmp) / "voila.log")
        env = {**os.environ, "SQOLAB_CUP_DIR": tmp}
        with background_server(command, url + "/", timeout=120, cwd=DASHBOARDS_DIR, env=env):
            for notebook in notebooks:
                before = _kernels()
                with urllib.request.urlopen(f"{url}/voila/render/{notebook}", timeout=300) as r:
                    r.read()  # the page is complete once every cell has run
                time.sleep(1)
                new = _kernels() - before
                if len(new) != 1:
                    raise RuntimeError(f"{notebook}: expected one new kernel, found {len(new)}")
                figures[f"Voila page: {notebook}"] = memory(new.pop())
            server = [
                p.pid
                for p in psutil.Process().children(recursive=True)
                if " -m voila " in f" {' '.join(p.cmdline())} "
            ]
            figures["Voila server (shared)"] = memory(server[0])
    return figures


def lab_server_figure() -> tuple[float, float]:
    """Memory of an idle JupyterLab server (a JupyterHub user's server, without kernels)."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        f"--port={port}",
        "--ServerApp.ip=127.0.0.1",
        "--IdentityProvider.token=",
        "--ServerApp.log_level=ERROR",
        "--ServerApp.allow_root=True",  # CI runs as root; harmless otherwise
    ]
    with tempfile.TemporaryDirectory() as tmp:
        command = ["sh", "-c", f'exec "$@" >{tmp}/lab.log 2>&1', "sh", *command]
        with background_server(command, f"http://127.0.0.1:{port}/api", timeout=120, cwd=ROOT):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab", timeout=60) as r:
                r.read()
            time.sleep(2)
            pid = next(
                p.pid
                for p in psutil.Process().children(recursive=True)
                if "jupyterlab" in " ".join(p.cmdline()) and p.name() != "sh"
            )
            return memory(pid)


def participants(machine_gb: float, per_participant_mb: float) -> int:
    """Participants a machine of ``machine_gb`` serves, after the reserve and the headroom."""
    usable = (machine_gb * 1024 - RESERVE_MB) * (1 - HEADROOM)
    return max(0, int(usable // per_participant_mb))


def main(argv: list[str] | None = None) -> bool:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="two dashboards instead of all")
    args = parser.parse_args(argv)
    names = [d.notebook for d in DASHBOARDS]
    if args.quick:
        names = ["01_qualify.ipynb", "08_cup_scoreboard.ipynb"]
    total = psutil.virtual_memory().total / MIB / 1024
    print(f"CPU cores: {os.cpu_count()}; memory: {total:.1f} GiB; Python {sys.version.split()[0]}")

    figures = kernel_figures()
    figures.update(voila_figures([START_PAGE, *names]))
    figures["JupyterLab server, idle"] = lab_server_figure()
    base_rss = figures["fresh kernel (baseline)"][0]
    print(f"\n{'process':<44} {'RSS MiB':>8} {'USS MiB':>8} {'x fresh':>8}")
    for label, (rss, uss) in figures.items():
        print(f"{label:<44} {rss:>8.0f} {uss:>8.0f} {rss / base_rss:>7.1f}x")

    lab_kernel = figures["kernel with every lab built"][0]
    dashboards = [v[0] for k, v in figures.items() if k.startswith("Voila page:")]
    hub_user = figures["JupyterLab server, idle"][0] + KERNELS_PER_PARTICIPANT * lab_kernel
    dash_user = max(dashboards)
    print(
        f"\nPer participant: notebooks on a JupyterHub {hub_user:,.0f} MiB (JupyterLab server + "
        f"{KERNELS_PER_PARTICIPANT} kernels with the labs); a dashboard {dash_user:,.0f} MiB "
        "(the heaviest page's kernel)."
    )
    print(
        f"Participants per machine (reserve {RESERVE_MB:,} MiB for the system, "
        f"{HEADROOM:.0%} headroom):"
    )
    print(f"{'machine':>8} {'JupyterHub notebooks':>22} {'Voila dashboards':>18}")
    for gb in MACHINES_GB:
        print(f"{gb:>5} GB {participants(gb, hub_user):>22} {participants(gb, dash_user):>18}")
    agree = all(rss > 0 and uss > 0 for rss, uss in figures.values()) and lab_kernel > base_rss
    print(f"\nAll measurements positive, labs kernel larger than a fresh one: {agree}")
    return agree


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
