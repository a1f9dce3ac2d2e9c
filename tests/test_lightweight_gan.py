"""The lightweight-GAN adapter on small random checkpoints saved in huggan's format."""

from __future__ import annotations

import json
import pickle

import pytest
import torch
from safetensors.torch import save_file

from netbend.cli.main import main
from netbend.errors import NetbendError
from netbend.generators import load_generator
from netbend.generators.lightweight_gan import (
    LightweightGANGenerator,
    checkpoint_state,
    config_from_settings,
    save_huggan_checkpoint,
)
from netbend.training.run import build_bend

# 128 px, 16-wide: five stages (8 … 128 px), attention on the 32 px input of
# stage 3, and an excitation from stage 1 gating stage 4.
TINY = dict(image_size=128, latent_dim=16, fmap_max=16, attn_res_layers=(32,))

# Keys of that generator outside the stages' conv and batch norm, as huggan's
# Generator names them (read from huggan/pytorch/lightweight_gan/lightweight_gan.py).
HUGGAN_EXTRA_KEYS = {
    "G.initial_conv.0.weight",
    "G.initial_conv.0.bias",
    "G.initial_conv.1.weight",
    "G.initial_conv.1.bias",
    "G.initial_conv.1.running_mean",
    "G.initial_conv.1.running_var",
    "G.initial_conv.1.num_batches_tracked",
    "G.layers.1.1.to_k.weight",
    "G.layers.1.1.to_k.bias",
    "G.layers.1.1.net.0.weight",
    "G.layers.1.1.net.0.bias",
    "G.layers.1.1.net.2.weight",
    "G.layers.1.1.net.2.bias",
    "G.layers.3.2.norm.g",
    "G.layers.3.2.norm.b",
    "G.layers.3.2.fn.to_q.weight",
    "G.layers.3.2.fn.to_kv.net.0.weight",
    "G.layers.3.2.fn.to_kv.net.1.weight",
    "G.layers.3.2.fn.to_out.weight",
    "G.layers.3.2.fn.to_out.bias",
    "G.out_conv.weight",
    "G.out_conv.bias",
}
STAGE_SUFFIXES = ["0.2.weight", "0.2.bias", "0.3.weight", "0.3.bias", "0.3.running_mean", "0.3.running_var", "0.3.num_batches_tracked"]


def tiny_network(seed: int = 0) -> LightweightGANGenerator:
    torch.manual_seed(seed)
    network = LightweightGANGenerator(config_from_settings(**TINY))
    # Random batch-norm statistics, so that loading them is visible in the output.
    with torch.no_grad():
        for module in network.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.running_mean.normal_(0, 0.1)
                module.running_var.uniform_(0.5, 1.5)
    return network.eval()


@pytest.fixture
def checkpoint(tmp_path):
    network = tiny_network()
    path = save_huggan_checkpoint(network, tmp_path / "model.pt")
    return path, network


def test_keys_follow_huggan():
    keys = set(checkpoint_state(tiny_network()))
    stage_keys = {f"G.layers.{index}.{suffix}" for index in range(5) for suffix in STAGE_SUFFIXES}
    assert keys == HUGGAN_EXTRA_KEYS | stage_keys


def test_config_from_shapes(checkpoint):
    path, _ = checkpoint
    generator = load_generator(f"lightweight-gan:{path}")
    config = generator.config
    assert config.image_size == 128
    assert config.latent_dim == 16
    assert [stage.attention_dim is not None for stage in config.stages] == [False, False, False, True, False]
    assert [stage.excitation for stage in config.stages] == [None, "global_context", None, None, None]
    assert config == config_from_settings(**TINY)


def test_loaded_output_matches(checkpoint):
    path, network = checkpoint
    generator = load_generator(f"lightweight-gan:{path}")
    latents = generator.sample_latents(2, torch.Generator().manual_seed(0))
    with torch.no_grad():
        expected = network(latents).clamp(0, 1)
    images = generator.generate(latents)
    assert images.shape == (2, 3, 128, 128)
    assert torch.equal(images, expected)


def test_insertion_points_listed(checkpoint):
    path, _ = checkpoint
    points = load_generator(f"lightweight-gan:{path}").insertion_points()
    shapes = {point.name: point.shape for point in points}
    assert [point.name for point in points][:3] == ["initial_conv", "stages.0.conv", "stages.0.glu"]
    assert shapes["initial_conv"] == (16, 4, 4)
    assert shapes["stages.2.conv"] == (32, 32, 32)  # twice the 16 output channels, before the GLU
    assert shapes["stages.4.glu"] == (16, 128, 128)
    assert points[1].note.startswith("index 0 in Aldegheri et al.")


def test_layers_command(checkpoint, capsys):
    path, _ = checkpoint
    assert main(["layers", "--generator", f"lightweight-gan:{path}"]) == 0
    output = capsys.readouterr().out
    assert "stages.3.conv  Conv2d      32 x 64 x 64" in output
    assert "index 3 in Aldegheri et al." in output


