"""Containing a submitted notebook's process: its own folder, a minimal environment, OS limits.

The grader starts one *worker* process per notebook (:mod:`sqolab.practice.grading.worker`), which
starts the notebook's kernel. The worker is started

- in a fresh temporary folder of its own (also its ``HOME`` and ``TMPDIR``), holding only a copy of
  that one notebook;
- with a minimal environment (:func:`minimal_env`): ``PATH``, ``HOME``, ``LANG``, a
  ``SQOLAB_PROGRESS`` inside the folder; none of the instructor's variables;
- in a new session (its own process group), with resource limits set before it runs
  (:func:`limit_resources`): address space (memory), processes, CPU seconds, file size, no core
  files; when the grader runs as root, as an unprivileged user (``nobody`` by default), so the
  notebook cannot read other submissions or the grader's files;
- as a *child subreaper* (Linux): every process the notebook starts, even one that detaches into
  a session of its own, stays a descendant of the worker, which kills them all
  (:func:`kill_descendants`) before it reports. The grader then kills the worker's process group
  and any process still carrying the run's marker variable.

These are standard operating-system mechanisms, not a container: a notebook running as the
instructor's own user can still read what that user can read. Running the grader as root (it then
drops to ``nobody``), as a separate user, or in a container is stronger; the instructors' guide
says so.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pwd
import resource
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
MARKER = "SQOLAB_GRADE_RUN"
"""Environment variable carrying a random id of one run (the grader kills what carries it)."""


@dataclass(frozen=True)
class Limits:
    """What one notebook may use. ``seconds`` bounds the whole notebook, not one cell."""

    seconds: float = 300.0  # wall clock for all of the notebook's cells together
    cell_seconds: float | None = None  # optionally less per cell
    # address space per process (RLIMIT_AS): a course notebook (pandas, matplotlib, the samples)
    # reserves well under 1 GiB; a learner's 1.5 GB allocation is refused
    memory_mb: int = 1536
    processes: int = 64  # processes of the notebook's user (RLIMIT_NPROC; not enforced for root)
    file_mb: int = 200  # largest file the notebook may write (RLIMIT_FSIZE)
    startup_seconds: float = 60.0  # to start the kernel (not counted in ``seconds``)
    answer_seconds: float = 30.0  # to collect the answers after the cells (not in ``seconds``)
    user: str | None = None  # run as this user (needs root); None: the grader's own user

    @property
    def cpu_seconds(self) -> int:
        """CPU seconds per process (RLIMIT_CPU): a backstop behind the wall clock."""
        return int(self.seconds + self.startup_seconds + self.answer_seconds) + 5

    @property
    def total_seconds(self) -> float:
        """How long the grader waits for a worker before killing it."""
        return self.seconds + self.startup_seconds + self.answer_seconds + 30.0


def run_as(limits: Limits) -> tuple[int, int] | None:
    """(uid, gid) to run a notebook as, or None to keep the current user.

    Switching users needs root (the user must be able to run this Python); a user who is not
    root asking to is an error, and root is never a user to switch to.
    """
    if os.name != "posix" or limits.user is None:
        return None
    if os.geteuid() != 0:
        if limits.user != pwd.getpwuid(os.geteuid()).pw_name:
            raise ValueError(f"Only root can run notebooks as another user ({limits.user!r}).")
        return None
    try:
        entry = pwd.getpwnam(limits.user)
    except KeyError:
        raise ValueError(f"There is no user {limits.user!r} to run notebooks as.") from None
    if entry.pw_uid == 0:
        raise ValueError("Submitted notebooks never run as root; choose an unprivileged user.")
    return entry.pw_uid, entry.pw_gid


def minimal_env(folder: Path, marker: str) -> dict[str, str]:
    """The whole environment of a notebook's processes: nothing of the instructor's."""
    bin_dir = str(Path(sys.executable).parent)
    return {
        "PATH": f"{bin_dir}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(folder),
        "TMPDIR": str(folder),
        "LANG": "C.UTF-8",
        "SQOLAB_PROGRESS": str(folder / "progress.json"),
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": str(folder / ".matplotlib"),
        "PYTHONNOUSERSITE": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        # one thread per numeric library and few malloc arenas: less address space per kernel
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "MALLOC_ARENA_MAX": "2",
        MARKER: marker,
    }


def limit_resources(
    limits: Limits, user: tuple[int, int] | None, ruleset: int | None = None
) -> Callable[[], None]:
    """A ``preexec_fn``: set the limits, drop to ``user``, enter the Landlock ``ruleset``."""
    memory = limits.memory_mb * 1024 * 1024
    file_size = limits.file_mb * 1024 * 1024

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds))
        resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if user is not None:
            os.setgroups([])
            os.setgid(user[1])
            os.setuid(user[0])
        if ruleset is not None:
            landlock_restrict(ruleset)

    return apply


def _prctl(option: int, value: int) -> bool:
    """Call Linux prctl; False where it is not available."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(option, value, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def become_subreaper() -> bool:
    """Adopt every orphaned descendant (Linux): detached processes cannot escape the cleanup."""
    return _prctl(PR_SET_CHILD_SUBREAPER, 1)


