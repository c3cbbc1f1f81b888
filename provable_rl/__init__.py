"""The algorithms, one module per paper.

==================  =============================================================================
module              paper
==================  =============================================================================
``lcb``             Rashidinejad, Zhu, Ma, Jiao, Russell 2021, "Bridging Offline RL and Imitation
                    Learning: A Tale of Pessimism" (LCB for bandits, contextual bandits, VI-LCB)
``ftpedel``         Wagenmaker & Jamieson 2022 (PEDEL); Wagenmaker & Pacchiano 2023, "Leveraging
                    Offline Data in Online RL" (FTPedel)
``hnpg``            Zhou, Sekhari, Song, Sun 2023, "Offline Data Enhanced On-Policy Policy
                    Gradient with Provable Guarantees" (HAC, HNPG)
``dual_rl``         Sikchi, Zheng, Zhang, Niekum 2023, "Dual RL" (LP duals, f-DVL, XQL, ReCOIL)
``optimistic_ac``   Tan, Fan, Wei 2025, "Actor-Critics Can Achieve Optimal Sample Efficiency"
==================  =============================================================================

Import the module you need (``from provable_rl import lcb``); nothing heavy is imported here.
"""
import importlib

#: The library's version: the one place it is written (``pyproject.toml`` reads it from here).
__version__ = "0.2.0"

__all__ = ["lcb", "ftpedel", "hnpg", "dual_rl", "optimistic_ac"]


def __getattr__(name):
    if name in __all__:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
