"""The server-drawn SVG bar charts of the indicators page."""

from etp_orient.manage.charts import WIDTH, Bar, bar_chart


def _rects(svg: str) -> list[tuple[int, int]]:
    return [
        (int(r.split('x="')[1].split('"')[0]), int(r.split('width="')[1].split('"')[0]))
        for r in svg.split("<rect")[1:]
    ]


def test_lengths_follow_the_numbers_and_every_number_is_written():
    svg = str(bar_chart([Bar("a", 10, "10"), Bar("b", 5, "5"), Bar("c", 0, "0")]))
    assert _rects(svg) == [(0, WIDTH - 56), (0, (WIDTH - 56) // 2)]  # no bar for 0
    assert [t.split(">")[1].split("<")[0] for t in svg.split('class="chart-value"')[1:]] == [
        "10",
        "5",
        "0",
    ]
    assert 'aria-hidden="true"' in svg and 'direction="ltr"' in svg


def test_right_to_left_mirrors_the_bars():
    svg = str(bar_chart([Bar("a", 4, "4"), Bar("b", 1, "1")], rtl=True))
    assert [x + width for x, width in _rects(svg)] == [WIDTH, WIDTH]
    assert 'direction="rtl"' in svg


def test_labels_are_escaped_and_long_ones_cut():
    svg = str(bar_chart([Bar("<script>x</script>" + "é" * 60, 1, "1")]))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "…</text>" in svg


def test_no_bars_no_division_by_zero():
    svg = str(bar_chart([Bar("a", 0, "0")]))
    assert "<rect" not in svg and ">0</text>" in svg
