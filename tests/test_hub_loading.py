"""Loading a lightweight-GAN by hub repo id, against a fake hub on 127.0.0.1.

The real huggingface_hub client and netbend's loader run unchanged; only the hub
endpoint and the cache folder point at this test's server and temporary folder.
"""

from __future__ import annotations

import hashlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import torch

from netbend.errors import NetbendError
from netbend.generators import load_generator
from netbend.generators.lightweight_gan import LightweightGANGenerator, config_from_settings, save_huggan_checkpoint

constants = pytest.importorskip("huggingface_hub.constants")

REPO = "netbend-test/tiny-lightweight-gan"
COMMIT = "0123456789abcdef0123456789abcdef01234567"


class FakeHub(BaseHTTPRequestHandler):
    """Request handler that serves HEAD and GET for ``/{REPO}/resolve/main/{file}`` like the hub."""

    files: dict[str, bytes] = {}
    requests: list[str] = []

    def log_message(self, format, *args):  # keep pytest output clean
        pass

    def lookup(self) -> bytes | None:
        type(self).requests.append(f"{self.command} {self.path}")
        prefix = f"/{REPO}/resolve/main/"
        if not self.path.startswith(prefix):
            self.send_response(404)
            self.send_header("X-Error-Code", "RepoNotFound")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        body = self.files.get(self.path[len(prefix) :])
        if body is None:
            self.send_response(404)
            self.send_header("X-Error-Code", "EntryNotFound")
            self.send_header("X-Repo-Commit", COMMIT)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        self.send_response(200)
        self.send_header("X-Repo-Commit", COMMIT)
        self.send_header("ETag", f'"{hashlib.sha256(body).hexdigest()}"')
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return body

    def do_HEAD(self):
        self.lookup()

    def do_GET(self):
        body = self.lookup()
        if body is not None:
            self.wfile.write(body)


def point_hub_at(monkeypatch, endpoint: str, cache) -> None:
    monkeypatch.setattr(constants, "ENDPOINT", endpoint)
    monkeypatch.setattr(constants, "HUGGINGFACE_CO_URL_TEMPLATE", endpoint + "/{repo_id}/resolve/{revision}/{filename}")
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setenv("HF_HUB_DISABLE_PROGRESS_BARS", "1")


@pytest.fixture
def hub(tmp_path, monkeypatch):
    torch.manual_seed(0)
    network = LightweightGANGenerator(config_from_settings(32, latent_dim=8, fmap_max=8, attn_res_layers=())).eval()
    checkpoint = save_huggan_checkpoint(network, tmp_path / "model.pt")
    FakeHub.files = {"model.pt": checkpoint.read_bytes()}
    FakeHub.requests = []

    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeHub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    point_hub_at(monkeypatch, f"http://127.0.0.1:{server.server_address[1]}", tmp_path / "hub-cache")
    yield network
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_repo_id_downloads_and_loads(hub):
    generator = load_generator(f"lightweight-gan:{REPO}")
    latents = generator.sample_latents(2, torch.Generator().manual_seed(0))
    with torch.no_grad():
        expected = hub(latents).clamp(0, 1)
    assert generator.spec == f"lightweight-gan:{REPO}"
    assert generator.config.image_size == 32
    assert torch.equal(generator.generate(latents), expected)
    assert f"GET /{REPO}/resolve/main/model.pt" in FakeHub.requests


def test_cached_copy_needs_no_request(hub):
    load_generator(f"lightweight-gan:{REPO}")
    FakeHub.requests = []
    generator = load_generator(f"lightweight-gan:{REPO}")
    assert generator.config.latent_dim == 8
    assert FakeHub.requests == []


def test_missing_file_named(hub):
    with pytest.raises(NetbendError) as error:
        load_generator(f"lightweight-gan:{REPO}?file=other.pt")
    assert "has no file 'other.pt'" in str(error.value)


def test_missing_repo_named(hub):
    with pytest.raises(NetbendError) as error:
        load_generator("lightweight-gan:netbend-test/no-such-repo")
    assert "was not found, or it is private or gated" in str(error.value)


def test_offline_fails_fast(tmp_path, monkeypatch):
    # Bind a port, then close it, so connections to it are refused.
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeHub)
    port = server.server_address[1]
    server.server_close()
    point_hub_at(monkeypatch, f"http://127.0.0.1:{port}", tmp_path / "hub-cache")

    started = time.monotonic()
    with pytest.raises(NetbendError) as error:
        load_generator(f"lightweight-gan:{REPO}")
    elapsed = time.monotonic() - started
    assert "cannot reach the Hugging Face hub" in str(error.value)
    # huggingface_hub alone retries a refused connection for about 30 s.
    assert elapsed < 10
