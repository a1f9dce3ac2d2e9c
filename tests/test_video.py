"""Videos: slerp walks, strength ramps, option sweeps, MP4 and GIF files."""

from __future__ import annotations

import math

import imageio.v3 as iio
import imageio_ffmpeg
import pytest
import torch
import torch.nn.functional as F
from bend_helpers import shared_bend_folder

from netbend.bending import MODULES, BendPoint, BentGenerator
from netbend.bending.base import BendingModule
from netbend.cli.main import main
from netbend.errors import NetbendError
from netbend.media.frames import parse_sweep, render_frames, slerp, walk_latents
from netbend.media.video import gif_durations, make_video, plan_frames
from netbend.sampling import seeded_latents
from netbend.storage.bend_folder import load_bend


@MODULES.register("test_rotate")
class RotateActivation(BendingModule):
    """Rotate each activation map by ``angle`` degrees about its centre: a deterministic transform."""

    kind = "test_rotate"

    def __init__(self, channels: int, angle: float = 0.0, residual: bool = False) -> None:
        super().__init__(channels, residual, angle=angle)
        self.angle = angle

    def transform(self, x: torch.Tensor) -> torch.Tensor:
        radians = math.radians(self.angle)
        cos, sin = math.cos(radians), math.sin(radians)
        theta = torch.tensor([[cos, -sin, 0.0], [sin, cos, 0.0]], dtype=x.dtype, device=x.device)
        grid = F.affine_grid(theta.expand(x.shape[0], 2, 3), list(x.shape), align_corners=False)
        return F.grid_sample(x, grid, align_corners=False, padding_mode="zeros")


@pytest.fixture(scope="module")
def trained():
    folder = shared_bend_folder()
    return folder, load_bend(folder)[0]


@pytest.fixture
def rotated(faces):
    point = faces.insertion_point("main.8")
    module = RotateActivation(point.shape[0], angle=0.0)
    return BentGenerator(faces, [BendPoint("main.8", point.shape, [module])]).eval()


def frames_of(bent, plan) -> list[torch.Tensor]:
    return list(render_frames(bent, plan, progress=False))


def test_slerp_hits_endpoints():
    start, end = torch.randn(3, 100, 1, 1), torch.randn(3, 100, 1, 1)
    assert torch.allclose(slerp(start, end, 0.0), start, atol=1e-5)
    assert torch.allclose(slerp(start, end, 1.0), end, atol=1e-5)


def test_slerp_keeps_norm_on_arc():
    start = torch.tensor([[3.0, 0.0]])
    end = torch.tensor([[0.0, 3.0]])
    middle = slerp(start, end, 0.5)
    assert middle.norm().item() == pytest.approx(3.0, abs=1e-5)
    assert middle[0, 0].item() == pytest.approx(middle[0, 1].item(), abs=1e-6)


def test_slerp_parallel_falls_back_to_line():
    start = torch.tensor([[1.0, 1.0]])
    middle = slerp(start, 2 * start, 0.5)
    assert torch.allclose(middle, 1.5 * start)


def test_walk_passes_keyframes_and_loops():
    keyframes = torch.randn(3, 2, 4)
    walk = walk_latents(keyframes, 12)
    assert walk.shape == (12, 2, 4)
    for index in range(3):
        assert torch.allclose(walk[4 * index], keyframes[index], atol=1e-5)
    # The last frame is one step short of returning to keyframe 0.
    assert torch.allclose(walk[-1], slerp(keyframes[2], keyframes[0], 0.75), atol=1e-6)


def test_ramp_keeps_latents(trained):
    _, bent = trained
    plan = plan_frames(bent, 5, seed=3, cells=2, strength=(0.0, 1.5))
    assert torch.equal(plan.latents[0], plan.latents[-1])
    assert torch.equal(plan.latents[0], seeded_latents(bent, 2, 3))


def test_ramp_frames_match_generator(trained):
    _, bent = trained
    plan = plan_frames(bent, 4, seed=1, cells=2, strength=(0.0, 1.5))
    frames = frames_of(bent, plan)
    latents = seeded_latents(bent, 2, 1)
    with torch.no_grad():
        for frame, strength in zip(frames, plan.strengths):
            assert torch.allclose(frame, bent(latents, strength=strength), atol=1e-5), strength


def test_ramp_first_frame_is_original(trained):
    _, bent = trained
    plan = plan_frames(bent, 3, cells=1, strength=(0.0, 1.0))
    # The same batch of 3 latents unbent, since batch size changes CPU rounding.
    with torch.no_grad(), bent.unbent():
        original = bent(plan.latents.flatten(0, 1))[:1]
    assert torch.equal(frames_of(bent, plan)[0], original)


