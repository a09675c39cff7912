"""Geometry of the quality charts, drawn as SVG by the templates (no script): a Pareto of
defects (bars biggest first, the running share as a line) and the trend by month (this
period beside the same months a year before). Each chart has its table next to it."""

from dataclasses import dataclass

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 60, 40, 10, 50
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
BASELINE = TOP + PLOT_H


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int
    kind: str = "now"  # css class: "now" or "before"


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    right: int
    baseline: float
    bars: tuple[Bar, ...]
    labels: tuple[tuple[float, str], ...]  # x centre, text
    ticks: tuple[tuple[float, int], ...]  # y, value
    line: str = ""  # SVG points of the running share (Pareto)
    share_ticks: tuple[tuple[float, int], ...] = ()  # y, per cent


def nice_ceiling(value: int) -> int:
    if value <= 0:
        return 10
    magnitude = 10 ** (len(str(value)) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _ticks(top: int) -> tuple[tuple[float, int], ...]:
    return tuple((round(BASELINE - PLOT_H * i / 4, 1), top * i // 4) for i in range(5))


def pareto(items: list[tuple[str, int]], cumulative_permille: list[int]) -> Chart:
    """Bars for (label, value), biggest first; the running share on the right-hand axis."""
    top = nice_ceiling(max((v for _, v in items), default=0))
    slot = PLOT_W / max(len(items), 1)
    bar_w = slot * 0.7
    bars, labels, points = [], [], []
    for i, ((label, value), share) in enumerate(zip(items, cumulative_permille, strict=True)):
        h = PLOT_H * value / top
        x = LEFT + i * slot + (slot - bar_w) / 2
        bars.append(Bar(round(x, 1), round(BASELINE - h, 1), round(bar_w, 1), round(h, 1), label, value))
        centre = round(LEFT + i * slot + slot / 2, 1)
        labels.append((centre, label))
        points.append(f"{centre},{round(BASELINE - PLOT_H * share / 1000, 1)}")
    share_ticks = tuple((round(BASELINE - PLOT_H * p / 100, 1), p) for p in (0, 50, 80, 100))
    return Chart(
        WIDTH,
        HEIGHT,
        LEFT,
        WIDTH - RIGHT,
        BASELINE,
        tuple(bars),
        tuple(labels),
        _ticks(top),
        " ".join(points),
        share_ticks,
    )


def paired_bars(months: list[str], now: list[int], before: list[int]) -> Chart:
    """Two bars a month: this period's and the same month a year before."""
    top = nice_ceiling(max(now + before, default=0))
    slot = PLOT_W / max(len(months), 1)
    bar_w = slot * 0.35
    bars, labels = [], []
    for i, month in enumerate(months):
        x = LEFT + i * slot + slot * 0.12
        for j, (value, kind) in enumerate(((before[i], "before"), (now[i], "now"))):
            h = PLOT_H * value / top
            bars.append(
                Bar(round(x + j * bar_w, 1), round(BASELINE - h, 1), round(bar_w, 1), round(h, 1), month, value, kind)
            )
        labels.append((round(LEFT + i * slot + slot / 2, 1), month))
    return Chart(WIDTH, HEIGHT, LEFT, WIDTH - RIGHT, BASELINE, tuple(bars), tuple(labels), _ticks(top))
