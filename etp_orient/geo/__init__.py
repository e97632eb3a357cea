"""French communes and postal codes: lookup and distance. A leaf package."""
