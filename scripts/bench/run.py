"""Entry point of ``make bench``: ``python scripts/bench/run.py --out reports/bench.json`` (``--help``).

Puts the repository's Python directories on the path (the Lambda packages in lambda/, the benchmarks in
scripts/, the emulator and the pipeline's test stack from the repository root) and runs :mod:`bench.cli`.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    # bench/ is a package: its modules must not also be importable as top-level modules.
    sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != here]
    for directory in (".", "scripts", "lambda"):
        sys.path.insert(0, str(REPO / directory))
    from bench.cli import main

    sys.exit(main())
