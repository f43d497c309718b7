"""Entry point of ``make bench``: ``python -m bench.run --out reports/bench.json`` (``--help``).

Run from the repository root with the Lambda packages' directory on ``PYTHONPATH`` (``make bench`` does
both), so the emulator, the pipeline's test stack and ``labeling_pipeline`` import as they do in the tests.
"""

from __future__ import annotations

import sys

from bench.cli import main

if __name__ == "__main__":
    sys.exit(main())
