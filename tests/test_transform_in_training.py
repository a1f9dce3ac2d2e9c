"""A fixed transform and a trainable module chained at one point, trained through the run API."""

import torch

from netbend.bending import BendPoint
from netbend.storage.bend_folder import load_bend
from netbend.training.run import PointSpec, RunConfig, train
from netbend.training.trainer import TrainSettings


def test_transform_then_conv_trains_and_reloads(tmp_path):
    config = RunConfig(
        objectives=["class:goldfish"],
        points=[PointSpec("main.8", "rotate:angle=30+conv")],
        training=TrainSettings(steps=2, batch=2, seed=0),
    )
    result = train(config, tmp_path / "run", progress=False)
    point: BendPoint = result.bent.points[0]

    assert [module.kind for module in point.chain] == ["rotate", "conv"]
    assert point.chain[0].config()["angle"] == 30.0

    latents = result.bent.generator.sample_latents(2, torch.Generator().manual_seed(4))
    with torch.no_grad():
        expected = result.bent(latents)
    result.bent.detach_hooks()
    loaded, _ = load_bend(tmp_path / "run")
    with torch.no_grad():
        assert torch.equal(loaded(latents), expected)
