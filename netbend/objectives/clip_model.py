"""CLIP models for the CLIP objectives: choice, weights and one cached copy per device.

The models come from ``open_clip`` (``pip install "netbend[clip]"``), the library
Aldegheri et al. (2023, "Hacking Generative Models with Differentiable Network
Bending") steer their bending modules with; they used ``ViT-B-32-quickgelu`` with
the ``laion400m_e32`` weights, which are the defaults here.

Weights are found in this order: a local ``checkpoint`` file; the Hugging Face hub
cache; a download when the hub is reachable. With ``HF_HUB_OFFLINE=1`` and no cached
file, the error names the missing file at once, before any network access.
"""

from __future__ import annotations

import difflib
import functools
import logging
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors import SafetensorError

from netbend.errors import NetbendError
from netbend.objectives.reference_image import resize

_logger = logging.getLogger(__name__)

INSTALL_HINT = 'pip install "netbend[clip]"'
DEFAULT_MODEL = "ViT-B-32-quickgelu"
DEFAULT_PRETRAINED = "laion400m_e32"
# ``pretrained=none`` builds the model with random weights, for tests and timing.
RANDOM_WEIGHTS = "none"

# open_clip's file names in a hub repository, safetensors first (it loads without
# unpickling). Both names are fixed by open_clip 3.x (open_clip/constants.py).
HUB_WEIGHT_FILES = ("open_clip_model.safetensors", "open_clip_pytorch_model.bin")
TRUE_VALUES = {"1", "on", "yes", "true"}


def import_open_clip():
    """Import open_clip, or raise NetbendError with the command that installs it."""
    try:
        import open_clip
    except ImportError as error:
        raise NetbendError(f"the CLIP objectives need open_clip, which is not installed. Install it with: {INSTALL_HINT}") from error
    return open_clip


def hub_offline() -> bool:
    """Return whether ``HF_HUB_OFFLINE`` (or ``TRANSFORMERS_OFFLINE``) is set now."""
    value = os.environ.get("HF_HUB_OFFLINE") or os.environ.get("TRANSFORMERS_OFFLINE") or ""
    return value.strip().lower() in TRUE_VALUES


def hub_cache_dir() -> str:
    """Return the Hugging Face hub cache folder as the environment sets it now.

    huggingface_hub reads these variables once at import; reading them here keeps a
    change made later in the process (as tests do) effective.
    """
    for variable in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
        if os.environ.get(variable):
            return os.path.expanduser(os.environ[variable])
    if os.environ.get("HF_HOME"):
        return os.path.join(os.path.expanduser(os.environ["HF_HOME"]), "hub")
    from huggingface_hub import constants

    return constants.HF_HUB_CACHE


@dataclass(frozen=True)
class ClipSpec:
    """The CLIP model an objective uses and the source of its weights.

    Attributes:
        model: open_clip model name, for example ``ViT-B-32-quickgelu``.
        pretrained: open_clip pretrained tag such as ``laion400m_e32``, or None for
            random weights. Ignored when ``checkpoint`` is set.
        checkpoint: Path of a local weights file (``.safetensors``, ``.bin`` or ``.pt``).
    """

    model: str = DEFAULT_MODEL
    pretrained: str | None = DEFAULT_PRETRAINED
    checkpoint: str | None = None

    @classmethod
    def from_options(cls, model: str | None = None, pretrained: str | None = None, checkpoint: str | None = None) -> "ClipSpec":
        """Build a spec from the spec options ``model``, ``pretrained`` and ``checkpoint``."""
        if checkpoint:
            checkpoint = str(Path(checkpoint).expanduser().resolve())
            pretrained = None
        elif pretrained is None:
            pretrained = DEFAULT_PRETRAINED
        elif pretrained.strip().lower() == RANDOM_WEIGHTS:
            pretrained = None
        return cls(model=model or DEFAULT_MODEL, pretrained=pretrained, checkpoint=checkpoint or None)

    def describe(self) -> dict:
        """Return the manifest entry: model, pretrained tag and checkpoint path."""
        return {"model": self.model, "pretrained": self.pretrained, "checkpoint": self.checkpoint}


def check_model_name(open_clip, model: str) -> None:
    if open_clip.get_model_config(model) is None:
        close = difflib.get_close_matches(model, open_clip.list_models(), n=5, cutoff=0.6)
        hint = f" Close matches: {', '.join(close)}." if close else " List them with: python -c 'import open_clip; print(open_clip.list_models())'."
        raise NetbendError(f"unknown CLIP model {model!r}.{hint}")


