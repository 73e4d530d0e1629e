"""``make bench``, or ``.venv/bin/python tools/bench`` (also ``python -m bench`` from tools/)."""

import sys
from pathlib import Path

# Run as ``python tools/bench``, the folder itself is on the path, not tools/ that holds it.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.cli import main

sys.exit(main())
