"""Videos of a bend: a looping latent walk, a strength ramp or a module option sweep.

MP4 goes through the ffmpeg binary that imageio-ffmpeg ships, as H.264 in yuv420p
so common players and browsers open it; GIF goes through imageio's Pillow plug-in.
Every frame of one video uses the same latents (or the same walk), so only what the
video is about changes between frames.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np
import torch
from PIL import Image

from netbend.bending import BentGenerator
from netbend.errors import NetbendError
from netbend.media.frames import FramePlan, Sweep, render_frames, walk_latents
from netbend.sampling import seeded_latents
from netbend.storage.images import image_grid, to_pil
from netbend.storage.outputs import check_output_file

_logger = logging.getLogger(__name__)

FORMATS = (".mp4", ".gif")

# H.264 in yuv420p needs even sides, and imageio-ffmpeg resizes frames to multiples of
# its 16 px macro block unless told otherwise. MP4 frames are padded to that instead.
MACRO_BLOCK = 16

# imageio-ffmpeg's 0-10 quality scale, where 8 maps to x264 CRF 10. That keeps the
# hard edges of upscaled 64 px frames, and the demo's 10 s walk at --scale 4 (256 px)
# takes 0.76 MB.
MP4_QUALITY = 8

# Seconds of walk per keyframe when the keyframe count is not given.
SECONDS_PER_KEYFRAME = 2.5


@dataclass
class VideoResult:
    """The written video: path, frame count, frame size (width, height) and fps."""

    path: Path
    frames: int
    size: tuple[int, int]
    fps: float


def frame_count(seconds: float, fps: float) -> int:
    """Return ``round(seconds * fps)``, checking both are positive."""
    if not seconds > 0:
        raise NetbendError(f"--seconds must be above 0, got {seconds}")
    if not fps > 0:
        raise NetbendError(f"--fps must be above 0, got {fps}")
    return max(1, round(seconds * fps))


def default_keyframes(seconds: float) -> int:
    """Return one keyframe per ``SECONDS_PER_KEYFRAME`` seconds of video, at least 2."""
    return max(2, round(seconds / SECONDS_PER_KEYFRAME))


def plan_frames(
    bent: BentGenerator,
    frames: int,
    seed: int = 0,
    cells: int = 1,
    walk: bool = False,
    keyframes: int | None = None,
    strength: tuple[float, float] = (1.0, 1.0),
    sweep: Sweep | None = None,
) -> FramePlan:
    """Decide each frame's latents, strength and swept value.

    Args:
        bent: The bend.
        frames: Number of frames.
        seed: Seed of the latent draw.
        cells: Images per frame (a grid when above 1).
        walk: Walk through latent space; otherwise every frame uses the same latents,
            ``seeded_latents(bent, cells, seed)``, as ``netbend sample --n CELLS`` draws.
        keyframes: Latents per cell that the walk passes through (at least 2;
            default: one per 2.5 s at 30 fps).
        strength: (first, last) strength; equal values hold it fixed.
        sweep: A module option to sweep, or None.

    Raises:
        NetbendError: nothing would change between frames, or bad counts.
    """
    if cells < 1:
        raise NetbendError(f"a frame needs at least 1 image, got --grid {cells}")
    if not walk and strength[0] == strength[1] and sweep is None:
        raise NetbendError("nothing changes between frames; pass --walk, a --strength START:STOP ramp or a --sweep")

    if walk:
        keyframes = keyframes or default_keyframes(frames / 30)
        if keyframes < 2:
            raise NetbendError(f"a walk needs at least 2 keyframes, got {keyframes}")
        drawn = seeded_latents(bent, keyframes * cells, seed)
        latents = walk_latents(drawn.view(keyframes, cells, *drawn.shape[1:]), frames)
    else:
        fixed = seeded_latents(bent, cells, seed)
        latents = fixed.unsqueeze(0).expand(frames, *fixed.shape)

    strengths = torch.linspace(strength[0], strength[1], frames, dtype=torch.float64).tolist()
    values = sweep.values(frames) if sweep is not None else None
    return FramePlan(latents=latents, strengths=strengths, sweep=sweep, sweep_values=values)


def frame_array(images: torch.Tensor, columns: int, scale: int) -> np.ndarray:
    """Lay one frame's images out (a grid when there are several) as an H x W x 3 uint8 array."""
    picture = to_pil(images[0]) if len(images) == 1 else image_grid(images, columns=columns)
    if scale > 1:
        picture = picture.resize((picture.width * scale, picture.height * scale), Image.NEAREST)
    return np.asarray(picture)