def missing_weights_error(spec: ClipSpec, location: str, fetch: str, reason: str) -> NetbendError:
    return NetbendError(
        f"CLIP weights for model {spec.model} pretrained={spec.pretrained} are missing: {location} {reason}. "
        f"Fetch them while online with `{fetch}`, "
        "or unset HF_HUB_OFFLINE so netbend downloads them, "
        "or pass a local weights file with the objective option ;checkpoint=PATH"
    )


def hub_weights(spec: ClipSpec, hub_entry: str) -> str:
    """Return the local path of a hub-hosted weights file, downloading it only when online."""
    # open_clip writes a hub entry as "org/repo/" (default file names) or "org/repo/file".
    if hub_entry.endswith("/"):
        repo_id, candidates = hub_entry.rstrip("/"), list(HUB_WEIGHT_FILES)
    else:
        repo_id, filename = os.path.split(hub_entry)
        candidates = [filename]
        if filename.endswith((".bin", ".pth")):
            candidates.insert(0, filename[:-4] + ".safetensors")

    from huggingface_hub import try_to_load_from_cache

    cache_dir = hub_cache_dir()
    for candidate in candidates:
        cached = try_to_load_from_cache(repo_id, candidate, cache_dir=cache_dir)
        if isinstance(cached, str):
            return cached

    location = f"{repo_id}/{candidates[0]} is not in the Hugging Face cache {cache_dir}"
    fetch = f"hf download {repo_id} {candidates[0]}"
    if hub_offline():
        raise missing_weights_error(spec, location, fetch, "and HF_HUB_OFFLINE is set")

    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import EntryNotFoundError

    _logger.info("downloading CLIP weights %s from the Hugging Face hub into %s", repo_id, cache_dir)
    for candidate in candidates:
        try:
            return hf_hub_download(repo_id, candidate, cache_dir=cache_dir)
        except EntryNotFoundError:
            continue
        except Exception as error:  # connection, timeout, authentication: all end the same way
            raise missing_weights_error(spec, location, fetch, f"and the download failed ({type(error).__name__}: {error})") from error
    raise missing_weights_error(spec, location, fetch, f"and the hub repository has none of {', '.join(candidates)}")


def url_weights(spec: ClipSpec, url: str) -> str:
    """Return the local path of a URL-hosted weights file in open_clip's cache, downloading it only when online."""
    open_clip = import_open_clip()
    cached = Path(os.path.expanduser("~/.cache/clip")) / os.path.basename(url)
    if cached.is_file():
        return str(cached)
    location = f"{cached} does not exist"
    fetch = f"curl -L -o {cached} {url}"
    if hub_offline():
        raise missing_weights_error(spec, location, fetch, "and HF_HUB_OFFLINE is set")
    _logger.info("downloading CLIP weights from %s", url)
    try:
        return open_clip.download_pretrained_from_url(url)
    except Exception as error:
        raise missing_weights_error(spec, location, fetch, f"and the download failed ({type(error).__name__}: {error})") from error


def resolve_weights(spec: ClipSpec) -> str | None:
    """Return the path of the weights file for ``spec``, or None for random weights.

    Raises:
        NetbendError: open_clip is missing, the model or tag is unknown, the
            checkpoint file does not exist, or the weights are neither cached nor
            downloadable.
    """
    open_clip = import_open_clip()
    check_model_name(open_clip, spec.model)

    if spec.checkpoint:
        if not Path(spec.checkpoint).is_file():
            raise NetbendError(f"CLIP checkpoint {spec.checkpoint} not found; check the path given with ;checkpoint=PATH")
        return spec.checkpoint
    if spec.pretrained is None:
        return None

    tag = open_clip.get_pretrained_cfg(spec.model, spec.pretrained)
    if not tag:
        tags = open_clip.list_pretrained_tags_by_model(spec.model)
        known = ", ".join(tags) if tags else "none"
        raise NetbendError(
            f"CLIP model {spec.model} has no pretrained weights {spec.pretrained!r}; known tags: {known}. "
            "Or pass a local file with ;checkpoint=PATH"
        )
    if tag.get("hf_hub"):
        return hub_weights(spec, tag["hf_hub"])
    if tag.get("url"):
        return url_weights(spec, tag["url"])
    raise NetbendError(f"open_clip lists no source for {spec.model} pretrained={spec.pretrained}; pass ;checkpoint=PATH")


