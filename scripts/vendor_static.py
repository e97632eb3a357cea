#!/usr/bin/env python3
"""Vendor the pictograms (lucide-static) and the map library (Leaflet) into static/.

    python scripts/vendor_static.py

Installs the pinned npm packages in a temporary folder, then copies:
- one lucide SVG per condition pictogram (etp_orient/catalogue/data/conditions.json)
  into static/img/conditions/<pictogram>.svg, and a few UI icons into static/img/icons/;
- Leaflet's dist (leaflet.js, leaflet.css, images/) into static/vendor/leaflet/;
- the Leaflet.markercluster plugin's dist into static/vendor/leaflet.markercluster/;
- the licences into static/vendor/LICENSES/.
Nothing is loaded from a CDN at run time. The result is committed; run the script
again only to change a version or an icon, and update docs/vendored.md.
"""

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"
CONDITIONS = ROOT / "etp_orient" / "catalogue" / "data" / "conditions.json"

LUCIDE = "lucide-static@1.62.0"
LEAFLET = "leaflet@1.9.4"
MARKERCLUSTER = "leaflet.markercluster@1.5.3"

# condition pictogram name -> lucide icon
CONDITION_ICONS = {
    "diabete": "droplet",
    "diabete-type-2": "droplet",
    "diabete-type-1": "syringe",
    "diabete-gestationnel": "baby",
    "prediabete": "droplets",
    "respiratoire": "wind",
    "bpco": "wind",
    "asthme": "wind-arrow-down",
    "cardio": "heart",
    "risque-cardiovasculaire": "heart-pulse",
    "hypertension": "gauge",
    "insuffisance-cardiaque": "activity",
    "anticoagulants": "pill",
    "poids": "scale",
    "obesite-adulte": "scale",
    "surpoids-enfant": "apple",
    "chirurgie-bariatrique": "bandage",
    "insuffisance-renale-chronique": "bean",
    "covid-long": "virus",
    "anticancereux-oraux": "pill-bottle",
    "douleur-chronique": "zap",
    "polyarthrite": "hand",
    "vih": "ribbon",
    "tabac": "cigarette-off",
}

# UI icon name -> lucide icon (static/img/icons/<name>.svg)
UI_ICONS = {
    "map-pin": "map-pin",
    "phone": "phone",
    "video": "video",
    "calendar": "calendar",
    "clock": "clock",
    "search": "search",
    "arrow-right": "arrow-right",
    "users": "users",
    "monitor": "monitor",
    "accessibility": "accessibility",
    "info": "info",
    "external-link": "external-link",
    "mail": "mail",
    "printer": "printer",
}


def npm_install(folder: Path) -> Path:
    (folder / "package.json").write_text('{"private": true}\n', encoding="utf-8")
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("npm is needed (Node.js)")
    # fixed arguments, pinned versions: no untrusted input reaches the command line
    subprocess.run(  # noqa: S603
        [
            npm,
            "install",
            "--no-audit",
            "--no-fund",
            "--ignore-scripts",
            "--silent",
            LUCIDE,
            LEAFLET,
            MARKERCLUSTER,
        ],
        cwd=folder,
        check=True,
    )
    return folder / "node_modules"


def copy_icons(modules: Path) -> None:
    source = modules / "lucide-static" / "icons"
    pictograms = {c["pictogram"] for c in json.loads(CONDITIONS.read_text("utf-8"))["conditions"]}
    missing = sorted(pictograms - set(CONDITION_ICONS))
    if missing:
        sys.exit(f"no lucide icon chosen for pictogram(s): {', '.join(missing)}")
    for folder, mapping in (("conditions", CONDITION_ICONS), ("icons", UI_ICONS)):
        target = STATIC / "img" / folder
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        for name, icon in sorted(mapping.items()):
            if folder == "conditions" and name not in pictograms:
                continue
            shutil.copyfile(source / f"{icon}.svg", target / f"{name}.svg")
        print(f"static/img/{folder}/: {len(list(target.glob('*.svg')))} icons")


def copy_leaflet(modules: Path) -> None:
    dist = modules / "leaflet" / "dist"
    target = STATIC / "vendor" / "leaflet"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for name in ("leaflet.js", "leaflet.css"):
        shutil.copyfile(dist / name, target / name)
    shutil.copytree(dist / "images", target / "images")
    shutil.copyfile(modules / "leaflet" / "LICENSE", target / "LICENSE")
    print("static/vendor/leaflet/: leaflet.js, leaflet.css, images/, LICENSE")


def copy_markercluster(modules: Path) -> None:
    """The marker-clustering plugin (the directory's map shows every site of a territory)."""
    package = modules / "leaflet.markercluster"
    target = STATIC / "vendor" / "leaflet.markercluster"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for name in ("leaflet.markercluster.js", "MarkerCluster.css", "MarkerCluster.Default.css"):
        shutil.copyfile(package / "dist" / name, target / name)
    shutil.copyfile(package / "MIT-LICENCE.txt", target / "LICENSE")
    print("static/vendor/leaflet.markercluster/: leaflet.markercluster.js, two CSS, LICENSE")


def copy_licences(modules: Path) -> None:
    target = STATIC / "vendor" / "LICENSES"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(modules / "lucide-static" / "LICENSE", target / "lucide-static.txt")
    shutil.copyfile(modules / "leaflet" / "LICENSE", target / "leaflet.txt")
    shutil.copyfile(
        modules / "leaflet.markercluster" / "MIT-LICENCE.txt", target / "leaflet.markercluster.txt"
    )
    versions = {
        name: json.loads((modules / name / "package.json").read_text("utf-8"))["version"]
        for name in ("lucide-static", "leaflet", "leaflet.markercluster")
    }
    (target / "VERSIONS.json").write_text(json.dumps(versions, indent=2) + "\n", "utf-8")
    print(f"static/vendor/LICENSES/: {versions}")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="etp-vendor-") as tmp:
        modules = npm_install(Path(tmp))
        copy_icons(modules)
        copy_leaflet(modules)
        copy_markercluster(modules)
        copy_licences(modules)


if __name__ == "__main__":
    main()
