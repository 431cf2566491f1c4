"""The grader's worker: runs one notebook's cells in a kernel, then asks the kernel for the answers.

Started by :func:`sqolab.practice.grading.sandbox.run_contained` in the notebook's own folder, with
its limits already set. It reads its task (JSON) from stdin: the notebook file, the question ids,
the time limits and a random ``nonce``. It becomes the subreaper of everything the kernel starts,
runs the code cells in order until the notebook's time is used up (a cell still running then is
interrupted; the cells after it are not run), runs the answer report of
:mod:`sqolab.practice.grading.answers` in the kernel, kills every process left, and writes one
line to stdout: the nonce, a space, and a JSON result. The kernel's own output goes nowhere, and
the nonce never reaches the kernel, so a line the notebook prints cannot pass for the result.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from sqolab.practice.grading import sandbox
from sqolab.practice.grading.answers import MIME

MAX_TASK_BYTES = 1_000_000


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0][:200] if text else ''}".rstrip(": ")


def _error_of(cell: Any) -> str:
    """``"NameError: name 'x' is not defined"`` when the cell's outputs hold an error, else ''."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return f"{output.get('ename', 'Error')}: {str(output.get('evalue', ''))[:1000]}"
    return ""


def _answers_of(cell: Any) -> str | None:
    """The JSON text of the answer report displayed by the report cell (exactly one), or None."""
    found = [
        output["data"][MIME]
        for output in cell.get("outputs", [])
        if output.get("output_type") == "display_data" and MIME in output.get("data", {})
    ]
    return found[0] if len(found) == 1 and isinstance(found[0], str) else None


def run(task: dict[str, Any]) -> dict[str, Any]:
    """Execute the notebook of ``task``; the result the grader reads."""
    import nbclient
    import nbformat
    from nbclient.exceptions import DeadKernelError

    seconds = float(task["seconds"])
    cell_seconds = float(task.get("cell_seconds") or seconds)
    answer_seconds = float(task["answer_seconds"])
    notebook = nbformat.read(task["notebook"], as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        startup_timeout=int(task["startup_seconds"]),
        allow_errors=True,
        interrupt_on_timeout=True,
        error_on_timeout={"ename": "TimeLimit", "evalue": "time limit reached; interrupted"},
        kernel_name="python3",
        shutdown_kernel="immediate",
        resources={"metadata": {"path": task["folder"]}},
    )
    budget = [cell_seconds]  # seconds the next cell may take
    client.timeout_func = lambda _cell: budget[0]
    result: dict[str, Any] = {"failure": "", "cells": [], "answers": None, "answers_problem": ""}
    code = [(i, c) for i, c in enumerate(notebook.cells) if c.cell_type == "code"]
    ran: set[int] = set()
    with client.setup_kernel(
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=sandbox.kernel_preexec(Path(task["folder"])),
    ):
        # a kernel that ignores interrupts is killed when even the answers' time is up
        watchdog = threading.Timer(seconds + answer_seconds + 10, sandbox.kill_descendants)
        watchdog.daemon = True
        watchdog.start()
        deadline = time.monotonic() + seconds
        alive = True
        for index, cell in code:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            budget[0] = max(0.5, min(cell_seconds, left))
            try:
                client.execute_cell(cell, index)
            except DeadKernelError:
                result["failure"] = "The kernel stopped (out of memory, or killed by a limit)."
                alive = False
                break
            ran.add(index)
        interrupted = any(_error_of(c).startswith("TimeLimit") for _, c in code)
        if alive and time.monotonic() >= deadline and (interrupted or len(ran) < len(code)):
            result["failure"] = (
                f"Stopped at the time limit of {seconds:g} s for the whole notebook: "
                f"{len(ran)} of {len(code)} code cells ran, the last one interrupted."
            )
        elif interrupted:
            result["failure"] = f"A cell ran longer than {cell_seconds:g} s and was interrupted."
        if alive:
            report = nbformat.v4.new_code_cell(
                "import sqolab.practice.grading.answers as _sqolab_answers\n"
                f"_sqolab_answers.emit({list(task['questions'])!r})"
            )
            budget[0] = answer_seconds
            notebook.cells.append(report)
            try:
                client.execute_cell(report, len(notebook.cells) - 1, store_history=False)
                result["answers"] = _answers_of(report)
                if result["answers"] is None:
                    problem = _error_of(report) or "no report"
                    result["answers_problem"] = f"the kernel gave no answers ({problem})"
            except DeadKernelError:
                result["answers_problem"] = "the kernel stopped before it gave the answers"
        watchdog.cancel()
    result["cells"] = [{"index": i, "ran": i in ran, "error": _error_of(c)[:1100]} for i, c in code]
    return result


def main() -> int:
    """Read the task from stdin, run it contained, print ``nonce JSON``."""
    task = json.loads(sys.stdin.buffer.read(MAX_TASK_BYTES))
    nonce = str(task.pop("nonce"))
    sandbox.become_subreaper()
    sandbox.clean_up_on_sigterm()
    sandbox.die_with_parent()
    try:
        result = run(task)
    except Exception as error:  # never let one notebook's trouble go unreported
        result = {"failure": f"The notebook could not be run: {_first_line(error)}"}
    finally:
        sandbox.kill_descendants()
    sys.stdout.write(nonce + " " + json.dumps(result) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
