"""Core: the dispatch service (Litestar)."""
