"""Pictograms and Leaflet are vendored with their licences, never taken from a CDN."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_leaflet_and_licences_are_vendored():
    leaflet = ROOT / "static" / "vendor" / "leaflet"
    for name in ("leaflet.js", "leaflet.css", "images/marker-icon.png", "LICENSE"):
        assert (leaflet / name).is_file(), name
    licences = ROOT / "static" / "vendor" / "LICENSES"
    assert "ISC" in (licences / "lucide-static.txt").read_text(encoding="utf-8")
    assert "BSD" in (licences / "leaflet.txt").read_text(encoding="utf-8") or (
        "Redistribution" in (licences / "leaflet.txt").read_text(encoding="utf-8")
    )


def test_pictograms_are_plain_svg_without_scripts():
    for svg in (ROOT / "static" / "img" / "conditions").glob("*.svg"):
        text = svg.read_text(encoding="utf-8")
        assert "<svg" in text and "<script" not in text, svg.name
