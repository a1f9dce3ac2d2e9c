"""Building blocks of the lightweight-GAN generator (Liu et al., 2021, "Towards Faster
and Stabilized GAN Training for High-fidelity Few-shot Image Synthesis").

Parameter and buffer names follow the huggan checkpoints written by
``huggingface/community-events`` (``huggan/pytorch/lightweight_gan/lightweight_gan.py``),
so a checkpoint's tensors load without renaming inside these blocks.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


class ChannelNorm(nn.Module):
    """Normalise each position over channels, then scale and shift per channel.

    Shape:
        Input and output: B x C x H x W.
    """

    def __init__(self, dim: int, eps: float = 1e-5) -> None:
        super().__init__()
        self.eps = eps
        self.g = nn.Parameter(torch.ones(1, dim, 1, 1))
        self.b = nn.Parameter(torch.zeros(1, dim, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        var, mean = torch.var_mean(x, dim=1, unbiased=False, keepdim=True)
        return (x - mean) / (var + self.eps).sqrt() * self.g + self.b


class DepthwiseSeparableConv(nn.Module):
    """A depthwise 3 x 3 convolution followed by a pointwise one, both without bias."""

    def __init__(self, chan_in: int, chan_out: int) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(chan_in, chan_in, 3, padding=1, groups=chan_in, bias=False),
            nn.Conv2d(chan_in, chan_out, 1, bias=False),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class LinearAttention(nn.Module):
    """Multi-head linear attention over all positions of a feature map.

    Queries are softmax-normalised over their channels and keys over positions,
    so the cost grows linearly with H x W.

    Args:
        dim: Channels of the input and output.
        inner_dim: Channels of queries, keys and values across all heads.
        heads: Number of heads; ``inner_dim`` must divide by it.

    Shape:
        Input and output: B x dim x H x W.
    """

    def __init__(self, dim: int, inner_dim: int = 512, heads: int = 8) -> None:
        super().__init__()
        self.heads = heads
        self.dim_head = inner_dim // heads
        self.scale = self.dim_head**-0.5
        self.to_q = nn.Conv2d(dim, inner_dim, 1, bias=False)
        self.to_kv = DepthwiseSeparableConv(dim, inner_dim * 2)
        self.to_out = nn.Conv2d(inner_dim, dim, 1)

    def split_heads(self, t: torch.Tensor) -> torch.Tensor:
        batch, _, height, width = t.shape
        t = t.reshape(batch * self.heads, self.dim_head, height * width)
        return t.transpose(1, 2)  # (B * heads) x (H * W) x dim_head

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch, _, height, width = x.shape
        keys, values = self.to_kv(x).chunk(2, dim=1)
        q, k, v = (self.split_heads(t) for t in (self.to_q(x), keys, values))

        q = q.softmax(dim=-1) * self.scale
        k = k.softmax(dim=-2)
        context = k.transpose(1, 2) @ v  # (B * heads) x dim_head x dim_head
        out = q @ context  # (B * heads) x (H * W) x dim_head

        out = out.transpose(1, 2).reshape(batch, self.heads * self.dim_head, height, width)
        return self.to_out(F.gelu(out))


class Attention(nn.Module):
    """Channel norm followed by linear attention; the caller adds the residual."""

    def __init__(self, dim: int, inner_dim: int) -> None:
        super().__init__()
        self.norm = ChannelNorm(dim)
        self.fn = LinearAttention(dim, inner_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fn(self.norm(x))


def excitation_net(chan_in: int, hidden: int, chan_out: int) -> nn.Sequential:
    """Build the gate head of both excitation kinds: 1 x 1 conv, leaky ReLU, 1 x 1 conv, sigmoid."""
    return nn.Sequential(
        nn.Conv2d(chan_in, hidden, 1),
        nn.LeakyReLU(0.1),
        nn.Conv2d(hidden, chan_out, 1),
        nn.Sigmoid(),
    )


class GlobalContext(nn.Module):
    """Skip-layer excitation from attention-pooled context (Cao et al., GCNet).

    Shape:
        Input: B x chan_in x H x W. Output: a gate B x chan_out x 1 x 1 in (0, 1).
    """

    def __init__(self, chan_in: int, chan_out: int, hidden: int | None = None) -> None:
        super().__init__()
        self.to_k = nn.Conv2d(chan_in, 1, 1)
        self.net = excitation_net(chan_in, hidden or max(3, chan_out // 2), chan_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        weights = self.to_k(x).flatten(2).softmax(dim=-1)  # B x 1 x (H * W)
        context = x.flatten(2) @ weights.transpose(1, 2)  # B x C x 1
        return self.net(context.unsqueeze(-1))


def dct_filters(width: int, channels: int) -> torch.Tensor:
    """Return 2-D DCT-II basis images, one frequency per group of channels.

    The 16 frequencies are (0, v) and (u, 0) for u, v in 0..7, as in the frequency
    channel attention of Qin et al. (FcaNet); channels beyond the last whole group
    stay zero.

    Shape:
        Output: 1 x channels x width x width.
    """
    positions = torch.arange(width, dtype=torch.float64)

    def basis(frequency: int) -> torch.Tensor:
        values = torch.cos(math.pi * frequency * (positions + 0.5) / width) / math.sqrt(width)
        return values * (1.0 if frequency == 0 else math.sqrt(2.0))

    frequencies_u = [0] * 8 + list(range(8))
    frequencies_v = list(range(8)) + [0] * 8
    group = channels // len(frequencies_u)
    filters = torch.zeros(1, channels, width, width, dtype=torch.float64)
    for index, (u, v) in enumerate(zip(frequencies_u, frequencies_v)):
        filters[:, index * group : (index + 1) * group] = torch.outer(basis(u), basis(v))
    return filters.float()


class FrequencyChannelAttention(nn.Module):
    """Skip-layer excitation from DCT-pooled features (Qin et al., FcaNet).

    Shape:
        Input: B x chan_in x width x width. Output: a gate B x chan_out x 1 x 1 in (0, 1).
    """

    def __init__(self, chan_in: int, chan_out: int, width: int, hidden: int | None = None) -> None:
        super().__init__()
        self.register_buffer("dct_weights", dct_filters(width, chan_in))
        self.net = excitation_net(chan_in, hidden or max(3, chan_out // 4), chan_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pooled = (x * self.dct_weights).sum(dim=(2, 3), keepdim=True)  # B x C x 1 x 1
        return self.net(pooled)


class Blur(nn.Module):
    """Normalised 3 x 3 binomial blur with reflected borders (the ``antialias`` option).

    Shape:
        Input and output: B x C x H x W.
    """

    def __init__(self) -> None:
        super().__init__()
        self.register_buffer("f", torch.tensor([1.0, 2.0, 1.0]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        kernel = torch.outer(self.f, self.f)
        kernel = (kernel / kernel.sum()).to(x.dtype)
        channels = x.shape[1]
        padded = F.pad(x, (1, 1, 1, 1), mode="reflect")
        return F.conv2d(padded, kernel.expand(channels, 1, 3, 3), groups=channels)