def die_with_parent() -> bool:
    """Get SIGTERM when the parent (the grader) dies, however it dies (Linux)."""
    return _prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def clean_up_on_sigterm() -> None:
    """On SIGTERM (the grader stopping, or dying): kill every descendant, then exit.

    The notebook's processes cannot send this signal: Landlock scopes their signals to their
    own processes.
    """

    def terminate(_signum: int, _frame: object) -> None:
        kill_descendants()
        os._exit(1)

    signal.signal(signal.SIGTERM, terminate)


def _processes() -> list[tuple[int, int]]:
    """(pid, parent pid) of every process visible in /proc."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                stat = handle.read()
            parent = int(stat.rsplit(b")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        found.append((int(entry.name), parent))
    return found


def kill_descendants(rounds: int = 100) -> int:
    """Kill every child until none is left (as a subreaper, orphans become children); reap them.

    Returns how many processes were killed.
    """
    me, killed = os.getpid(), 0
    for _ in range(rounds):
        children = [pid for pid, parent in _processes() if parent == me]
        if not children:
            break
        for pid in children:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
                killed += 1
        _reap(wait=0.2)
    _reap(wait=0)
    return killed


def _reap(wait: float) -> None:
    """Collect exited children (zombies), waiting up to ``wait`` seconds for the first."""
    end = time.monotonic() + wait
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            if time.monotonic() >= end:
                return
            time.sleep(0.01)


def kill_marked(marker: str) -> int:
    """Kill every process whose environment carries ``MARKER=marker``; how many were found."""
    needle = f"{MARKER}={marker}".encode()
    found = 0
    for pid, _parent in _processes():
        try:
            with open(f"/proc/{pid}/environ", "rb") as handle:
                environ = handle.read()
        except OSError:
            continue
        if needle in environ.split(b"\0"):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
                found += 1
    return found


# --------------------------------------------------------------------------------------------------
# Landlock (Linux 5.13+): the notebook's processes may read only the system, Python and the course
# --------------------------------------------------------------------------------------------------

_SYS_CREATE_RULESET, _SYS_ADD_RULE, _SYS_RESTRICT_SELF = 444, 445, 446
_PR_SET_NO_NEW_PRIVS = 38
_EXECUTE, _WRITE_FILE, _READ_FILE, _READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
_TRUNCATE, _IOCTL_DEV = 1 << 14, 1 << 15
_SCOPE_ABSTRACT_UNIX_SOCKET, _SCOPE_SIGNAL = 1 << 0, 1 << 1
SYSTEM_FILES = (
    "/etc/ld.so.cache",
    "/etc/localtime",
    "/etc/passwd",
    "/etc/group",
    "/etc/nsswitch.conf",
    "/etc/hosts",
    "/etc/host.conf",
    "/etc/resolv.conf",
    "/etc/gai.conf",
    "/etc/mime.types",
)
"""Single files of /etc a Python kernel reads (the rest of /etc stays closed)."""
SYSTEM_DIRS = (
    "/usr",
    "/lib",
    "/lib64",
    "/lib32",
    "/bin",
    "/sbin",
    "/etc/fonts",
    "/etc/ssl",
    "/etc/alternatives",
    "/sys/devices/system/cpu",
)
"""System folders a Python kernel reads (read-only)."""


class _RulesetAttr(ctypes.Structure):
    _fields_ = (
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    )


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = (
        ("allowed_access", ctypes.c_uint64),
        ("parent_fd", ctypes.c_int32),
    )


def _libc() -> Any:
    return ctypes.CDLL(None, use_errno=True)


def landlock_abi() -> int:
    """The kernel's Landlock ABI version (0: not available, e.g. not Linux or disabled)."""
    if not sys.platform.startswith("linux"):
        return 0
    try:
        version = _libc().syscall(_SYS_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    except (OSError, AttributeError):
        return 0
    return max(0, int(version))


def readable_paths() -> list[Path]:
    """What a notebook's processes may read: system folders, Python, its packages, the course."""
    import sqolab
    from sqolab.data.samples import DATASETS_DIR

    paths = [Path(p) for p in (*SYSTEM_DIRS, *SYSTEM_FILES)]
    prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    paths += [Path(p) for p in prefixes]
    paths += [Path(p) for p in sys.path if "-packages" in p]  # site-packages outside the prefixes
    paths += [Path(sys.executable).resolve().parent.parent]
    paths += [Path(sqolab.__file__).resolve().parent, DATASETS_DIR]
    return [p for p in dict.fromkeys(paths) if p.exists()]


def landlock_ruleset(folder: Path, proc: bool) -> int | None:
    """A Landlock ruleset fd: read :func:`readable_paths` (and /proc if ``proc``), write ``folder``.

    Also scopes signals and abstract sockets to the notebook's own processes (ABI 6+). None
    where Landlock is not available.
    """
    abi = landlock_abi()
    if abi < 1:
        return None
    handled = (1 << 13) - 1
    handled |= (1 << 13) if abi >= 2 else 0
    handled |= _TRUNCATE if abi >= 3 else 0
    handled |= _IOCTL_DEV if abi >= 5 else 0
    attr = _RulesetAttr(
        handled, 0, (_SCOPE_SIGNAL | _SCOPE_ABSTRACT_UNIX_SOCKET) if abi >= 6 else 0
    )
    size = ctypes.sizeof(attr) if abi >= 6 else 8
    libc = _libc()
    ruleset = libc.syscall(_SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), 0)
    if ruleset < 0:
        return None
    read = _EXECUTE | _READ_FILE | _READ_DIR
    rules = [(path, read) for path in readable_paths()]
    rules.append((Path("/dev"), _READ_FILE | _WRITE_FILE | _READ_DIR | (handled & _IOCTL_DEV)))
    if proc:
        rules.append((Path("/proc"), _READ_FILE | _READ_DIR))
    rules.append((folder, handled))
    for path, access in rules:
        try:
            fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
        except OSError:
            continue
        if not os.path.isdir(path):
            access &= _EXECUTE | _READ_FILE | _WRITE_FILE | _TRUNCATE | _IOCTL_DEV
        rule = _PathBeneathAttr(access & handled, fd)
        done = libc.syscall(_SYS_ADD_RULE, ruleset, 1, ctypes.byref(rule), 0)
        os.close(fd)
        if done != 0:
            os.close(ruleset)
            error = ctypes.get_errno()
            raise OSError(error, f"Landlock refused the rule for {path}: {os.strerror(error)}")
    return int(ruleset)


