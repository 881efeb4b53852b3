"""Named SQL queries, one file per repository."""