def test_layers_json_notes(checkpoint, capsys):
    path, _ = checkpoint
    assert main(["layers", "--generator", f"lightweight-gan:{path}", "--json"]) == 0
    entry = json.loads(capsys.readouterr().out)[1]
    assert entry["name"] == "stages.0.conv"
    assert entry["shape"] == [32, 8, 8]
    assert entry["note"].startswith("index 0 in Aldegheri et al.")


def test_bent_and_sampled(checkpoint):
    path, _ = checkpoint
    generator = load_generator(f"lightweight-gan:{path}")
    bent = build_bend(generator, "stages.1.conv", "conv", {}, seed=0)
    latents = generator.sample_latents(2, torch.Generator().manual_seed(3))
    with torch.no_grad():
        for parameter in bent.points.parameters():
            parameter.normal_(0, 0.2)
        original = bent(latents, strength=0.0)
        changed = bent(latents)
        with bent.unbent():
            unbent = bent(latents)
    assert torch.equal(original, unbent)
    assert (changed - original).abs().max() > 1e-3


def test_ema_weights_option(tmp_path):
    state = {**checkpoint_state(tiny_network(0), "G."), **checkpoint_state(tiny_network(1), "GE.")}
    path = tmp_path / "model.pt"
    torch.save({"GAN": state}, path)
    latents = torch.randn(1, 16, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        expected = tiny_network(1)(latents).clamp(0, 1)
    generator = load_generator(f"lightweight-gan:{path}?weights=ema")
    assert generator.spec.endswith("?weights=ema")
    assert torch.equal(generator.generate(latents), expected)


def test_safetensors_checkpoint(tmp_path):
    network = tiny_network()
    path = tmp_path / "model.safetensors"
    save_file({key: tensor.contiguous() for key, tensor in checkpoint_state(network).items()}, str(path))
    generator = load_generator(f"lightweight-gan:{path}")
    assert generator.config.image_size == 128


def test_spec_reloads_from_folder(checkpoint, monkeypatch):
    path, _ = checkpoint
    monkeypatch.chdir(path.parent)
    generator = load_generator("lightweight-gan:.")  # a folder means its model.pt
    assert generator.spec == f"lightweight-gan:{path.resolve()}"
    assert load_generator(generator.spec).config == generator.config


class Payload:
    """Pickles as a call to ``open(marker, "w")``, which creates the marker file if it runs."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_rejects_code_pickle(tmp_path):
    marker = tmp_path / "code-ran"
    path = tmp_path / "model.pt"
    torch.save({"GAN": {"G.out_conv.weight": Payload(marker)}}, path)
    with pytest.raises(NetbendError) as error:
        load_generator(f"lightweight-gan:{path}")
    assert "io.open) besides tensors, and loading it could run code" in str(error.value)
    assert not marker.exists()


def test_rejects_plain_code_pickle(tmp_path):
    marker = tmp_path / "code-ran"
    path = tmp_path / "model.pt"
    with open(path, "wb") as handle:
        pickle.dump({"GAN": {"G.out_conv.weight": Payload(marker)}}, handle, protocol=2)
    with pytest.raises(NetbendError):
        load_generator(f"lightweight-gan:{path}")
    assert not marker.exists()


def test_rejects_module_pickle(tmp_path):
    path = tmp_path / "model.pt"
    torch.save({"GAN": tiny_network()}, path)  # a whole nn.Module, not a state dict
    with pytest.raises(NetbendError) as error:
        load_generator(f"lightweight-gan:{path}")
    assert "LightweightGANGenerator) besides tensors" in str(error.value)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a checkpoint at all", "corrupt or not a PyTorch checkpoint"),
        ("truncated", "corrupt or not a PyTorch checkpoint"),
        ({"model": {"weight": torch.zeros(1)}}, "no generator tensors under 'G.'"),
        ({"GAN": {"G.initial_conv.0.weight": torch.zeros(16, 32, 4, 4)}}, "upsampling stages' conv weights"),
        ("missing_out_conv", "tensor 'out_conv.weight' is missing"),
        ("wrong_shape", "does not follow a stage with"),
    ],
)
def test_rejects_bad_checkpoint(tmp_path, content, message):
    path = tmp_path / "model.pt"
    state = checkpoint_state(tiny_network())
    if content == "truncated":
        torch.save({"GAN": state}, path)
        path.write_bytes(path.read_bytes()[:4096])
    elif content == "missing_out_conv":
        torch.save({"GAN": {key: value for key, value in state.items() if "out_conv" not in key}}, path)
    elif content == "wrong_shape":
        torch.save({"GAN": {**state, "G.layers.2.0.2.weight": torch.zeros(32, 7, 3, 3)}}, path)
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        torch.save(content, path)
    with pytest.raises(NetbendError) as error:
        load_generator(f"lightweight-gan:{path}")
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("argument", "message"),
    [
        ("", "needs a checkpoint"),
        ("/no/such/model.pt", "was not found"),
        ("model.pt?colour=red", "invalid option 'colour=red'"),
        ("model.pt?weights=best", "weights='best' is invalid"),
        ("{checkpoint}?file=other.pt", "is already a file"),
    ],
)
def test_rejects_bad_spec(checkpoint, argument, message):
    with pytest.raises(NetbendError) as error:
        load_generator(f"lightweight-gan:{argument.format(checkpoint=checkpoint[0])}")
    assert message in str(error.value)