def pad_to_block(frame: np.ndarray, block: int = MACRO_BLOCK) -> np.ndarray:
    """Pad a frame with white, centred, so both sides are multiples of ``block``."""
    height, width = frame.shape[:2]
    pad_height, pad_width = -height % block, -width % block
    if not pad_height and not pad_width:
        return frame
    top, left = pad_height // 2, pad_width // 2
    return np.pad(frame, ((top, pad_height - top), (left, pad_width - left), (0, 0)), constant_values=255)


def write_mp4(frames: Iterable[np.ndarray], path: Path, fps: float) -> tuple[int, tuple[int, int]]:
    """Stream frames to an H.264 MP4; return the frame count and (width, height)."""
    import imageio_ffmpeg

    writer = None
    count, size = 0, (0, 0)
    try:
        for frame in frames:
            frame = np.ascontiguousarray(pad_to_block(frame))
            if writer is None:
                size = (frame.shape[1], frame.shape[0])
                writer = imageio_ffmpeg.write_frames(
                    str(path),
                    size,
                    fps=fps,
                    codec="libx264",
                    pix_fmt_in="rgb24",
                    pix_fmt_out="yuv420p",
                    quality=MP4_QUALITY,
                    macro_block_size=MACRO_BLOCK,
                    ffmpeg_log_level="error",
                )
                writer.send(None)  # start ffmpeg
            writer.send(frame)
            count += 1
    except (OSError, RuntimeError) as error:
        raise NetbendError(f"ffmpeg failed to write {path}: {error}; check the disk space and the path") from error
    finally:
        if writer is not None:
            writer.close()
    return count, size


def gif_durations(count: int, fps: float) -> list[int]:
    """Return per-frame delays in ms, whole hundredths of a second that add up to ``count / fps``.

    GIF stores delays in hundredths of a second, so 30 fps mixes 30 and 40 ms delays
    instead of drifting to 33 fps. Above 50 fps the delays drop to 10 ms or less,
    which many viewers do not honour, so use MP4 for high frame rates.
    """
    ticks = [round(frame * 100 / fps) for frame in range(count + 1)]
    return [10 * (end - start) for start, end in zip(ticks, ticks[1:])]


def write_gif(frames: Iterable[np.ndarray], path: Path, fps: float) -> tuple[int, tuple[int, int]]:
    """Write a looping GIF; return the frame count and (width, height).

    Pillow merges a frame identical to the one before into a single longer frame, so
    a video with still stretches has fewer GIF frames than it rendered.
    """
    import imageio.v3 as iio

    # NOTE: the GIF encoder needs every frame at once, so long or large GIFs use a lot
    # of memory (300 frames of 512 x 512 take about 240 MB); MP4 streams instead.
    stack = np.stack(list(frames))
    try:
        iio.imwrite(path, stack, extension=".gif", plugin="pillow", duration=gif_durations(len(stack), fps), loop=0)
    except OSError as error:
        raise NetbendError(f"cannot write GIF {path}: {error}; choose a writable path") from error
    return len(stack), (stack.shape[2], stack.shape[1])


def make_video(
    bent: BentGenerator,
    out: str | Path,
    plan: FramePlan,
    fps: float = 30.0,
    columns: int | None = None,
    scale: int = 1,
    progress: bool = True,
) -> VideoResult:
    """Render ``plan`` and write it to ``out`` (``.mp4`` or ``.gif``).

    Args:
        bent: The bend.
        out: Output file; its suffix picks the format.
        plan: Frames from ``plan_frames``.
        fps: Frames per second.
        columns: Grid columns for several images per frame (default: about square).
        scale: Integer upscaling of each frame (nearest neighbour).
        progress: Show a progress bar.

    Raises:
        NetbendError: unknown format, unwritable output, or ffmpeg failing.
    """
    path = check_output_file(out, FORMATS, kind="video")
    if scale < 1:
        raise NetbendError(f"--scale must be a whole number of at least 1, got {scale}")
    columns = columns or max(1, round(plan.cells**0.5))

    def arrays() -> Iterator[np.ndarray]:
        for images in render_frames(bent, plan, progress=progress):
            yield frame_array(images, columns, scale)

    writer = write_mp4 if path.suffix.lower() == ".mp4" else write_gif
    count, size = writer(arrays(), path, fps)
    _logger.info("wrote %d frames of %d x %d to %s", count, size[0], size[1], path)
    return VideoResult(path=path, frames=count, size=size, fps=fps)
