"""Shared plumbing that knows no domain: time, tokens, text, geometry, audit."""
