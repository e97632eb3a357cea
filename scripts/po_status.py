#!/usr/bin/env python3
"""State of the translation catalogues (translations/<lang>/LC_MESSAGES/messages.po).

    python scripts/po_status.py                # counts, then every problem; exit 1 if any
    python scripts/po_status.py sync           # re-extract messages.pot, update en and ar
    python scripts/po_status.py todo FILE      # write the messages still to translate
    python scripts/po_status.py apply FILE…    # fill the catalogues from translated blocks

A problem is a message with no translation (or an empty plural form), a fuzzy
flag, or a translation whose placeholders differ from its msgid's: ``%(name)s``,
``%s``, ``%%``, ``{name}`` and HTML tags must come back exactly, and a leading or
trailing line break must be kept. ``tests/core/test_translations.py`` runs the
same checks.

The ``todo`` and ``apply`` files hold one block per message, keyed by a short
hash of the msgid (stable across re-extractions); line breaks are written ``\\n``
and plural forms are separated by `` || ``::

    ## 3fa9c1d0  templates/base.html:6
    fr: Éducation thérapeutique près de chez vous
    en: Therapeutic patient education near you
    ar: …
"""

import argparse
import hashlib
import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
POT = TRANSLATIONS / "messages.pot"
LANGUAGES = ("en", "ar")
KEYWORDS = ["-k", "_l", "-k", "lazy_gettext", "-k", "ngettext:1,2", "-k", "lazy_ngettext:1,2"]
PYBABEL = str(Path(sys.executable).with_name("pybabel"))

PLACEHOLDER = re.compile(
    r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]"  # %(name)s, %(num)d, %(x).1f
    r"|%%|%[sd]"  # a literal percent sign, positional %s / %d
    r"|\{\w*\}"  # {name}, {0}, {}
    r"|<[a-zA-Z/][^<>]*>"  # HTML tags, attributes included
)


def po_path(language: str) -> Path:
    return TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"


def key_of(msgid) -> str:
    """A short, stable key for a message (its singular msgid)."""
    text = msgid[0] if isinstance(msgid, tuple | list) else msgid
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:8]


def placeholders(text: str) -> list[str]:
    """The placeholders of a message, sorted (a translation must have the same)."""
    return sorted(PLACEHOLDER.findall(text or ""))


def _edges(text: str) -> tuple[bool, bool]:
    return text.startswith("\n"), text.endswith("\n")


def load(path: Path):
    with path.open("rb") as handle:
        return read_po(handle, abort_invalid=True)


def save(catalog, path: Path) -> None:
    with path.open("wb") as handle:
        write_po(handle, catalog, width=76)


def message_problems(message, nplurals: int) -> list[str]:
    """What is wrong with one catalogue entry (empty list: translated and consistent)."""
    problems = []
    if message.fuzzy:
        problems.append("fuzzy")
    if message.pluralizable:
        singular, plural = message.id
        forms = message.string if isinstance(message.string, tuple | list) else (message.string,)
        forms = tuple(forms) + ("",) * (nplurals - len(forms))
        if len(forms) != nplurals:
            problems.append(f"{len(forms)} plural forms instead of {nplurals}")
        sources = [singular] + [plural] * (nplurals - 1)
    else:
        forms, sources = (message.string,), (message.id,)
    for index, (source, form) in enumerate(zip(sources, forms, strict=False)):
        label = f"form {index}" if message.pluralizable else "msgstr"
        if not form:
            problems.append(f"{label} untranslated")
            continue
        wanted = placeholders(message.id[1] if message.pluralizable else source)
        if placeholders(form) != wanted:
            problems.append(f"{label} placeholders {placeholders(form)} != {wanted}")
        if _edges(form) != _edges(source):
            problems.append(f"{label} leading/trailing line break differs from the msgid")
    return problems


def catalogue_problems(catalog) -> list[tuple[object, list[str]]]:
    """(message, problems) for every entry of a catalogue that is not right."""
    nplurals = catalog.num_plurals
    found = []
    for message in catalog:
        if not message.id:
            continue
        problems = message_problems(message, nplurals)
        if problems:
            found.append((message, problems))
    return found