def test_sweep_frames_follow_angle(rotated):
    sweep = parse_sweep("angle=0:90", rotated)
    plan = plan_frames(rotated, 4, seed=0, cells=2, sweep=sweep)
    frames = frames_of(rotated, plan)
    assert plan.sweep_values == [0.0, 30.0, 60.0, 90.0]
    assert (frames[-1] - frames[0]).abs().mean().item() > 0.02
    # Frame 2 equals the bend rebuilt with angle 60 and rendered normally.
    rotated.points[0].chain[0] = RotateActivation(rotated.points[0].shape[0], angle=60.0)
    with torch.no_grad():
        expected = rotated(plan.latents[2])
    assert torch.allclose(frames[2], expected, atol=1e-5)


def test_sweep_restores_module(rotated):
    module = rotated.points[0].chain[0]
    plan = plan_frames(rotated, 2, sweep=parse_sweep("0.0.angle=0:45", rotated))
    frames_of(rotated, plan)
    assert rotated.points[0].chain[0] is module


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("angle", "malformed"),
        ("angle=0", "START:STOP"),
        ("angle=a:b", "START:STOP"),
        ("zoom=0:1", "no module of this bend has option 'zoom'"),
        ("3.0.angle=0:1", "does not exist"),
        ("0.0.zoom=0:1", "has no option 'zoom'"),
        ("0.0.residual=0:1", "not a number"),
    ],
)
def test_sweep_rejects_bad_spec(rotated, spec, message):
    with pytest.raises(NetbendError, match=message):
        parse_sweep(spec, rotated)


def test_sweep_rejects_shape_change(trained):
    _, bent = trained
    plan = plan_frames(bent, 2, sweep=parse_sweep("hidden=8:16", bent))
    with pytest.raises(NetbendError, match="changes the tensors"):
        frames_of(bent, plan)


def test_plan_rejects_still_video(trained):
    _, bent = trained
    with pytest.raises(NetbendError, match="nothing changes"):
        plan_frames(bent, 10)


def test_mp4_frame_count_and_size(trained, tmp_path):
    _, bent = trained
    plan = plan_frames(bent, 24, walk=True, keyframes=2)
    result = make_video(bent, tmp_path / "walk.mp4", plan, fps=12, progress=False)
    reader = imageio_ffmpeg.read_frames(str(result.path))
    meta = next(reader)
    frames = sum(1 for _ in reader)
    assert frames == 24
    assert meta["size"] == (64, 64)
    assert meta["fps"] == pytest.approx(12)


def test_mp4_grid_is_padded(trained, tmp_path):
    _, bent = trained
    plan = plan_frames(bent, 3, cells=4, strength=(0.0, 1.0))
    result = make_video(bent, tmp_path / "grid.mp4", plan, fps=10, progress=False)
    # 2 x 2 images of 64 px with 2 px padding: 134 px, padded to 144.
    assert result.size == (144, 144)
    assert next(imageio_ffmpeg.read_frames(str(result.path)))["size"] == (144, 144)


def test_gif_frame_count_and_size(trained, tmp_path):
    _, bent = trained
    plan = plan_frames(bent, 6, cells=4, strength=(0.0, 1.0))
    result = make_video(bent, tmp_path / "ramp.gif", plan, fps=10, scale=2, progress=False)
    frames = iio.imread(result.path, index=None)
    assert frames.shape[0] == 6
    assert frames.shape[1:3] == (268, 268)


def test_gif_frames_change(trained, tmp_path):
    _, bent = trained
    plan = plan_frames(bent, 3, strength=(0.0, 1.5))
    frames = iio.imread(make_video(bent, tmp_path / "r.gif", plan, fps=5, progress=False).path, index=None)
    assert abs(frames[0].astype(int) - frames[-1].astype(int)).mean() > 5


def test_video_rejects_unknown_format(trained, tmp_path):
    _, bent = trained
    plan = plan_frames(bent, 2, walk=True)
    with pytest.raises(NetbendError, match="unknown video format '.avi'"):
        make_video(bent, tmp_path / "walk.avi", plan, progress=False)


def test_video_rejects_unwritable_path(trained, tmp_path):
    _, bent = trained
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    plan = plan_frames(bent, 2, walk=True)
    with pytest.raises(NetbendError, match="cannot write to output folder"):
        make_video(bent, blocker / "walk.mp4", plan, progress=False)


def test_video_cli_walk(trained, tmp_path, capsys):
    folder, _ = trained
    out = tmp_path / "walk.mp4"
    code = main(["video", str(folder), "--walk", "--seconds", "1", "--fps", "8", "--quiet", "--out", str(out)])
    assert code == 0
    assert "8 frames of 64 x 64" in capsys.readouterr().out


def test_video_cli_bad_sweep(trained, tmp_path, capsys):
    folder, _ = trained
    code = main(["video", str(folder), "--sweep", "nothing", "--quiet", "--out", str(tmp_path / "s.mp4")])
    assert code == 2
    assert "malformed" in capsys.readouterr().err


def test_gif_durations_keep_rate():
    durations = gif_durations(30, 30)
    assert sum(durations) == 1000
    assert set(durations) == {30, 40}
