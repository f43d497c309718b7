"""Everything that proves the project works; imported as the package ``tests``."""
