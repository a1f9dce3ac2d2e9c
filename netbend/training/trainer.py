"""The training loop: Adam on the bending modules only, against weighted objectives."""

from __future__ import annotations

import logging
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

import torch
from tqdm.auto import tqdm

from netbend.bending import BentGenerator
from netbend.errors import NetbendError
from netbend.objectives import ObjectiveBatch, WeightedObjective

_logger = logging.getLogger(__name__)


@dataclass
class TrainSettings:
    """Optimiser settings of a run.

    Attributes:
        steps: Optimiser steps.
        batch: Latents per step.
        lr: Adam learning rate.
        seed: Seeds module initialisation (done by the caller), the training
            latents and the augmentation.
    """

    steps: int = 150
    batch: int = 8
    lr: float = 2e-3
    seed: int = 0

    def check(self) -> None:
        if self.steps < 1:
            raise NetbendError(f"steps must be at least 1, got {self.steps}")
        if self.batch < 1:
            raise NetbendError(f"batch must be at least 1, got {self.batch}")
        if not (self.lr > 0 and math.isfinite(self.lr)):
            raise NetbendError(f"learning rate must be a positive number, got {self.lr}")


@dataclass
class TrainHistory:
    """Per-step losses and how the run ended.

    Attributes:
        records: One dict per completed step: ``step``, ``loss`` and one entry per
            objective term, keyed by ``term_names``.
        term_names: Column name of each objective, in objective order.
        stopped: None when every step ran, else why training stopped early.
    """

    records: list[dict] = field(default_factory=list)
    term_names: list[str] = field(default_factory=list)
    stopped: str | None = None

    @property
    def steps_completed(self) -> int:
        return len(self.records)


def term_names(objectives: list[WeightedObjective]) -> list[str]:
    """Return a unique column name per objective: its name, numbered when repeated."""
    totals = Counter(weighted.objective.name for weighted in objectives)
    seen: Counter = Counter()
    names = []
    for weighted in objectives:
        name = weighted.objective.name
        if totals[name] > 1:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        names.append(name)
    return names


def train_bend(
    bent: BentGenerator,
    objectives: list[WeightedObjective],
    settings: TrainSettings,
    progress: bool = True,
    on_step: Callable[[dict], None] | None = None,
) -> TrainHistory:
    """Train the bending modules of ``bent`` against ``objectives``.

    The generator's own weights stay frozen. A non-finite loss or gradient stops
    training before the optimiser step, so the modules keep their last good state.

    Args:
        bent: Generator with bend points; their parameters are trained.
        objectives: Weighted objectives; the loss is their weighted sum.
        settings: Steps, batch, learning rate and seed.
        progress: Show a progress bar with the loss.
        on_step: Called with each step's record.

    Returns:
        The per-step losses and whether training stopped early.
    """
    settings.check()
    if not objectives:
        raise NetbendError("training needs at least one objective, for example --objective class:goldfish")
    parameters = [parameter for parameter in bent.points.parameters() if parameter.requires_grad]
    if not parameters:
        raise NetbendError("the bend has no trainable parameters; deterministic transforms need no training")

    optimizer = torch.optim.Adam(parameters, lr=settings.lr)
    latent_generator = torch.Generator().manual_seed(settings.seed)
    augment_generator = torch.Generator().manual_seed(settings.seed + 1)
    needs_original = any(weighted.objective.needs_original for weighted in objectives)
    history = TrainHistory(term_names=term_names(objectives))
    bent.points.train()

    bar = tqdm(range(settings.steps), desc="bending", unit="step", disable=not progress, dynamic_ncols=True)
    for step in bar:
        latents = bent.generator.sample_latents(settings.batch, latent_generator).to(bent.device)

        originals = None
        if needs_original:
            with torch.no_grad(), bent.unbent():
                originals = bent(latents)
        images = bent(latents)

        batch = ObjectiveBatch(images=images, originals=originals, latents=latents, generator=augment_generator)
        terms = [weighted.objective.loss(batch) for weighted in objectives]
        loss = sum(weighted.weight * term for weighted, term in zip(objectives, terms))

        if not torch.isfinite(loss):
            history.stopped = f"loss became {loss.item()} at step {step}; kept the modules from step {step - 1}"
            break
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if not all(torch.isfinite(parameter.grad).all() for parameter in parameters if parameter.grad is not None):
            history.stopped = f"gradient became non-finite at step {step}; kept the modules from step {step - 1}"
            break
        optimizer.step()

        record = {"step": step, "loss": loss.item()}
        record.update({name: term.item() for name, term in zip(history.term_names, terms)})
        history.records.append(record)
        bar.set_postfix(loss=f"{record['loss']:.4f}")
        if on_step is not None:
            on_step(record)

    bar.close()
    bent.points.eval()
    if history.stopped:
        _logger.warning("training stopped early: %s", history.stopped)
    return history
