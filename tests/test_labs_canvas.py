"""The live canvas survives every message a client can send (issue 13, the websocket finding).

A script on the class network can talk to a lab's kernel without a browser: a flood of "draw"
requests, a "resize" to 4000 x 4000, a huge device pixel ratio, malformed or unknown messages. The
messages are delivered here exactly as ipywidgets delivers them (the canvas's comm message handler),
and what the kernel sends back is counted at the comm.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from sqolab.labs import LABS
from sqolab.labs.canvas import MAX_PIXEL_RATIO, MAX_SIZE_FACTOR, REFRESH_INTERVAL, LabCanvas


class Sent:
    """What the canvas sends to its clients: messages and the bytes of binary images."""

    def __init__(self, canvas: LabCanvas) -> None:
        self.messages: list[str] = []
        self.images = 0
        self.bytes = 0
        canvas.comm.send = self.send  # the one way out of the kernel for this widget

    def send(self, data=None, metadata=None, buffers=None) -> None:
        self.messages.append(str(data))
        for buffer in buffers or []:
            self.images += 1
            self.bytes += np.asarray(buffer).nbytes

    def clear(self) -> None:
        self.messages.clear()
        self.images = self.bytes = 0

    def draw_events(self) -> int:
        return sum('"type": "draw"' in m for m in self.messages)


@pytest.fixture()
def lab():
    built = LABS["tradeoff"]()
    yield built
    built.close()


def client(canvas: LabCanvas, content: object, times: int = 1) -> None:
    """Deliver a client's custom message ``times`` times, as ipywidgets does."""
    for _ in range(times):
        canvas._handle_message(canvas, content, [])


def own_pixels(canvas: LabCanvas) -> tuple[float, float]:
    width, height = canvas._own_size
    return width * 100, height * 100  # the course style draws at 100 dpi


def test_a_flood_of_draw_requests_draws_once(lab):
    canvas = lab.figures[0].canvas
    sent = Sent(canvas)
    client(canvas, {"type": "draw"})  # the first client gets its image
    assert sent.images == 1
    sent.clear()
    client(canvas, {"type": "draw"}, 1000)
    assert sent.images == 0 and sent.messages == []
    assert canvas.ignored_messages >= 1000


def test_a_draw_the_lab_asked_for_is_served_once(lab):
    canvas = lab.figures[0].canvas
    sent = Sent(canvas)
    client(canvas, {"type": "draw"})
    lab.set_values(threshold=lab.threshold.value + 1)  # the lab asks the clients to redraw
    assert sent.draw_events() >= 1
    sent.clear()
    client(canvas, {"type": "draw"}, 50)
    assert sent.images == 1


def test_a_resize_to_4000_pixels_keeps_the_figure_size(lab):
    canvas = lab.figures[0].canvas
    before = tuple(canvas.figure.get_size_inches())
    client(canvas, {"type": "resize", "width": 4000, "height": 4000}, 3)
    client(canvas, {"type": "draw"})
    assert tuple(canvas.figure.get_size_inches()) == pytest.approx(before, abs=0.01)
    renderer = canvas.get_renderer()
    width, height = own_pixels(canvas)
    assert renderer.width <= width + 1 and renderer.height <= height + 1


def test_a_resizable_canvas_grows_at_most_by_the_factor(lab):
    canvas = lab.figures[0].canvas
    canvas.resizable = True
    width, height = own_pixels(canvas)
    client(canvas, {"type": "resize", "width": 65535, "height": 65535})
    client(canvas, {"type": "draw"})
    renderer = canvas.get_renderer()
    assert renderer.width <= MAX_SIZE_FACTOR * width + 1
    assert renderer.height <= MAX_SIZE_FACTOR * height + 1
    client(canvas, {"type": "resize", "width": 300, "height": 200})  # a smaller one is honoured
    assert canvas.get_renderer().width == pytest.approx(300, abs=1)


