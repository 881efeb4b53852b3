"""Apps: Litestar services and the command line, wired by dependency-injector containers."""
