"""Videos of a bend: latent walks, strength ramps and module option sweeps."""

from netbend.media.video import make_video, plan_frames

__all__ = ["make_video", "plan_frames"]
