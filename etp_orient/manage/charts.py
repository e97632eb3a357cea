"""Small horizontal bar charts as inline SVG, drawn on the server (no JavaScript).

Each row is a label line then a bar with its number at its end, so nothing depends
on colour and every number is readable on the chart. The SVG is decorative for
assistive technology (``aria-hidden``): the page puts the same numbers in a table
beside it. Right-to-left pages get the mirror image (bars grow from the right).
"""

from dataclasses import dataclass

from markupsafe import Markup

WIDTH = 360
ROW = 40  # label line + bar
BAR = 14
NUMBER_ROOM = 56  # room after the longest bar for its number
LABEL_CHARS = 48  # longer labels are cut (the table beside the chart has them whole)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # the value as shown (formatted)


SVG_OPEN = Markup(
    '<svg class="{cls}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" '
    'width="{w}" height="{h}" direction="{d}" aria-hidden="true" focusable="false">'
)
LABEL = Markup('<text class="chart-label" x="{x}" y="{y}" text-anchor="start">{text}</text>')
RECT = Markup('<rect class="chart-bar" x="{x}" y="{y}" width="{w}" height="{h}"/>')
VALUE = Markup('<text class="chart-value" x="{x}" y="{y}" text-anchor="start">{text}</text>')


def bar_chart(bars: list[Bar], *, rtl: bool = False, css_class: str = "chart") -> Markup:
    """An SVG of ``bars``, the longest one filling the width left for the numbers."""
    top = max((b.value for b in bars), default=0) or 1
    span = WIDTH - NUMBER_ROOM
    height = ROW * len(bars) + 4
    parts = [SVG_OPEN.format(cls=css_class, w=WIDTH, h=height, d="rtl" if rtl else "ltr")]
    for index, bar in enumerate(bars):
        y = index * ROW
        length = 0 if bar.value <= 0 else max(2, round(span * bar.value / top))
        edge = WIDTH if rtl else 0  # where labels and bars start
        after = (WIDTH - length - 6) if rtl else length + 6
        label = bar.label if len(bar.label) <= LABEL_CHARS else bar.label[: LABEL_CHARS - 1] + "…"
        parts.append(LABEL.format(x=edge, y=y + 14, text=label))
        if length:
            x = WIDTH - length if rtl else 0
            parts.append(RECT.format(x=x, y=y + 20, w=length, h=BAR))
        parts.append(VALUE.format(x=after, y=y + 32, text=bar.text))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)
