"""Downloader service: the downloader contract over one download client (Litestar)."""
