"""Operations: the retention purge, erasure on request and backups (``etp-orient purge``,
``forget``, ``backup``)."""
