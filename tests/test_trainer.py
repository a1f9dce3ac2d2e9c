import math

import pytest
import torch

from netbend.errors import NetbendError
from netbend.objectives import Objective, WeightedObjective, parse_objective
from netbend.training.run import build_bend
from netbend.training.trainer import TrainSettings, term_names, train_bend


class MeanBrightness(Objective):
    """Pushes images toward black; cheap, so trainer tests need no classifier."""

    name = "brightness"

    def loss(self, batch):
        return batch.images.mean()


class NaNAfter(Objective):
    """Returns a finite loss for ``good_steps`` steps, then NaN."""

    name = "nan_after"

    def __init__(self, good_steps):
        super().__init__()
        self.good_steps = good_steps
        self.calls = 0

    def loss(self, batch):
        self.calls += 1
        value = batch.images.mean()
        return value if self.calls <= self.good_steps else value * math.nan


def weighted(objective, weight=1.0):
    return WeightedObjective(objective=objective, weight=weight, spec=objective.name)


def test_training_lowers_loss(faces):
    bent = build_bend(faces, "main.8", "conv", {}, seed=0)
    history = train_bend(bent, [weighted(MeanBrightness())], TrainSettings(steps=6, batch=2, lr=1e-2), progress=False)
    assert history.records[-1]["loss"] < history.records[0]["loss"]


def test_nan_stops_and_keeps_last_good_state(faces):
    bent = build_bend(faces, "main.8", "conv", {}, seed=0)
    objective = NaNAfter(good_steps=3)
    settings = TrainSettings(steps=10, batch=2, lr=1e-2)
    history = train_bend(bent, [weighted(objective)], settings, progress=False)
    bent.detach_hooks()

    # The same run stopped after 3 steps by design: its modules are the last good state.
    reference = build_bend(faces, "main.8", "conv", {}, seed=0)
    train_bend(reference, [weighted(MeanBrightness())], TrainSettings(steps=3, batch=2, lr=1e-2), progress=False)

    assert history.stopped is not None
    assert "step 3" in history.stopped
    assert history.steps_completed == 3
    assert all(torch.isfinite(parameter).all() for parameter in bent.points.parameters())
    state, expected = bent.points.state_dict(), reference.points.state_dict()
    assert all(torch.equal(state[name], expected[name]) for name in state)


def test_same_seed_same_weights(faces):
    states = []
    for _ in range(2):
        bent = build_bend(faces, "main.8", "conv", {}, seed=5)
        train_bend(bent, [weighted(MeanBrightness())], TrainSettings(steps=3, batch=2, seed=5), progress=False)
        states.append(bent.points.state_dict())
        bent.detach_hooks()
    assert all(torch.equal(states[0][name], states[1][name]) for name in states[0])


def test_records_every_term(faces):
    bent = build_bend(faces, "main.8", "conv", {}, seed=0)
    objectives = [weighted(MeanBrightness(), 2.0), parse_objective("fidelity:0.5")]
    history = train_bend(bent, objectives, TrainSettings(steps=2, batch=2), progress=False)
    record = history.records[1]
    assert history.term_names == ["brightness", "fidelity"]
    assert math.isclose(record["loss"], 2.0 * record["brightness"] + 0.5 * record["fidelity"], rel_tol=1e-5)


def test_repeated_objectives_get_numbered_names():
    objectives = [parse_objective("class:goldfish"), parse_objective("class:tabby"), parse_objective("fidelity")]
    assert term_names(objectives) == ["class_1", "class_2", "fidelity"]


@pytest.mark.parametrize("settings", [TrainSettings(steps=0), TrainSettings(batch=0), TrainSettings(lr=-1.0)])
def test_invalid_settings_are_rejected(settings):
    with pytest.raises(NetbendError):
        settings.check()


def test_no_objective_is_rejected(faces):
    bent = build_bend(faces, "main.8", "conv", {}, seed=0)
    with pytest.raises(NetbendError, match="at least one objective"):
        train_bend(bent, [], TrainSettings(steps=1), progress=False)
