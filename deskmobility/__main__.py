"""``python -m deskmobility`` runs the command line."""

from __future__ import annotations

import sys

from deskmobility.cli import main

sys.exit(main())
