"""Geometry of the 12-month stacked bar chart, drawn as inline SVG by the template (no JS)."""

from dataclasses import dataclass
from decimal import Decimal

from workshop.money import Month
from workshop.statuses import Blame

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 70, 10, 10, 30
COLOURS = {Blame.SUPPLIER: "#1f5fa8", Blame.STORE: "#c77700", Blame.HQ: "#6b7685"}
ORDER = (Blame.SUPPLIER, Blame.STORE, Blame.HQ)


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    blame: Blame
    amount: Decimal


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: tuple[Bar, ...]
    labels: tuple[tuple[float, str], ...]  # (x centre, month)
    ticks: tuple[tuple[float, Decimal], ...]  # (y, amount)
    baseline: float
    left: int


def _nice_ceiling(value: Decimal) -> Decimal:
    if value <= 0:
        return Decimal(100)
    magnitude = Decimal(10) ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def stacked_bars(series: list[tuple[Month, dict[Blame, Decimal]]]) -> Chart:
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top_value = _nice_ceiling(max((sum(values.values(), Decimal(0)) for _, values in series), default=Decimal(0)))
    slot = plot_w / max(len(series), 1)
    bar_w = slot * 0.6
    baseline = TOP + plot_h
    bars, labels = [], []
    for index, (month, values) in enumerate(series):
        x = LEFT + index * slot + (slot - bar_w) / 2
        y = baseline
        for blame in ORDER:
            amount = values.get(blame, Decimal(0))
            if amount <= 0:
                continue
            h = float(amount / top_value) * plot_h
            y -= h
            bars.append(Bar(round(x, 1), round(y, 1), round(bar_w, 1), round(h, 1), COLOURS[blame], blame, amount))
        labels.append(
            (
                round(LEFT + index * slot + slot / 2, 1),
                f"{month.month:02d}" if index and month.month != 1 else str(month),
            )
        )
    ticks = tuple((round(baseline - plot_h * i / 4, 1), top_value * i / 4) for i in range(5))
    return Chart(WIDTH, HEIGHT, tuple(bars), tuple(labels), ticks, baseline, LEFT)
