"""The ``/gestion`` blueprint; its views live in the ``views_*`` modules."""

from flask import Blueprint

bp = Blueprint("manage", __name__, url_prefix="/gestion")
