"""Capacity figures for a class: memory per participant, participants per machine size, page loads.

Run ``python benchmarks/bench_capacity.py`` (every dashboard) or ``--quick`` (Lab 1 and the Cup
scoreboard only, 4 page loads at once; CI); ``--load-only`` measures only the page loads at
once (below). Measured with psutil, in MiB of resident memory (RSS; USS, the memory only
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

Page loads at once (``--participants 30``, default): the course's server (``voila_command``, on
127.0.0.1, its cap raised to the participants) serves one dashboard (``--page``, default Lab 1)
alone three times (the baseline), then to all participants at the same instant (a thread each,
released together). A load is the time until the whole page has arrived: the kernel has started
and run the dashboard, as a browser waits for it. Reported: baseline median, p50/p95/max at once
and their ratio to the baseline, and the memory of the server and its kernels with every page
open. Every load is bounded (``--timeout``, default 600 s); the check that must agree: every page
arrived complete (HTTP 200 with its kernel).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from browser import background_server, free_port  # noqa: E402

from sqolab.workshop.deploy import DASHBOARDS, DASHBOARDS_DIR, START_PAGE, voila_command  # noqa: E402
from sqolab.workshop.server import HEADROOM, RESERVE_MIB, participants  # noqa: E402

MIB = 1024 * 1024
MACHINES_GB = (8, 16, 32, 64)
KERNELS_PER_PARTICIPANT = 2
KERNEL_ID = re.compile(r'"kernelId":\s*"([0-9a-f-]{36})"')


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


def _server_pid() -> int:
    """The Voilà server this benchmark started."""
    return next(
        p.pid
        for p in psutil.Process().children(recursive=True)
        if "sqolab.workshop.server" in p.cmdline()
    )


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
            figures["Voila server (shared)"] = memory(_server_pid())
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


def load_page(url: str, timeout: float) -> tuple[float, float, bool]:
    """Seconds to the first byte and to the whole page, and whether it came with its kernel."""
    started = time.perf_counter()
    first = float("nan")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            chunks = [response.read1()]
            first = time.perf_counter() - started
            while chunk := response.read1():
                chunks.append(chunk)
            page = b"".join(chunks).decode()
            complete = response.status == 200 and bool(KERNEL_ID.search(page))
    except OSError:
        complete = False
    return first, time.perf_counter() - started, complete


def page_load_figures(page: str, at_once: int, timeout: float) -> dict:
    """Load time of ``page`` alone (3 times) and for ``at_once`` participants at one instant."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        command = voila_command(port=port, log=Path(tmp) / "voila.log", max_kernels=at_once + 3)
        env = {**os.environ, "SQOLAB_CUP_DIR": tmp}
        with background_server(command, url + "/", timeout=120, cwd=DASHBOARDS_DIR, env=env):
            alone = [load_page(f"{url}/voila/render/{page}", timeout) for _ in range(3)]
            results: list[tuple[float, float, bool]] = [(0.0, 0.0, False)] * at_once
            gate = threading.Barrier(at_once)

            def participant(i: int) -> None:
                gate.wait()
                results[i] = load_page(f"{url}/voila/render/{page}", timeout)

            threads = [threading.Thread(target=participant, args=(i,)) for i in range(at_once)]
            server = psutil.Process(_server_pid())
            kernels_before = {p.pid for p in server.children(recursive=True)}
            server_cpu = sum(server.cpu_times()[:2])
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            processes = [server, *server.children(recursive=True)]
            total = sum(p.memory_info().rss for p in processes) / MIB
            new = [p for p in processes[1:] if p.pid not in kernels_before]
            cpu = sum(server.cpu_times()[:2]) - server_cpu
            cpu += sum(sum(p.cpu_times()[:2]) for p in new)
    times = sorted(t for _, t, _ in results)
    firsts = sorted(f for f, _, _ in results)
    return {
        "alone": statistics.median(t for _, t, _ in alone),
        "alone, first byte": statistics.median(f for f, _, _ in alone),
        "first byte, p50": statistics.median(firsts),
        "first byte, max": firsts[-1],
        "min": times[0],
        "p50": statistics.median(times),
        "p95": times[min(len(times) - 1, round(0.95 * (len(times) - 1)))],
        "max": times[-1],
        "complete": sum(ok for *_, ok in results) + sum(ok for *_, ok in alone),
        "pages": at_once + len(alone),
        "kernels": len(processes) - 1,
        "memory_mib": total,
        "cpu_per_page": cpu / at_once,
    }


