"""Download generator checkpoints from the Hugging Face hub, failing fast when offline."""

from __future__ import annotations

import importlib
import logging
import re
from pathlib import Path

from netbend.errors import NetbendError

_logger = logging.getLogger(__name__)

INSTALL_HINT = "pip install 'netbend[hub]'"
REPO_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*")

# Seconds to wait for the hub's first response. huggingface_hub itself retries a
# failed connection with back-off for about half a minute before giving up.
PROBE_TIMEOUT = 10


def looks_like_repo_id(text: str) -> bool:
    """Return True for ``OWNER/NAME`` (the form of a hub repo id)."""
    return REPO_ID.fullmatch(text) is not None


def _network_errors() -> tuple[type[BaseException], ...]:
    """Return the transport error classes of the HTTP clients huggingface_hub versions use.

    huggingface_hub 0.x uses requests, 1.x httpx and 2.x httpx2; their connection
    and timeout errors share no base class with OSError.
    """
    errors: list[type[BaseException]] = [OSError]
    for module_name, class_name in (("httpx2", "HTTPError"), ("httpx", "HTTPError"), ("requests", "RequestException")):
        try:
            errors.append(getattr(importlib.import_module(module_name), class_name))
        except (ImportError, AttributeError):
            continue
    return tuple(errors)


def download(repo_id: str, filename: str, revision: str | None = None) -> Path:
    """Return a local copy of ``filename`` from the hub model repo ``repo_id``.

    A copy already in the Hugging Face cache is used without contacting the hub.
    Otherwise one request with a ``PROBE_TIMEOUT`` limit checks that the hub is
    reachable before the download starts.

    Raises:
        NetbendError: huggingface_hub is not installed, the hub cannot be reached,
            or the repo, revision or file does not exist.
    """
    try:
        from huggingface_hub import get_hf_file_metadata, hf_hub_download, hf_hub_url
        from huggingface_hub.utils import (
            EntryNotFoundError,
            HfHubHTTPError,
            LocalEntryNotFoundError,
            RepositoryNotFoundError,
            RevisionNotFoundError,
        )
    except ImportError as error:
        raise NetbendError(f"loading {repo_id!r} from the Hugging Face hub needs huggingface_hub: {INSTALL_HINT}") from error

    where = f"{filename!r} of hub repo {repo_id!r}" + (f" at revision {revision!r}" if revision else "")
    try:
        path = hf_hub_download(repo_id, filename, revision=revision, local_files_only=True)
        _logger.info("using cached %s: %s", where, path)
        return Path(path)
    except LocalEntryNotFoundError:
        pass

    try:
        get_hf_file_metadata(hf_hub_url(repo_id, filename, revision=revision), timeout=PROBE_TIMEOUT)
        _logger.info("downloading %s", where)
        path = hf_hub_download(repo_id, filename, revision=revision)
    except RepositoryNotFoundError as error:
        raise NetbendError(
            f"hub repo {repo_id!r} was not found, or it is private or gated; check the id, or log in with `hf auth login`"
        ) from error
    except RevisionNotFoundError as error:
        raise NetbendError(f"hub repo {repo_id!r} has no revision {revision!r}; check the ?revision= option") from error
    except EntryNotFoundError as error:
        raise NetbendError(f"hub repo {repo_id!r} has no file {filename!r}; name the file with the ?file= option") from error
    except HfHubHTTPError as error:
        raise NetbendError(f"the Hugging Face hub rejected the request for {where}: {error}") from error
    except _network_errors() as error:
        raise NetbendError(
            f"cannot reach the Hugging Face hub to download {where} ({type(error).__name__}: {error}). "
            "If this machine is offline, download the file on one that is online and pass its local path instead"
        ) from error
    _logger.info("downloaded %s to %s", where, path)
    return Path(path)
