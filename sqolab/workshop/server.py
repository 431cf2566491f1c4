"""The course's Voilà server: Voilà with the limits a classroom on a shared network needs.

``python -m sqolab.workshop.server FOLDER [--Voila.options]`` runs Voilà 0.5 (the command of
:func:`sqolab.workshop.deploy.voila_command`) with four changes, each configurable in
``dashboards/voila.json`` or on the command line:

* **A cap on kernels** (:class:`ClassroomKernelManager`, ``max_kernels``): each page view starts a
  kernel (about 157 MiB, ``deploy/CAPACITY.md``); beyond the cap a page gets a short "the class is
  full" page (HTTP 503, ``Retry-After``) instead of another kernel. Kernels of open but untouched
  tabs are stopped after ``connected_cull_timeout`` seconds (the page then asks for a reload).
* **Kernels with limits**: each kernel runs with an address-space limit (``RLIMIT_AS``,
  ``kernel_memory_limit_mib``), one BLAS thread, and dies with the server (``PR_SET_PDEATHSIG``),
  so no message a client sends can make a kernel take the machine's memory or outlive the server.
* **Bounded websockets** (:class:`ClassroomWebsocketConnection`): a client that does not read its
  messages is disconnected once ``max_pending_mib`` of output waits for it, messages beyond
  ``max_messages_per_second`` (with a burst of ``max_message_burst``) are dropped, and what is kept
  for a page that lost its connection is bounded (``offline_buffer_limit_mib``). Upstream Voilà
  keeps both without limit: one "draw" request to a figure grew the server by 30-40 MB/s (issue 13).
* **Leaving a page frees its kernel** (:class:`ClassroomPageHandler`): Voilà's page sends
  ``POST /voila/api/shutdown/<kernel>`` with the ``_xsrf`` cookie's value when it is left, but
  Voilà never sets that cookie, so the request was refused (403, "'_xsrf' argument missing"). The
  page handler sets it before the page is sent.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
import uuid
from datetime import timedelta
from functools import partial
from typing import Any

from jupyter_server._tz import utcnow
from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
from jupyter_server.services.kernels.kernelmanager import (
    AsyncMappingKernelManager,
    ServerKernelManager,
)
from tornado.iostream import StreamBufferFullError
from tornado.websocket import WebSocketClosedError
from traitlets import Float, Integer, default
from voila.app import Voila
from voila.tornado.handler import TornadoVoilaHandler
from voila.tornado.kernel_websocket_handler import VoilaKernelWebsocketHandler

MIB = 1024 * 1024
KERNEL_MIB = 157
"""Resident memory of the heaviest dashboard page's kernel, measured in ``deploy/CAPACITY.md``."""
RESERVE_MIB = 1536  # the system, the Voilà server (or a hub and its proxy)
HEADROOM = 0.25  # kept free for peaks (a lab redraw, a second tab)
RETRY_AFTER_SECONDS = 60

LIMITED_LAUNCH = """\
import os, signal, sys
limit = int(sys.argv[1])
try:
    import resource
    if limit > 0:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
except (ImportError, ValueError, OSError):
    pass  # a system without address-space limits: the kernel runs without one
try:
    import ctypes
    ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG (Linux): die with the server
except (AttributeError, OSError, TypeError):
    pass
if os.getppid() != int(sys.argv[2]):
    sys.exit("the server that started this kernel has gone")
for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(name, "1")
os.execvp(sys.argv[3], sys.argv[3:])
"""
"""Run before a kernel's own command (``python -c LIMITED_LAUNCH LIMIT PARENT CMD...``)."""


