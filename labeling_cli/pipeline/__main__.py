"""`python -m labeling_cli.pipeline`: the `labeling` command without installing the package."""

import sys

from labeling_cli.pipeline.cli import main

sys.exit(main())
