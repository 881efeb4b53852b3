"""Adapters: the ports of dispatch_domain implemented for Postgres, HTTP and download clients."""
