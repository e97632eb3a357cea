"""WSGI entry point: ``gunicorn wsgi:app``."""

from etp_orient import create_app

app = create_app()
