"""The default preset that ``netbend demo`` trains.

Chosen by measurement on the embedded face generator on a 2-core CPU; the README's
"How the default preset was chosen" section gives the figures.
"""

from __future__ import annotations

from netbend.training.run import RunConfig
from netbend.training.trainer import TrainSettings

DEMO_TARGET = "jack-o'-lantern"


def demo_config() -> RunConfig:
    """Return the demo run: a residual conv module after the 16 x 16 ReLU, toward jack-o'-lantern."""
    return RunConfig(
        objectives=[f"class:{DEMO_TARGET}", "fidelity:10", "diversity*0.2"],
        generator="faces",
        layer="main.8",
        module="conv",
        training=TrainSettings(steps=120, batch=8, lr=2e-3, seed=0),
    )
