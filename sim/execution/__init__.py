"""Execution: one run in this process (``runner``), many tasks on a process pool (``pool``), the
tables of runs (``tables``), atomic writes (``files``) and provenance for manifests
(``provenance``)."""
