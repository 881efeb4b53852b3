"""Core's HTTP routes, one module per resource."""