def landlock_restrict(ruleset: int) -> None:
    """Enter the ruleset's domain (for good, for this process and all it starts)."""
    libc = _libc()
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "cannot set no_new_privs")
    if libc.syscall(_SYS_RESTRICT_SELF, ruleset, 0) != 0:
        raise OSError(ctypes.get_errno(), "Landlock refused to restrict the process")


def kernel_preexec(folder: Path) -> Callable[[], None] | None:
    """A ``preexec_fn`` for the kernel: the worker's limits, and /proc closed too (Landlock)."""
    ruleset = landlock_ruleset(folder, proc=False)
    if ruleset is None:
        return None
    return lambda: landlock_restrict(ruleset)


@dataclass
class Finished:
    """What a contained process left: exit code (None: killed at the time limit) and its output."""

    returncode: int | None
    stdout: bytes
    stderr: bytes
    contained: bool = False  # True when Landlock closed the file system around the notebook


def run_contained(
    argv: list[str],
    stdin: bytes,
    folder: Path,
    limits: Limits,
    marker: str,
    max_output: int = 16 * 1024 * 1024,
) -> Finished:
    """Run ``argv`` contained (see the module doc), feed it ``stdin``, collect bounded output."""
    user = run_as(limits)
    if user is not None:
        os.chown(folder, *user)
        for path in folder.iterdir():
            os.chown(path, *user)
    ruleset = landlock_ruleset(folder, proc=True)
    try:
        process = _start(argv, folder, limits, marker, user, ruleset)
    finally:
        if ruleset is not None:
            os.close(ruleset)
    deadline = time.monotonic() + limits.total_seconds
    try:
        with contextlib.suppress(BrokenPipeError):
            assert process.stdin is not None
            process.stdin.write(stdin)
            process.stdin.close()
        out, err = _read_bounded(process, deadline, max_output)
        try:
            returncode: int | None = process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            returncode = None
    finally:  # also on Ctrl+C: the worker cleans up on SIGTERM, then its group is killed
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        kill_marked(marker)
    return Finished(returncode, out, err, contained=ruleset is not None)


def _start(
    argv: list[str],
    folder: Path,
    limits: Limits,
    marker: str,
    user: tuple[int, int] | None,
    ruleset: int | None,
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        argv,
        cwd=folder,
        env=minimal_env(folder, marker),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=limit_resources(limits, user, ruleset),
    )


def _read_bounded(
    process: subprocess.Popen[bytes], deadline: float, limit: int
) -> tuple[bytes, bytes]:
    """Read stdout and stderr until the process ends or the deadline; at most ``limit`` bytes."""
    streams = {process.stdout: bytearray(), process.stderr: bytearray()}
    with selectors.DefaultSelector() as selector:
        for stream in streams:
            selector.register(stream, selectors.EVENT_READ)
        exited_at: float | None = None
        while selector.get_map():
            now = time.monotonic()
            if exited_at is None and process.poll() is not None:
                exited_at = now  # drain what it wrote, but not what others may keep writing
            if now >= deadline or (exited_at is not None and now - exited_at > 1.0):
                break
            for key, _events in selector.select(timeout=min(deadline - now, 0.5)):
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    selector.unregister(key.fileobj)
                    continue
                buffer = streams[key.fileobj]
                if len(buffer) < limit:
                    buffer.extend(chunk[: limit - len(buffer)])
    return bytes(streams[process.stdout]), bytes(streams[process.stderr])
