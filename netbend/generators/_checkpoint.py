"""Read generator checkpoints without running code from them.

PyTorch checkpoints are pickles, and a pickle can name any Python callable to run
while it loads. ``torch.load(weights_only=True)`` only rebuilds tensors and plain
containers (dicts, lists, numbers, strings) and rejects everything else, so a
checkpoint that would run code fails here before any of its code runs.
"""

from __future__ import annotations

import logging
import pickle
import re
import zipfile
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file

from netbend.errors import NetbendError

_logger = logging.getLogger(__name__)


def read_checkpoint(path: Path, description: str) -> Any:
    """Load a ``torch.save`` file or a ``.safetensors`` file onto the CPU, tensors only.

    Args:
        path: The file.
        description: The kind of file expected, for error messages ("lightweight-GAN checkpoint").

    Returns:
        The loaded object: a dict of tensors for safetensors; for torch files,
        whatever containers of tensors and plain values were saved.

    Raises:
        NetbendError: the file is missing, corrupt, of another format, or contains
            Python objects other than tensors and plain containers.
    """
    if not path.is_file():
        raise NetbendError(f"{description} {path} does not exist or is not a file")

    if path.suffix == ".safetensors":
        try:
            return load_file(str(path))
        except (SafetensorError, OSError, ValueError) as error:
            raise NetbendError(f"{description} {path} is not a readable safetensors file ({error})") from error

    try:
        # Memory-mapping lets a checkpoint that also contains the discriminator and
        # optimiser state load without copying every tensor into memory. It needs
        # the zip format that torch.save has written by default since PyTorch 1.6.
        return torch.load(path, map_location="cpu", weights_only=True, mmap=zipfile.is_zipfile(path))
    except pickle.UnpicklingError as error:
        # The safe unpickler names the first class or function the file would import.
        found = re.search(r"Unsupported global: GLOBAL (\S+)", str(error))
        if found:
            raise NetbendError(
                f"{description} {path} contains a Python object ({found.group(1)}) besides tensors, and loading it could run "
                "code, so netbend rejects it. Save only the state dict (tensors) with torch.save, or convert it to "
                "safetensors"
            ) from error
        raise NetbendError(
            f"{description} {path} is corrupt or not a PyTorch checkpoint: its pickle uses an instruction that the "
            f"tensors-only loader rejects ({str(error).splitlines()[-1].strip()})"
        ) from error
    except Exception as error:
        # torch.load reports a damaged or foreign file with many exception types
        # (RuntimeError from the zip reader, KeyError or EOFError from the legacy
        # unpickler), so they are all reported as unreadable here.
        raise NetbendError(
            f"{description} {path} is corrupt or not a PyTorch checkpoint ({type(error).__name__}: {error})"
        ) from error
