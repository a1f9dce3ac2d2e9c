"""The lightweight-GAN generator in the huggan checkpoint format.

Aldegheri et al. (2023, arXiv 2310.04816) bend this generator, trained by the
Hugging Face HugGAN sprint on butterflies (hub repo
``ceyda/butterfly_cropped_uniq1K_512``, 512 px). huggan's trainer
(``huggingface/community-events``, ``huggan/pytorch/lightweight_gan``) writes
``model.pt``: ``torch.save({"GAN": state_dict})``, where the generator's tensors
are the keys starting ``G.`` and its moving average's start ``GE.``.

The architecture: the latent (B x latent_dim) goes through a 4 x 4 transposed
convolution, batch norm and GLU (``initial_conv``) and is L2-normalised over
channels. Then ``log2(image_size) - 2`` upsampling stages each double the
resolution. A stage applies optional linear attention to its input (added back),
nearest upsampling, an optional blur, a 3 x 3 conv to twice the output channels,
batch norm and GLU. In the skip-layer excitation, stage i may compute a channel
gate from its output that multiplies the output of stage i + 3. A 3 x 3 conv
(``out_conv``) makes the image, whose values the trainer clamps to [0, 1].

Every size and option is read from the checkpoint's tensor shapes and key names,
so no configuration file is needed.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from netbend.errors import NetbendError
from netbend.generators import GENERATORS, _hub
from netbend.generators._checkpoint import read_checkpoint
from netbend.generators._lightweight_gan_layers import Attention, Blur, FrequencyChannelAttention, GlobalContext
from netbend.generators.base import GeneratorAdapter

_logger = logging.getLogger(__name__)

NAME = "lightweight-gan"
HUB_FILENAME = "model.pt"
WEIGHT_PREFIXES = {"generator": "G.", "ema": "GE."}
EXCITATION_SPAN = 3  # stage i's excitation gates the output of stage i + 3
ATTENTION_HEADS = 8


@dataclass(frozen=True)
class StageConfig:
    """One upsampling stage.

    Attributes:
        chan_in: Channels of the stage's input.
        chan_out: Channels of its output (the conv makes twice as many for the GLU).
        attention_dim: Inner width of the linear attention on the input, or None.
        excitation: ``global_context``, ``frequency`` or None: the gate this stage
            computes for stage i + 3.
        excitation_hidden: Width of the gate's hidden layer.
        blur: Blur after upsampling (huggan's ``antialias`` option).
    """

    chan_in: int
    chan_out: int
    attention_dim: int | None = None
    excitation: str | None = None
    excitation_hidden: int | None = None
    blur: bool = False


@dataclass(frozen=True)
class LightweightGANConfig:
    """Sizes of a lightweight-GAN generator.

    Attributes:
        latent_dim: Length of a latent vector.
        stages: The upsampling stages, first (4 -> 8 px) to last.
        out_chans: Image channels: 3 (RGB), 1 (greyscale) or 4 (RGBA).
    """

    latent_dim: int
    stages: tuple[StageConfig, ...]
    out_chans: int = 3

    @property
    def image_size(self) -> int:
        return 2 ** (len(self.stages) + 2)

    def describe(self) -> str:
        widths = " ".join(str(stage.chan_out) for stage in self.stages)
        attention = [4 * 2**index for index, stage in enumerate(self.stages) if stage.attention_dim]
        return (
            f"{self.image_size} px, latent {self.latent_dim}, stage channels {widths}, "
            f"attention at {attention or 'none'} px"
        )


def config_from_settings(
    image_size: int,
    latent_dim: int = 256,
    fmap_max: int = 512,
    fmap_inverse_coef: int = 12,
    out_chans: int = 3,
    attn_res_layers: tuple[int, ...] = (32,),
    freq_chan_attn: bool = False,
    antialias: bool = False,
) -> LightweightGANConfig:
    """Return the configuration huggan's trainer builds from its settings (defaults as in its ``cli.py``).

    Stage r (input 2**r px) has ``min(2**(fmap_inverse_coef - r), fmap_max)``
    output channels, and 3 from 256 px onwards; stages r = 3..6 compute an
    excitation when stage r + 3 exists.

    Raises:
        NetbendError: ``image_size`` is not a power of two of at least 8.
    """
    if image_size < 8 or not math.log2(image_size).is_integer():
        raise NetbendError(f"lightweight-GAN image size must be a power of two of at least 8, got {image_size}")
    resolutions = range(2, int(math.log2(image_size)))
    widths = [latent_dim] + [3 if r >= 8 else min(2 ** (fmap_inverse_coef - r), fmap_max) for r in resolutions]

    stages = []
    for index, r in enumerate(resolutions):
        gated = index + EXCITATION_SPAN
        excitation = None
        hidden = None
        if 3 <= r <= 6 and gated < len(resolutions):
            excitation = "frequency" if freq_chan_attn else "global_context"
            target = widths[gated + 1]
            hidden = max(3, target // 4) if freq_chan_attn else max(3, target // 2)
        stages.append(
            StageConfig(
                chan_in=widths[index],
                chan_out=widths[index + 1],
                attention_dim=ATTENTION_HEADS * 64 if 2**r in attn_res_layers else None,
                excitation=excitation,
                excitation_hidden=hidden,
                blur=antialias,
            )
        )
    return LightweightGANConfig(latent_dim=latent_dim, stages=tuple(stages), out_chans=out_chans)


class UpsampleStage(nn.Module):
    """One stage: [attention] -> upsample x2 -> [blur] -> conv3x3 -> batch norm -> GLU.

    The excitation, when present, is computed by the generator from this stage's
    output; it does not act inside the stage.

    Shape:
        Input: B x chan_in x S x S. Output: B x chan_out x 2S x 2S.
    """

    def __init__(self, config: StageConfig, gated_chans: int | None, width: int) -> None:
        super().__init__()
        self.attention = Attention(config.chan_in, config.attention_dim) if config.attention_dim else None
        self.upsample = nn.Upsample(scale_factor=2, mode="nearest")
        self.blur = Blur() if config.blur else nn.Identity()
        self.conv = nn.Conv2d(config.chan_in, config.chan_out * 2, 3, padding=1)
        self.norm = nn.BatchNorm2d(config.chan_out * 2)
        self.glu = nn.GLU(dim=1)
        self.excitation = None
        if config.excitation == "global_context":
            self.excitation = GlobalContext(config.chan_out, gated_chans, config.excitation_hidden)
        elif config.excitation == "frequency":
            self.excitation = FrequencyChannelAttention(config.chan_out, gated_chans, width, config.excitation_hidden)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.attention is not None:
            x = x + self.attention(x)
        x = self.blur(self.upsample(x))
        return self.glu(self.norm(self.conv(x)))


class LightweightGANGenerator(nn.Module):
    """The generator network: latents B x latent_dim to images B x out_chans x S x S.

    Args:
        config: Sizes and options, from ``config_from_settings`` or ``infer_config``.
    """

    def __init__(self, config: LightweightGANConfig) -> None:
        super().__init__()
        self.config = config
        self.initial_conv = nn.Sequential(
            nn.ConvTranspose2d(config.latent_dim, config.latent_dim * 2, 4),  # 1 x 1 -> 4 x 4
            nn.BatchNorm2d(config.latent_dim * 2),
            nn.GLU(dim=1),
        )
        stages = []
        for index, stage in enumerate(config.stages):
            gated = index + EXCITATION_SPAN
            gated_chans = config.stages[gated].chan_out if stage.excitation and gated < len(config.stages) else None
            if stage.excitation and gated_chans is None:
                raise NetbendError(f"lightweight-GAN stage {index} has an excitation but no stage {gated} to gate")
            stages.append(UpsampleStage(stage, gated_chans, width=8 * 2**index))
        self.stages = nn.ModuleList(stages)
        self.out_conv = nn.Conv2d(config.stages[-1].chan_out, config.out_chans, 3, padding=1)

    def forward(self, latents: torch.Tensor) -> torch.Tensor:
        x = self.initial_conv(latents[:, :, None, None])  # B x latent_dim x 4 x 4
        x = F.normalize(x, dim=1)

        gates: dict[int, torch.Tensor] = {}
        for index, stage in enumerate(self.stages):
            x = stage(x)
            if stage.excitation is not None:
                gates[index + EXCITATION_SPAN] = stage.excitation(x)  # B x C' x 1 x 1
            if index in gates:
                x = x * gates.pop(index)
        return self.out_conv(x)


# Checkpoint key -> module key. Inside each block the names already agree.
_RENAMES = [
    (r"layers\.(\d+)\.0\.1\.", r"stages.\1.blur."),
    (r"layers\.(\d+)\.0\.2\.", r"stages.\1.conv."),
    (r"layers\.(\d+)\.0\.3\.", r"stages.\1.norm."),
    (r"layers\.(\d+)\.1\.", r"stages.\1.excitation."),
    (r"layers\.(\d+)\.2\.", r"stages.\1.attention."),
]
_INVERSE_RENAMES = [
    (r"stages\.(\d+)\.blur\.", r"layers.\1.0.1."),
    (r"stages\.(\d+)\.conv\.", r"layers.\1.0.2."),
    (r"stages\.(\d+)\.norm\.", r"layers.\1.0.3."),
    (r"stages\.(\d+)\.excitation\.", r"layers.\1.1."),
    (r"stages\.(\d+)\.attention\.", r"layers.\1.2."),
]


def _rename(key: str, rules: list[tuple[str, str]]) -> str:
    for pattern, replacement in rules:
        renamed, count = re.subn(f"^{pattern}", replacement, key)
        if count:
            return renamed
    return key


def checkpoint_state(network: LightweightGANGenerator, prefix: str = "G.") -> dict[str, torch.Tensor]:
    """Return the network's tensors under huggan's key names, each starting with ``prefix``."""
    return {prefix + _rename(key, _INVERSE_RENAMES): tensor for key, tensor in network.state_dict().items()}


def save_huggan_checkpoint(network: LightweightGANGenerator, path: str | Path) -> Path:
    """Write ``network`` as huggan's trainer does: ``{"GAN": {"G.…": …, "GE.…": …}}``.

    The file contains no discriminator, so it can be bent and sampled but not trained
    further as a GAN. The moving-average copy (``GE.``) equals the generator.
    """
    path = Path(path)
    state = {**checkpoint_state(network, "G."), **checkpoint_state(network, "GE.")}
    torch.save({"GAN": {key: tensor.detach().cpu().clone() for key, tensor in state.items()}}, path)
    return path


def _shape(state: dict[str, torch.Tensor], key: str, source: str) -> tuple[int, ...]:
    if key not in state:
        raise NetbendError(
            f"{source}: tensor {key!r} is missing, so the lightweight-GAN generator's sizes cannot be read from it; "
            "the file may be truncated or of another architecture"
        )
    return tuple(state[key].shape)


def infer_config(state: dict[str, torch.Tensor], source: str) -> LightweightGANConfig:
    """Read the generator's sizes and options from its tensors (huggan key names, prefix removed).

    Raises:
        NetbendError: a tensor the architecture needs is missing or has an unexpected shape.
    """
    latent_dim = _shape(state, "initial_conv.0.weight", source)[0]
    indices = sorted({int(match.group(1)) for key in state if (match := re.match(r"layers\.(\d+)\.0\.2\.weight$", key))})
    if not indices or indices != list(range(len(indices))):
        raise NetbendError(
            f"{source}: the upsampling stages' conv weights (layers.N.0.2.weight) are missing or not numbered "
            f"0, 1, 2…; found stages {indices}"
        )

    stages = []
    chan_in = latent_dim
    for index in indices:
        conv = _shape(state, f"layers.{index}.0.2.weight", source)  # (2 * chan_out, chan_in, 3, 3)
        if conv[1] != chan_in or conv[0] % 2:
            raise NetbendError(
                f"{source}: stage {index}'s conv weight has shape {conv}, which does not follow a stage with "
                f"{chan_in} output channels"
            )
        chan_out = conv[0] // 2

        excitation, hidden = None, None
        if f"layers.{index}.1.to_k.weight" in state:
            excitation = "global_context"
        elif f"layers.{index}.1.dct_weights" in state:
            excitation = "frequency"
        if excitation:
            hidden = _shape(state, f"layers.{index}.1.net.0.weight", source)[0]

        attention_dim = None
        if f"layers.{index}.2.fn.to_q.weight" in state:
            attention_dim = _shape(state, f"layers.{index}.2.fn.to_q.weight", source)[0]
            # NOTE: the head count is not stored in a checkpoint; huggan's generator always uses 8.
            if attention_dim % ATTENTION_HEADS:
                raise NetbendError(
                    f"{source}: stage {index}'s attention has {attention_dim} channels, not a multiple of "
                    f"{ATTENTION_HEADS} heads"
                )

        stages.append(
            StageConfig(
                chan_in=chan_in,
                chan_out=chan_out,
                attention_dim=attention_dim,
                excitation=excitation,
                excitation_hidden=hidden,
                blur=f"layers.{index}.0.1.f" in state,
            )
        )
        chan_in = chan_out

    out_chans = _shape(state, "out_conv.weight", source)[0]
    if out_chans not in (1, 3, 4):
        raise NetbendError(f"{source}: out_conv makes {out_chans} image channels; expected 1, 3 or 4")
    return LightweightGANConfig(latent_dim=latent_dim, stages=tuple(stages), out_chans=out_chans)


def generator_state(checkpoint: object, prefix: str, source: str) -> dict[str, torch.Tensor]:
    """Pick the generator's tensors (keys starting ``prefix``) out of a loaded checkpoint.

    Accepts huggan's ``{"GAN": state_dict}`` and a bare state dict with the same keys
    (the contents of a ``.safetensors`` conversion).

    Raises:
        NetbendError: the checkpoint is not a dict of tensors or has no ``prefix`` keys.
    """
    if isinstance(checkpoint, dict) and isinstance(checkpoint.get("GAN"), dict):
        checkpoint = checkpoint["GAN"]
    if not isinstance(checkpoint, dict):
        raise NetbendError(
            f"{source} contains a {type(checkpoint).__name__}, not huggan's {{'GAN': state_dict}}; "
            "is it a lightweight-GAN model.pt?"
        )
    state = {
        key[len(prefix) :]: value
        for key, value in checkpoint.items()
        if isinstance(key, str) and key.startswith(prefix) and isinstance(value, torch.Tensor)
    }
    if not state:
        examples = ", ".join(repr(key) for key in list(checkpoint)[:4])
        raise NetbendError(
            f"{source} has no generator tensors under {prefix!r} (its first keys: {examples or 'none'}); "
            "it is not a huggan lightweight-GAN checkpoint"
        )
    return state


def load_network(path: Path, weights: str = "generator") -> LightweightGANGenerator:
    """Build the generator that ``path`` describes and load its weights.

    Args:
        path: huggan ``model.pt``, or a ``.safetensors`` file with the same keys.
        weights: ``generator`` (the ``G.`` tensors) or ``ema`` (the moving average, ``GE.``).

    Raises:
        NetbendError: unreadable or unsafe file, or tensors that do not fit the architecture.
    """
    source = f"lightweight-GAN checkpoint {path}"
    state = generator_state(read_checkpoint(path, "lightweight-GAN checkpoint"), WEIGHT_PREFIXES[weights], source)
    config = infer_config(state, source)
    network = LightweightGANGenerator(config)

    renamed = {_rename(key, _RENAMES): tensor for key, tensor in state.items()}
    expected = network.state_dict()
    missing = sorted(set(expected) - set(renamed))
    unexpected = sorted(set(renamed) - set(expected))
    if missing or unexpected:
        raise NetbendError(
            f"{source} does not match the lightweight-GAN generator read from its shapes "
            f"(missing {missing[:4]}, unexpected {unexpected[:4]})"
        )
    for key, tensor in renamed.items():
        if tensor.shape != expected[key].shape:
            raise NetbendError(
                f"{source}: tensor {key!r} has shape {tuple(tensor.shape)} but the architecture read from the "
                f"other tensors needs {tuple(expected[key].shape)}"
            )
    network.load_state_dict(renamed)
    _logger.info("loaded lightweight-GAN %s weights from %s (%s)", weights, path, config.describe())
    return network


class LightweightGANAdapter(GeneratorAdapter):
    """Adapter for a lightweight-GAN generator; latents are N(0, I) of length ``latent_dim``.

    Insertion points, in forward order: ``initial_conv`` (4 x 4), then per stage i
    ``stages.i.conv`` (the 3 x 3 conv's output, before batch norm, which is where
    Aldegheri et al. insert a module at their layer index i) and ``stages.i.glu``
    (the stage's output, before any skip-layer gate).
    """

    def __init__(self, network: LightweightGANGenerator, spec: str) -> None:
        super().__init__(network, spec)
        self.config = network.config

    @property
    def default_layer(self) -> str:
        # The 16 -> 32 px stage, midway between the layers that set the layout
        # (earlier) and those that set textures and colours (later).
        return f"stages.{min(2, len(self.config.stages) - 1)}.conv"

    def sample_latents(self, n: int, generator: torch.Generator) -> torch.Tensor:
        return torch.randn(n, self.config.latent_dim, generator=generator)

    def to_images(self, output: torch.Tensor) -> torch.Tensor:
        # huggan's trainer learns from images in [0, 1] and clamps samples to it.
        # A greyscale image is repeated to RGB; an RGBA image loses its alpha.
        if output.shape[1] == 1:
            output = output.expand(-1, 3, -1, -1)
        return output[:, :3].clamp(0, 1)

    def insertion_point_names(self) -> list[str]:
        names = ["initial_conv"]
        for index in range(len(self.config.stages)):
            names += [f"stages.{index}.conv", f"stages.{index}.glu"]
        return names

    def insertion_point_notes(self) -> dict[str, str]:
        gated = {index + EXCITATION_SPAN for index, stage in enumerate(self.config.stages) if stage.excitation}
        notes = {"initial_conv": "latent to 4 x 4, before the L2 normalisation"}
        for index in range(len(self.config.stages)):
            size_in, size_out = 4 * 2**index, 8 * 2**index
            notes[f"stages.{index}.conv"] = f"index {index} in Aldegheri et al.: stage {index} conv, {size_in} -> {size_out} px"
            gate = ", before the skip-layer gate" if index in gated else ""
            notes[f"stages.{index}.glu"] = f"output of stage {index}{gate}"
        return notes


def parse_argument(argument: str | None) -> tuple[str, dict[str, str]]:
    """Split ``LOCATION?key=value&key=value`` into the location and its options.

    Raises:
        NetbendError: no location, or an unknown or malformed option.
    """
    if not argument:
        raise NetbendError(
            f"generator {NAME!r} needs a checkpoint: {NAME}:PATH/model.pt, or a hub repo id such as "
            f"{NAME}:ceyda/butterfly_cropped_uniq1K_512"
        )
    location, _, query = argument.partition("?")
    options = {}
    for item in filter(None, query.split("&")):
        key, sep, value = item.partition("=")
        if not sep or key not in ("weights", "revision", "file"):
            raise NetbendError(
                f"invalid option {item!r} in generator spec {NAME}:{argument}; options are weights=generator|ema, "
                "revision=REV and file=NAME (hub only), for example ?weights=ema"
            )
        options[key] = value
    if options.get("weights", "generator") not in WEIGHT_PREFIXES:
        raise NetbendError(f"weights={options['weights']!r} is invalid; use weights=generator (G.) or weights=ema (GE.)")
    return location, options


def resolve_location(location: str, options: dict[str, str]) -> tuple[Path, str]:
    """Return the local checkpoint file and the location to record in the spec.

    A path that exists is used as it is (a folder means its ``model.pt``). Anything
    else of the form ``OWNER/NAME`` is a hub repo id.
    """
    path = Path(location).expanduser()
    if path.exists():
        if options.get("revision"):
            raise NetbendError(f"?revision= applies to hub repos, but {location} is a local path")
        if path.is_dir():
            path = path / options.get("file", HUB_FILENAME)
        elif options.get("file"):
            raise NetbendError(f"?file= names a file inside a folder or hub repo, but {location} is already a file")
        # The absolute path lets a bend folder find its generator from any working directory.
        return path, str(path.resolve())
    if path.suffix in (".pt", ".pth", ".safetensors") or not _hub.looks_like_repo_id(location):
        raise NetbendError(
            f"lightweight-GAN checkpoint {location} was not found; pass an existing file or a hub repo id (OWNER/NAME)"
        )
    return _hub.download(location, options.get("file", HUB_FILENAME), options.get("revision")), location


@GENERATORS.register(NAME)
def lightweight_gan(argument: str | None = None) -> LightweightGANAdapter:
    """Load a lightweight-GAN from a huggan ``model.pt`` path or a hub repo id, with ``?options``."""
    location, options = parse_argument(argument)
    path, recorded = resolve_location(location, options)
    network = load_network(path, options.get("weights", "generator"))
    query = "&".join(f"{key}={value}" for key, value in sorted(options.items()))
    return LightweightGANAdapter(network, spec=f"{NAME}:{recorded}" + (f"?{query}" if query else ""))