def report_page_loads(page: str, at_once: int, timeout: float) -> bool:
    """Print the page-load figures; True when every page arrived complete."""
    before = os.getloadavg()[0]
    f = page_load_figures(page, at_once, timeout)
    print(f"\nPage load of {page} (whole page, kernel started and dashboard run), seconds:")
    print(f"{'':<34} {'seconds':>8} {'x alone':>8}")
    print(f"{'alone (median of 3)':<34} {f['alone']:>8.1f} {1:>7.1f}x")
    for key in ("min", "p50", "p95", "max"):
        label = f"{at_once} at once, {key}"
        print(f"{label:<34} {f[key]:>8.1f} {f[key] / f['alone']:>7.1f}x")
    print(f"{'alone, first byte (median of 3)':<34} {f['alone, first byte']:>8.1f}")
    for key in ("first byte, p50", "first byte, max"):
        print(f"{f'{at_once} at once, {key}':<34} {f[key]:>8.1f}")
    print(
        f"With every page open: {f['kernels']} kernels, server + kernels "
        f"{f['memory_mib']:,.0f} MiB ({f['memory_mib'] / f['kernels']:,.0f} MiB per page)."
    )
    print(
        f"CPU time per page (server + its kernel): {f['cpu_per_page']:.1f} s; {at_once} pages "
        f"at once need {f['cpu_per_page'] * at_once:.0f} CPU-seconds in all."
    )
    print(f"Load average (1 min) before and after: {before:.1f}, {os.getloadavg()[0]:.1f}.")
    ok = f["complete"] == f["pages"]
    print(f"Every page arrived complete: {ok} ({f['complete']} of {f['pages']})")
    return ok


def main(argv: list[str] | None = None) -> bool:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="two dashboards instead of all")
    parser.add_argument("--load-only", action="store_true", help="only the page loads at once")
    parser.add_argument(
        "--participants", type=int, default=None, help="page loads at once (30; --quick: 4)"
    )
    parser.add_argument("--page", default="01_qualify.ipynb", help="the dashboard they load")
    parser.add_argument("--timeout", type=float, default=600, help="bound of one page load, s")
    parser.add_argument(
        "--smoke", action="store_true", help="smallest run (tests/test_benchmarks.py)"
    )
    args = parser.parse_args(argv)
    args.quick = args.quick or args.smoke
    if args.participants is None:
        args.participants = 2 if args.smoke else 4 if args.quick else 30
    names = [d.notebook for d in DASHBOARDS]
    if args.quick:
        names = [] if args.smoke else ["01_qualify.ipynb", "08_cup_scoreboard.ipynb"]
    total = psutil.virtual_memory().total / MIB / 1024
    print(f"CPU cores: {os.cpu_count()}; memory: {total:.1f} GiB; Python {sys.version.split()[0]}")
    if args.load_only:
        return report_page_loads(args.page, args.participants, args.timeout)

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
        f"Participants per machine (reserve {RESERVE_MIB:,} MiB for the system, "
        f"{HEADROOM:.0%} headroom):"
    )
    print(f"{'machine':>8} {'JupyterHub notebooks':>22} {'Voila dashboards':>18}")
    for gb in MACHINES_GB:
        hub, dash = participants(gb * 1024, hub_user), participants(gb * 1024, dash_user)
        print(f"{gb:>5} GB {hub:>22} {dash:>18}")
    agree = all(rss > 0 and uss > 0 for rss, uss in figures.values()) and lab_kernel > base_rss
    print(f"\nAll measurements positive, labs kernel larger than a fresh one: {agree}")
    loads = report_page_loads(args.page, args.participants, args.timeout)
    return agree and loads


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
