"""A fast yes/no check of an item against the offer schema, compiled into closures.

jsonschema is the authority (it names every error), but it costs about a
millisecond per item: too slow for 200,000 dated rows. This compiles the
subset of JSON Schema the offer schema uses into plain Python checks that only
answer "valid or not". Items it accepts are valid; items it refuses go through
jsonschema for the messages. It is never more lenient than jsonschema (when
in doubt it refuses), and it refuses to compile a keyword it does not know,
so that a change of the schema cannot silently skip a check.
"""

import re
from collections.abc import Callable

Check = Callable[[object], bool]

# keywords with no effect on validity
_ANNOTATIONS = {"description", "default", "title", "$comment", "examples"}


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_TYPES: dict[str, Check] = {
    "string": lambda v: isinstance(v, str),
    # stricter than JSON Schema (1.0 is an integer there): safe, jsonschema decides
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": _is_number,
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
    "null": lambda v: v is None,
}


def _same(a, b) -> bool:
    # True == 1 in Python but not in JSON Schema: compare types too (stricter is safe)
    return type(a) is type(b) and a == b


def compile_schema(schema: dict, root: dict, formats: dict[str, Check]) -> Check:
    """A function telling whether an instance is valid against ``schema``."""
    checks: list[Check] = []
    for key, value in schema.items():
        if key in _ANNOTATIONS or key in ("$schema", "$id", "$defs"):
            continue
        if key == "$ref":
            if not value.startswith("#/"):
                raise ValueError(f"unsupported $ref {value}")
            target = root
            for part in value[2:].split("/"):
                target = target[part]
            checks.append(compile_schema(target, root, formats))
        elif key == "type":
            if isinstance(value, list):
                options = [_TYPES[v] for v in value]
                checks.append(lambda v, options=options: any(o(v) for o in options))
            else:
                checks.append(_TYPES[value])
        elif key == "properties":
            props = {name: compile_schema(sub, root, formats) for name, sub in value.items()}

            def check_properties(v, props=props):
                if not isinstance(v, dict):
                    return True
                for name, item in v.items():
                    check = props.get(name)
                    if check is not None and not check(item):
                        return False
                return True

            checks.append(check_properties)
        elif key == "additionalProperties":
            if value is not False:
                raise ValueError("only additionalProperties: false is supported")
            allowed = frozenset(schema.get("properties", {}))
            checks.append(lambda v, allowed=allowed: not isinstance(v, dict) or v.keys() <= allowed)
        elif key == "required":
            needed = tuple(value)
            checks.append(
                lambda v, needed=needed: not isinstance(v, dict) or all(n in v for n in needed)
            )
        elif key == "items":
            item_check = compile_schema(value, root, formats)
            checks.append(lambda v, c=item_check: not isinstance(v, list) or all(c(i) for i in v))
        elif key == "minItems":
            checks.append(lambda v, n=value: not isinstance(v, list) or len(v) >= n)
        elif key == "enum":
            options = tuple(value)
            checks.append(lambda v, options=options: any(_same(v, o) for o in options))
        elif key == "const":
            checks.append(lambda v, c=value: _same(v, c))
        elif key == "pattern":
            regex = re.compile(value)
            checks.append(lambda v, r=regex: not isinstance(v, str) or r.search(v) is not None)
        elif key == "minLength":
            checks.append(lambda v, n=value: not isinstance(v, str) or len(v) >= n)
        elif key == "maxLength":
            checks.append(lambda v, n=value: not isinstance(v, str) or len(v) <= n)
        elif key == "minimum":
            checks.append(lambda v, n=value: not _is_number(v) or v >= n)
        elif key == "maximum":
            checks.append(lambda v, n=value: not _is_number(v) or v <= n)
        elif key == "allOf":
            parts = tuple(compile_schema(sub, root, formats) for sub in value)
            checks.append(lambda v, parts=parts: all(c(v) for c in parts))
        elif key == "oneOf":
            parts = tuple(compile_schema(sub, root, formats) for sub in value)
            checks.append(lambda v, parts=parts: sum(1 for c in parts if c(v)) == 1)
        elif key == "not":
            # "not" turns a refusal into an acceptance: exact only for checks that
            # never refuse in doubt, which enum/const are (the offer schema's only use)
            if set(value) - {"enum", "const"} - _ANNOTATIONS:
                raise ValueError("only not: {enum} or not: {const} is supported")
            inner = compile_schema(value, root, formats)
            checks.append(lambda v, inner=inner: not inner(v))
        elif key == "format":
            fmt = formats[value]
            checks.append(lambda v, f=fmt: not isinstance(v, str) or f(v))
        else:
            raise ValueError(f"unsupported schema keyword {key!r}")
    checks = tuple(checks)
    if len(checks) == 1:
        return checks[0]
    return lambda v: all(c(v) for c in checks)
