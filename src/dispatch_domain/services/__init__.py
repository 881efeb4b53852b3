"""Application services: the use cases Core runs, written against the ports only."""
