"""GET /api/v1/conditions: the condition taxonomy (codes are a contract)."""

from flask import jsonify, url_for

from ..orientation.index import get_index
from .views import bp


@bp.get("/conditions")
def conditions():
    """Every node of the taxonomy, in display order, with its everyday synonyms."""
    index = get_index()
    items = []
    for node in sorted(index.conditions.values(), key=lambda n: n["position"]):
        items.append(
            {
                "code": node["code"],
                "parent": node["parent_code"],
                "is_group": node["is_group"],
                "children": index.matcher.children.get(node["code"], []),
                "label": node["label"],
                "plain_label": node["plain_label"],
                "synonyms": node["synonyms"],
                "translations": node["translations"],
                "pictogram": url_for(
                    "static", filename=f"img/conditions/{node['pictogram']}.svg", _external=False
                )
                if node["pictogram"]
                else None,
            }
        )
    return jsonify(conditions=items)