@pytest.mark.parametrize("kind", ["set_device_pixel_ratio", "set_dpi_ratio"])
def test_a_huge_pixel_ratio_is_clamped(lab, kind):
    canvas = lab.figures[0].canvas
    key = "device_pixel_ratio" if kind == "set_device_pixel_ratio" else "dpi_ratio"
    client(canvas, {"type": kind, key: 1000})
    client(canvas, {"type": "draw"})
    assert canvas.device_pixel_ratio == MAX_PIXEL_RATIO
    width, height = own_pixels(canvas)
    renderer = canvas.get_renderer()
    assert renderer.width <= MAX_PIXEL_RATIO * width + 1
    assert renderer.height <= MAX_PIXEL_RATIO * height + 1
    client(canvas, {"type": kind, key: "lots"})  # not a number: ignored
    assert canvas.device_pixel_ratio == MAX_PIXEL_RATIO


def test_a_refresh_flood_is_coalesced(lab):
    canvas = lab.figures[0].canvas
    now = [1000.0]
    canvas.clock = lambda: now[0]
    sent = Sent(canvas)
    client(canvas, {"type": "refresh"}, 200)
    assert sent.draw_events() == 1  # one redraw asked for, however many refreshes
    client(canvas, {"type": "draw"}, 200)
    assert sent.images == 1
    sent.clear()
    canvas.serve_owed_refresh()  # the timer at the end of the interval
    assert sent.draw_events() == 1
    canvas.serve_owed_refresh()  # owed once only
    assert sent.draw_events() == 1
    now[0] += REFRESH_INTERVAL
    client(canvas, {"type": "refresh"})
    assert sent.draw_events() == 2


@pytest.mark.parametrize(
    "content",
    [
        None,
        "draw",
        [1, 2],
        {"no": "type"},
        {"type": 7},
        {"type": "button_press"},  # no coordinates
        {"type": "key_press"},
        {"type": "resize", "width": "wide"},
        {"type": "resize", "width": float("nan"), "height": 1},
        {"type": "toolbar_button", "name": "download"},
        {"type": "no_such_message", "padding": "x" * 100_000},
    ],
)
def test_malformed_and_unknown_messages_are_ignored(lab, content, caplog):
    canvas = lab.figures[0].canvas
    client(canvas, {"type": "draw"})
    size = tuple(canvas.figure.get_size_inches())
    sent = Sent(canvas)
    client(canvas, content, 20)
    assert sent.images == 0  # at most a small acknowledgement (a resize's size) per message
    assert len(sent.messages) <= 2 * 20 and all(len(m) < 300 for m in sent.messages)
    assert tuple(canvas.figure.get_size_inches()) == size
    assert "x" * 1000 not in caplog.text  # a client's message is never logged in full


def test_the_memory_of_a_message_flood_is_bounded(lab):
    canvas = lab.figures[0].canvas
    canvas.clock = lambda: 1000.0  # the flood arrives within one refresh interval
    for content in (
        {"type": "set_device_pixel_ratio", "device_pixel_ratio": 50},
        {"type": "refresh"},
        {"type": "draw"},
    ):
        client(canvas, content)  # the largest image a client can get, drawn once
    flood = [
        {"type": "resize", "width": 4000, "height": 4000},
        {"type": "set_device_pixel_ratio", "device_pixel_ratio": 50},
        {"type": "refresh"},
        {"type": "draw"},
        {"type": "send_image_mode"},
        {"type": "motion_notify", "x": 1, "y": 1, "button": 0, "buttons": 0, "modifiers": []},
    ]
    sent = Sent(canvas)
    tracemalloc.start()
    try:
        for _ in range(500):
            for content in flood:
                client(canvas, content)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    width, height = own_pixels(canvas)
    one_frame = 4 * (MAX_PIXEL_RATIO * width) * (MAX_PIXEL_RATIO * height)
    assert sent.images == 0  # 3,000 messages, no new image
    assert peak < one_frame / 4  # nothing like a frame per message is kept or made
