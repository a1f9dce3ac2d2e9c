"""The base class of deterministic transforms: parameters, channel selection and config.

A transform bend applies a fixed function to some channels of an activation
B x C x H x W and passes the other channels through unchanged. It has no
trainable parameters, so its saved state is its config alone: the layer's
channel count, the resolved channel indices, the selection as the user wrote it,
and the transform's own parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from netbend.bending.transforms.channels import format_index_list
from netbend.errors import NetbendError

REQUIRED = object()


@dataclass(frozen=True)
class TransformParameter:
    """One parameter of a transform, as written after ``NAME:`` on the command line.

    Attributes:
        name: Keyword name, also the constructor argument and the config key.
        type: ``float``, ``int`` or ``str``.
        default: Value when omitted, or ``REQUIRED``.
        choices: Allowed values for a ``str`` parameter.
        help: One line for documentation and error messages, with the unit.
    """

    name: str
    type: type
    default: Any = REQUIRED
    choices: tuple[str, ...] | None = None
    help: str = ""

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def usage(self) -> str:
        """Return ``name`` or ``name=default`` for messages."""
        if self.required:
            return self.name
        return f"{self.name}={self.default}"


def check_activation(x: torch.Tensor, name: str) -> None:
    """Raise NetbendError unless ``x`` is a floating-point B x C x H x W tensor."""
    if not isinstance(x, torch.Tensor) or x.dim() != 4 or not x.is_floating_point():
        shape = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
        raise NetbendError(f"{name} expects a floating-point activation of shape B x C x H x W, got {shape}")


def check_indices(indices: list[int] | None, channels: int, kind: str) -> list[int] | None:
    """Return ``indices`` sorted and without duplicates, or None for all channels.

    Raises:
        NetbendError: an empty list, or an index outside 0 .. channels - 1.
    """
    if indices is None:
        return None
    unique = sorted({int(index) for index in indices})
    if not unique:
        raise NetbendError(f"{kind} transform got an empty channel list; select at least one channel or use 'all'")
    outside = [index for index in unique if not 0 <= index < channels]
    if outside:
        raise NetbendError(
            f"{kind} transform: channel index {outside[0]} is out of range for a layer with {channels} channels "
            f"(valid: 0-{channels - 1})"
        )
    return unique


class TransformBend(nn.Module):
    """Base class: a parameter-free transform applied to selected channels.

    Subclasses set ``kind`` and ``parameters``, call
    ``super().__init__(channels, indices, selection, **values)`` with every
    parameter value, and implement ``apply``, the functional transform on the
    selected channels (B x K x H x W).

    Args:
        channels: C, the layer's channel count.
        indices: Channels to transform; None transforms all of them.
        selection: The selection as written (``all``, ``channels:0-31``,
            ``fraction:0.25:seed=3``, ``cluster:2``). Stored for the record only,
            because ``indices`` already contains the resolved channels. None
            writes ``indices`` in the ``channels:`` form.
    """

    kind: str = ""
    parameters: tuple[TransformParameter, ...] = ()
    # False where the output is constant or piecewise constant in x (ablate,
    # threshold), so no gradient reaches x through the selected channels.
    differentiable: bool = True

    def __init__(self, channels: int, indices: list[int] | None, selection: str | None, **values) -> None:
        super().__init__()
        if channels < 1:
            raise NetbendError(f"a {self.kind} transform needs at least 1 channel, got {channels}")
        self.channels = int(channels)
        self.indices = check_indices(indices, self.channels, self.kind)
        if selection is None:
            selection = "all" if self.indices is None else "channels:" + format_index_list(self.indices)
        self.selection = selection
        self._values = dict(values)
        # Not persistent: the indices are in the config, and a parameter-free
        # bend must save an empty state dict.
        index = None if self.indices is None else torch.tensor(self.indices, dtype=torch.long)
        self.register_buffer("index", index, persistent=False)

    def config(self) -> dict:
        """Return the constructor arguments, enough to rebuild this transform."""
        return {"channels": self.channels, "indices": self.indices, "selection": self.selection, **self._values}

    def extra_repr(self) -> str:
        values = ", ".join(f"{name}={value!r}" for name, value in self._values.items())
        selected = "all" if self.indices is None else f"{len(self.indices)} of {self.channels}"
        return f"{values}, channels={selected}" if values else f"channels={selected}"

    def apply(self, x: torch.Tensor) -> torch.Tensor:
        """Transform the selected channels, shape B x K x H x W."""
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 4 or x.shape[1] != self.channels:
            raise NetbendError(
                f"{self.kind} transform was built for activations with {self.channels} channels "
                f"(B x {self.channels} x H x W) but got shape {tuple(x.shape)}; insert it at a layer with that "
                "many channels"
            )
        if self.index is None:
            return self.apply(x)

        # Out-of-place copy, so gradients reach both the selected and the passed-through channels.
        selected = x.index_select(1, self.index)  # B x K x H x W
        return x.index_copy(1, self.index, self.apply(selected))
