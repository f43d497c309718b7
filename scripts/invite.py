"""`python scripts/invite.py ...`: the labeler CLI's older form, kept for those who know it.

The CLI is the `labeling_cli` package (`labelers`, or `labeling-invite` with these same arguments);
this file only runs it, from the checkout it sits in, so it works without installing the project.
"""

import sys
from pathlib import Path

# Run as a file, Python puts scripts/ on the path, not the checkout's root where the package is.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from labeling_cli.labelers.legacy import main

if __name__ == "__main__":
    sys.exit(main())