def extract(output: Path) -> None:
    """Extract every message of the code and templates into ``output`` (a .pot)."""
    subprocess.run(  # noqa: S603  (our own pybabel, fixed arguments)
        [PYBABEL, "-q", "extract", "-F", str(ROOT / "babel.cfg"), *KEYWORDS]
        # pybabel skips folders whose name starts with "_" unless told which to skip:
        # templates/_macros holds shared form pieces with their own messages
        + ["--ignore-dirs", ".* __pycache__ node_modules"]
        + ["--project", "etp-orient", "-o", str(output), "."],
        cwd=ROOT,
        check=True,
    )


def sync() -> None:
    """Re-extract messages.pot and bring the en and ar catalogues up to date."""
    extract(POT)
    for language in LANGUAGES:
        command = "update" if po_path(language).exists() else "init"
        args = [PYBABEL, "-q", command, "-i", str(POT), "-d", str(TRANSLATIONS), "-l", language]
        if command == "update":
            args += ["--no-fuzzy-matching", "--ignore-obsolete"]
        subprocess.run(args, cwd=ROOT, check=True)  # noqa: S603


def _escape(text: str) -> str:
    return text.replace("\n", "\\n")


def _unescape(text: str) -> str:
    return text.replace("\\n", "\n")


def write_todo(out: Path) -> int:
    """Write a block for each message that is not right in at least one language."""
    catalogs = {language: load(po_path(language)) for language in LANGUAGES}
    reference = catalogs[LANGUAGES[0]]
    lines, count = [], 0
    for message in reference:
        if not message.id:
            continue
        bad = [
            language
            for language, catalog in catalogs.items()
            if (other := catalog.get(message.id[0] if message.pluralizable else message.id)) is None
            or message_problems(other, catalog.num_plurals)
        ]
        if not bad:
            continue
        count += 1
        where = f"{message.locations[0][0]}:{message.locations[0][1]}" if message.locations else ""
        lines.append(f"## {key_of(message.id)}  {where}")
        if message.pluralizable:
            lines.append("fr: " + " || ".join(_escape(part) for part in message.id))
        else:
            lines.append("fr: " + _escape(message.id))
        lines.append("")
    out.write_text("\n".join(lines), encoding="utf-8")
    return count


def read_blocks(paths) -> dict[str, dict[str, str]]:
    """{key: {"en": text, "ar": text}} from translated block files."""
    blocks: dict[str, dict[str, str]] = {}
    current = None
    for path in paths:
        for raw in Path(path).read_text(encoding="utf-8").splitlines():
            line = raw.rstrip("\r")
            if line.startswith("## "):
                current = blocks.setdefault(line[3:].split()[0], {})
            elif current is not None and line[:4] in ("en: ", "ar: "):
                current[line[:2]] = line[4:]
    return blocks


def apply(paths) -> int:
    """Fill the catalogues from block files; report what does not fit. Returns problems."""
    blocks = read_blocks(paths)
    errors = 0
    for language in LANGUAGES:
        path = po_path(language)
        catalog = load(path)
        changed = 0
        for message in catalog:
            if not message.id:
                continue
            text = blocks.get(key_of(message.id), {}).get(language)
            if text is None:
                continue
            if message.pluralizable:
                forms = [_unescape(part) for part in text.split(" || ")]
                value = tuple(forms)
            else:
                value = _unescape(text)
            if message.string == value and not message.fuzzy:
                continue
            message.string = value
            message.flags.discard("fuzzy")
            problems = message_problems(message, catalog.num_plurals)
            if problems:
                errors += 1
                print(f"{language} {key_of(message.id)}: {'; '.join(problems)}")
            changed += 1
        save(catalog, path)
        print(f"{language}: {changed} messages changed")
    return errors


def status() -> int:
    total = 0
    for language in LANGUAGES:
        catalog = load(po_path(language))
        found = catalogue_problems(catalog)
        messages = sum(1 for message in catalog if message.id)
        print(f"{language}: {messages} messages, {len(found)} with problems")
        for message, problems in found:
            msgid = message.id[0] if message.pluralizable else message.id
            print(f"  {key_of(message.id)} {_escape(msgid)[:70]!r}: {'; '.join(problems)}")
        total += len(found)
    return total


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("sync")
    todo = sub.add_parser("todo")
    todo.add_argument("out", type=Path)
    applying = sub.add_parser("apply")
    applying.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args(argv)
    if args.command == "sync":
        sync()
        return 0
    if args.command == "todo":
        print(f"{write_todo(args.out)} messages to translate written to {args.out}")
        return 0
    if args.command == "apply":
        return 1 if apply(args.files) else 0
    return 1 if status() else 0


if __name__ == "__main__":
    sys.exit(main())
