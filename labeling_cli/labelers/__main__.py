"""`python -m labeling_cli.labelers`: the `labelers` command without installing the package."""

import sys

from labeling_cli.labelers.cli import main

sys.exit(main())
