"""Schema migrations: numbered pairs of plain SQL files, applied in order by the runner."""
