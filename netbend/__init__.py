"""netbend: network bending for pretrained generative image models.

The public API::

    import netbend

    generator = netbend.load_generator("faces")
    result = netbend.train(netbend.RunConfig(objectives=["class:goldfish", "fidelity:2"]), "runs/goldfish")
    bent, manifest = netbend.load_bend("runs/goldfish")
    images = netbend.sample(bent, count=16, seed=0, strength=0.5)
    netbend.save_grid(images, "goldfish.png")

    rotated = netbend.build_transform_bend(generator, "main.8", ["rotate:30@channels:0-63"])
    netbend.write_report("runs/goldfish", "report.html")
"""

from netbend.bending import MODULES, BendPoint, BentGenerator, build_module
from netbend.analysis.clusters import ChannelClusters, find_clusters
from netbend.bending.chain_spec import PointSpec
from netbend.bending.transform_bend import build_transform_bend, save_transform_bend
from netbend.errors import NetbendError
from netbend.evaluation.evaluate import evaluate_bend
from netbend.generators import GENERATORS, GeneratorAdapter, InsertionPoint, load_generator
from netbend.media.video import make_video, plan_frames
from netbend.objectives import OBJECTIVES, Objective, parse_objective
from netbend.report.build import write_report
from netbend.sampling import sample, save_grid, save_images
from netbend.storage.bend_folder import load_bend, save_bend
from netbend.storage.provenance import read_provenance
from netbend.training.metrics import measure_bend
from netbend.training.run import RunConfig, RunResult, train
from netbend.training.trainer import TrainSettings, train_bend
from netbend.version import __version__

__all__ = [
    "GENERATORS",
    "MODULES",
    "OBJECTIVES",
    "BendPoint",
    "ChannelClusters",
    "BentGenerator",
    "GeneratorAdapter",
    "InsertionPoint",
    "NetbendError",
    "Objective",
    "PointSpec",
    "RunConfig",
    "RunResult",
    "TrainSettings",
    "__version__",
    "build_module",
    "build_transform_bend",
    "evaluate_bend",
    "find_clusters",
    "make_video",
    "plan_frames",
    "read_provenance",
    "save_transform_bend",
    "write_report",
    "load_bend",
    "load_generator",
    "measure_bend",
    "parse_objective",
    "sample",
    "save_bend",
    "save_grid",
    "save_images",
    "train",
    "train_bend",
]
