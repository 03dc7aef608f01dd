"""What may pass into the store: only the model's declared columns, nothing else.

Readers map what they understand; this guard makes sure that nothing else (a stray name, plate or
case-number column) can reach the database, whatever a reader hands over.
"""
from __future__ import annotations

import warnings

import pandas as pd

from .errors import PrivacyWarning
from .model import OBSERVATION_COLUMN_NAMES


def guard_observations(observations: pd.DataFrame) -> pd.DataFrame:
    """Keep only the declared observation columns; warn about anything else that was handed over."""
    allowed = [c for c in OBSERVATION_COLUMN_NAMES if c != "source_id"]
    extra = [c for c in observations.columns if c not in allowed and c != "source_id"]
    if extra:
        warnings.warn(f"columns dropped before storing (not part of the count model): {', '.join(map(str, extra))}",
                      PrivacyWarning, stacklevel=2)
    frame = observations.reindex(columns=allowed)
    return frame
