"""Shared settings of the claim tests.

``SMOKE_SEEDS``: every claim and its whole mutant panel run at the smoke budget at these two root
seeds, so that a claim tuned to one seed's draws cannot pass the suite. The calibration of
``provable-rl calibrate`` uses root seeds 1..K; seed 0 is the command line's default.
"""

SMOKE_SEEDS = (0, 1)
