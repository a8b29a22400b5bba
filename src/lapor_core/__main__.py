"""Run ``python -m lapor_core``."""

import sys

from lapor_core.cli import main

sys.exit(main())