def participants(machine_mib: float, per_participant_mib: float = KERNEL_MIB) -> int:
    """Participants a machine of ``machine_mib`` serves, after the reserve and the headroom."""
    usable = (machine_mib - RESERVE_MIB) * (1 - HEADROOM)
    return max(0, int(usable // per_participant_mib))


def machine_mib() -> float:
    """This machine's physical memory in MiB (8 GiB, the smallest machine of CAPACITY.md, where
    the system does not say)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / MIB
    except (AttributeError, ValueError, OSError):
        return 8 * 1024


class ClassFull(RuntimeError):
    """A page asked for a kernel while ``max_kernels`` kernels run."""

    def __init__(self, capacity: int) -> None:
        super().__init__(f"all {capacity} kernels of this server are in use")
        self.capacity = capacity


class LimitedKernelManager(ServerKernelManager):
    """One kernel, started through :data:`LIMITED_LAUNCH` (memory limit, dies with the server)."""

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        """The kernel's command, behind the launcher that sets its limits."""
        command = super().format_kernel_cmd(extra_arguments)
        if sys.platform == "win32":  # no exec, no rlimits: the kernel's own command
            return command
        limit = getattr(self.parent, "kernel_memory_limit_mib", 0) * MIB
        return [sys.executable, "-c", LIMITED_LAUNCH, str(limit), str(os.getpid()), *command]


class ClassroomKernelManager(AsyncMappingKernelManager):
    """Voilà's kernel manager with a cap, limited kernels and a bounded offline buffer."""

    max_kernels = Integer(
        0,
        config=True,
        help="Most kernels (page views) at once; 0: as many as this machine's memory holds "
        "(deploy/CAPACITY.md: 157 MiB each, 1.5 GiB reserve, 25% headroom).",
    )
    kernel_memory_limit_mib = Integer(
        2048, config=True, help="Address-space limit of each kernel in MiB (0: none)."
    )
    connected_cull_timeout = Float(
        3600,
        config=True,
        help="Seconds after which an idle kernel is stopped even while its page is open "
        "(cull_idle_timeout applies to kernels without a page; 0: never).",
    )
    offline_buffer_limit_mib = Float(
        8, config=True, help="Output kept for a page that lost its connection, in MiB."
    )

    @default("kernel_manager_class")
    def _default_kernel_manager_class(self) -> str:
        return f"{__name__}.LimitedKernelManager"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._starting: set[str] = set()

    @property
    def capacity(self) -> int:
        """The cap in force (``max_kernels``, or the machine's share)."""
        return self.max_kernels or max(1, participants(machine_mib()))

    async def start_kernel(self, *, kernel_id: str | None = None, **kwargs: Any) -> str:
        """Start a kernel, unless ``capacity`` kernels run or start already (:class:`ClassFull`).

        A kernel is in ``self`` before it has finished starting, so running and starting kernels
        are counted as one set of ids (the new kernel's id is chosen here), never twice.
        """
        if kernel_id is not None and kernel_id in self:
            return await super().start_kernel(kernel_id=kernel_id, **kwargs)
        if len(self._starting | set(self.list_kernel_ids())) >= self.capacity:
            raise ClassFull(self.capacity)  # no await between the count and the reservation
        kernel_id = kernel_id or str(uuid.uuid4())
        self._starting.add(kernel_id)
        try:
            return await super().start_kernel(kernel_id=kernel_id, **kwargs)
        finally:
            self._starting.discard(kernel_id)

    def start_buffering(self, kernel_id: str, session_key: str, channels: dict) -> None:
        """Keep a disconnected page's output, up to ``offline_buffer_limit_mib``, then drop it."""
        super().start_buffering(kernel_id, session_key, channels)
        if not self.buffer_offline_messages:
            return
        info = self._kernel_buffers[kernel_id]
        limit = self.offline_buffer_limit_mib * MIB
        size = [0]

        def buffer_msg(channel: str, parts: list) -> None:
            size[0] += sum(len(p) for p in parts)
            if size[0] > limit:
                self.log.warning("Dropping the offline buffer of kernel %s (over %s MiB).",
                                 kernel_id, self.offline_buffer_limit_mib)  # fmt: skip
                self.stop_buffering(kernel_id)
                return
            info["buffer"].append((channel, parts))

        for channel, stream in channels.items():
            stream.on_recv(partial(buffer_msg, channel))

    async def cull_kernel_if_idle(self, kernel_id: str) -> None:
        """Upstream culling, plus: an open page's kernel idle for ``connected_cull_timeout``."""
        kernel = self._kernels[kernel_id]
        idle = utcnow() - getattr(kernel, "last_activity", utcnow())
        connected = self._kernel_connections.get(kernel_id, 0) > 0
        timeout = self.connected_cull_timeout
        if connected and timeout > 0 and idle > timedelta(seconds=timeout):
            self.log.warning("Culling kernel %s: its page was idle for %d s.",
                             kernel_id, idle.total_seconds())  # fmt: skip
            await self.shutdown_kernel(kernel_id)
            return
        await super().cull_kernel_if_idle(kernel_id)


class ClassroomWebsocketConnection(ZMQChannelsWebsocketConnection):
    """A kernel websocket that bounds what it holds for a client and what a client sends."""

    max_pending_mib = Float(
        16, config=True, help="Output waiting for a slow client before it is disconnected, MiB."
    )
    max_messages_per_second = Float(
        100, config=True, help="Messages a client may send per second (sustained)."
    )
    max_message_burst = Integer(300, config=True, help="Messages a client may send at once.")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._tokens = float(self.max_message_burst)
        self._refilled = time.monotonic()
        self._dropped = 0

    @property
    def write_message(self):  # noqa: ANN201 - the handler's method, bounded
        """The websocket's ``write_message``, bounded by ``max_pending_mib``."""
        return self._bounded_write

    def _bounded_write(self, message: bytes | str, binary: bool = False) -> None:
        handler = self.websocket_handler
        connection = handler.ws_connection
        if connection is None or connection.is_closing():
            return  # a client being disconnected gets nothing more
        stream = getattr(connection, "stream", None)
        if stream is not None and stream.max_write_buffer_size is None:
            stream.max_write_buffer_size = int(self.max_pending_mib * MIB)
        try:
            handler.write_message(message, binary=binary)
        except StreamBufferFullError:
            self.log.warning("Disconnecting a client of kernel %s: it does not read its "
                             "messages (over %s MiB waiting).", self.kernel_id,
                             self.max_pending_mib)  # fmt: skip
            stream.close()  # frees the buffer now; the closing handshake would wait on it
        except WebSocketClosedError:
            pass

    def handle_incoming_message(self, incoming_msg: str) -> None:
        """Forward a client's message unless the client exceeds its message rate."""
        now = time.monotonic()
        self._tokens = min(
            float(self.max_message_burst),
            self._tokens + (now - self._refilled) * self.max_messages_per_second,
        )
        self._refilled = now
        if self._tokens < 1:
            self._dropped += 1
            if self._dropped in (1, 1000, 100_000):
                self.log.warning("Dropped %d messages of a client of kernel %s (over %s/s).",
                                 self._dropped, self.kernel_id,
                                 self.max_messages_per_second)  # fmt: skip
            return
        self._tokens -= 1
        super().handle_incoming_message(incoming_msg)


V1_PROTOCOL = "v1.kernel.websocket.jupyter.org"


def message_header(message: bytes | str | dict, subprotocol: str | None) -> dict | None:
    """The header of a message to a client, or None; reads only the bytes the message has.

    A binary message is in the v1 framing (``subprotocol`` v1: a little-endian 8-byte count, then
    8-byte offsets; the header is part 1) or else in the legacy framing of
    ``jupyter_server``'s ``serialize_binary_message`` (a big-endian 4-byte count, 4-byte offsets;
    part 0 is the JSON message). Voilà 0.5 reads every binary message as v1: a legacy message's
    first 8 bytes then give a count of billions, and building that list of offsets froze the
    server while its memory grew by 30-40 MB/s (issue 13, a client without a subprotocol).
    """
    if isinstance(message, dict):
        return message.get("header")
    if not isinstance(message, bytes):
        return None
    width, order, part = (8, "little", 1) if subprotocol == V1_PROTOCOL else (4, "big", 0)
    count = int.from_bytes(message[:width], order)
    if count <= part + 1 or width * (count + 1) > len(message):
        return None
    offsets = [
        int.from_bytes(message[width * (i + 1) : width * (i + 2)], order) for i in range(part + 2)
    ]
    try:
        data = json.loads(message[offsets[part] : offsets[part + 1]].decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    return data if part == 1 else data.get("header")


class ClassroomKernelWebsocketHandler(VoilaKernelWebsocketHandler):
    """Voilà's kernel websocket (no ``execute_input`` to the client), reading headers safely."""

    def write_message(self, message: bytes | str | dict, binary: bool = False) -> Any:
        """Send a message to the client, except the echo of code a kernel runs."""
        header = message_header(message, self.selected_subprotocol)
        if header and header.get("msg_type") == "execute_input":
            return None
        return super(VoilaKernelWebsocketHandler, self).write_message(message, binary)


class ClassroomPageHandler(TornadoVoilaHandler):
    """Voilà's page: sets the ``_xsrf`` cookie, and says when the class is full."""

    async def prepare(self) -> None:
        """Set the ``_xsrf`` cookie the page's shutdown request sends back (upstream bug)."""
        await super().prepare()
        _ = self.xsrf_token  # tornado sets the cookie when the token is first read

    async def get(self, path: str | None = None) -> None:
        """Render the page, or the "class is full" page when no kernel is free."""
        try:
            await super().get(path)
        except ClassFull as full:
            if self._headers_written:
                raise
            self.clear()
            self.set_status(503)
            self.set_header("Retry-After", str(RETRY_AFTER_SECONDS))
            self.set_header("Cache-Control", "no-store")
            self.finish(self.render_template("class_full.html", capacity=full.capacity,
                                             retry_after=RETRY_AFTER_SECONDS))  # fmt: skip


class ClassroomVoila(Voila):
    """Voilà with :class:`ClassroomKernelManager`, bounded websockets and the page handler."""

    @default("kernel_websocket_connection_class")
    def _default_connection_class(self) -> type:
        return ClassroomWebsocketConnection

    def init_settings(self) -> dict:
        """Voilà's settings with the classroom kernel manager."""
        self.voila_configuration.multi_kernel_manager_class = ClassroomKernelManager
        return super().init_settings()

    def init_handlers(self) -> list:
        """Voilà's handlers, its page and kernel websocket handlers replaced by the course's."""
        ours = {
            TornadoVoilaHandler: ClassroomPageHandler,
            VoilaKernelWebsocketHandler: ClassroomKernelWebsocketHandler,
        }
        return [
            (rule[0], ours.get(rule[1], rule[1]), *rule[2:]) for rule in super().init_handlers()
        ]

    def initialize(self, argv: list[str] | None = None) -> None:
        """Voilà's initialisation; SIGHUP (a closed terminal) stops the kernels too."""
        super().initialize(argv)
        if hasattr(signal, "SIGHUP"):
            signal.signal(signal.SIGHUP, self._handle_signal_stop)


def main(argv: list[str] | None = None) -> None:
    """Run the classroom Voilà server (arguments as for ``voila``)."""
    ClassroomVoila.launch_instance(argv)


if __name__ == "__main__":
    main()