@dataclass(eq=False)
class ClipModel:
    """A frozen open_clip model with its tokenizer, input size and normalisation.

    A plain object, not an ``nn.Module``, so it never ends up in a state_dict.

    Attributes:
        network: The open_clip model in eval mode, with gradients off for its weights.
        tokenizer: open_clip tokenizer for ``network``.
        image_size: Side of CLIP's square input in pixels.
        mean: 1 x 3 x 1 x 1 normalisation mean.
        std: 1 x 3 x 1 x 1 normalisation standard deviation.
        weights: Path the weights came from, or None for random weights.
    """

    network: torch.nn.Module
    tokenizer: object
    image_size: int
    mean: torch.Tensor
    std: torch.Tensor
    weights: str | None
    _texts: dict = field(default_factory=dict)

    def embed_images(self, images: torch.Tensor) -> torch.Tensor:
        """Return unit-length embeddings of images in [0, 1] at ``image_size``.

        Shape:
            Input: B x 3 x image_size x image_size. Output: B x D.
        """
        embeddings = self.network.encode_image((images - self.mean) / self.std)
        return F.normalize(embeddings.float(), dim=-1)

    def fit(self, images: torch.Tensor) -> torch.Tensor:
        """Resize images to CLIP's input size, without augmentation."""
        return resize(images, (self.image_size, self.image_size))

    @torch.no_grad()
    def embed_texts(self, texts: list[str]) -> torch.Tensor:
        """Return unit-length text embeddings, T x D, computed once per text."""
        missing = [text for text in texts if text not in self._texts]
        if missing:
            tokens = self.tokenizer(missing)
            # open_clip pads with 0 and cuts longer texts to the context length, so a
            # non-zero last token means the text filled or overflowed the context.
            for text, last in zip(missing, tokens[:, -1].tolist()):
                if last != 0:
                    _logger.warning("prompt %r fills CLIP's %d-token context; any words past it are ignored", text, tokens.shape[1])
            embeddings = self.network.encode_text(tokens.to(self.mean.device))
            self._texts.update(zip(missing, F.normalize(embeddings.float(), dim=-1)))
        return torch.stack([self._texts[text] for text in texts])


@functools.lru_cache(maxsize=4)
def load_clip(spec: ClipSpec, device: str = "cpu") -> ClipModel:
    """Build the CLIP model for ``spec`` on ``device`` (cached per spec and device).

    Random weights (``pretrained=None``) are drawn from seed 0, so a run with them
    repeats exactly.

    Raises:
        NetbendError: as ``resolve_weights``, or a checkpoint that does not fit the model.
    """
    open_clip = import_open_clip()
    weights = resolve_weights(spec)

    # A tag may need QuickGELU where the model name lacks it (ViT-B-32 with
    # laion400m_e32). The tag's setting is passed on because open_clip gets the file, not the tag.
    tag = open_clip.get_pretrained_cfg(spec.model, spec.pretrained) if spec.pretrained else {}
    try:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            network = open_clip.create_model(
                spec.model,
                pretrained=weights,
                device=device,
                force_quick_gelu=bool(tag.get("quick_gelu", False)),
            )
    except (RuntimeError, ValueError, KeyError, OSError, pickle.UnpicklingError, SafetensorError) as error:
        raise NetbendError(
            f"loading CLIP weights {weights} into model {spec.model} failed: {error}. "
            "Check that the file is an open_clip checkpoint of this model"
        ) from error
    network.eval().requires_grad_(False)

    preprocess = open_clip.get_model_preprocess_cfg(network)
    mean = torch.tensor(tag.get("mean", preprocess["mean"]), device=device).view(1, 3, 1, 1)
    std = torch.tensor(tag.get("std", preprocess["std"]), device=device).view(1, 3, 1, 1)
    size = preprocess["size"]
    image_size = size if isinstance(size, int) else size[0]

    # NOTE: models whose tokenizer is on the Hugging Face hub (text_cfg hf_tokenizer_name)
    # fetch it here, outside the offline check above. The ViT models use open_clip's
    # bundled tokenizer and need no network.
    tokenizer = open_clip.get_tokenizer(spec.model)
    if weights is None:
        _logger.warning("CLIP model %s has random weights (pretrained=none); use them only for tests and timing", spec.model)
    else:
        _logger.info("loaded CLIP model %s on %s from %s", spec.model, device, weights)
    return ClipModel(network=network, tokenizer=tokenizer, image_size=image_size, mean=mean, std=std, weights=weights)
