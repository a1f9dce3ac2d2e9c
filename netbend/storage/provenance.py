"""Provenance of the PNGs netbend writes: which bend, latents and strength made them.

Every PNG carries PNG text chunks (tEXt, or iTXt for non-Latin-1 text) under
``netbend:`` keys. The latents come from ``seeded_latents(bent, count, seed)``, and
the draw depends on ``count`` as well as on ``seed``, so both are recorded: with
torch 2.14 on the CPU, latent 2 of a draw of 3 differs from latent 2 of a draw of 64.

Three layouts exist:

- ``image``: one image, latent ``latent_index`` of the draw.
- ``grid``: every latent of the draw at one strength, ``columns`` per row.
- ``rows``: one labelled row per strength, each with every latent of the draw.

``netbend sample`` reproduces each layout from these fields. Analysis sheets
(``netbend clusters`` and ``netbend inspect``) come from no bend folder; they record
the generator, layer, seed and the command that writes them again (``sheet_text``).
"""

from __future__ import annotations

import hashlib
import json
import shlex
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from netbend.errors import NetbendError
from netbend.version import __version__

PREFIX = "netbend:"
LAYOUTS = ("image", "grid", "rows")


def manifest_sha256(manifest: dict) -> str:
    """Return the sha256 of the manifest as key-sorted compact UTF-8 JSON.

    The hash depends on the manifest's content only, not on how the file is
    indented, and it covers the weights through their recorded sha256.
    """
    text = json.dumps(manifest, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def format_number(value: float) -> str:
    """Return the shortest text that reads back as the same float (``1.0`` -> ``1``)."""
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


@dataclass(frozen=True)
class Provenance:
    """The origin of one PNG: bend, latent draw, strength and layout.

    Attributes:
        run: Bend folder, as an absolute path when it was written.
        manifest_sha256: ``manifest_sha256`` of that folder's manifest.
        generator: Generator spec of the bend.
        seed: Seed of the latent draw.
        count: Number of latents drawn from ``seed``.
        layout: ``image``, ``grid`` or ``rows``.
        strengths: One strength, or one per row for ``rows``.
        indices: Latent indices shown, in order (one for ``image``).
        columns: Images per row for ``grid``; None otherwise.
        version: netbend version that wrote the image.
    """

    run: str
    manifest_sha256: str
    generator: str
    seed: int
    count: int
    layout: str
    strengths: tuple[float, ...]
    indices: tuple[int, ...]
    columns: int | None = None
    version: str = __version__

    def __post_init__(self) -> None:
        if self.layout not in LAYOUTS:
            raise NetbendError(f"image layout {self.layout!r} is unknown; expected one of {', '.join(LAYOUTS)}")
        if self.layout != "rows" and len(self.strengths) != 1:
            raise NetbendError(f"a {self.layout} image has one strength, got {list(self.strengths)}")
        if self.layout == "image" and len(self.indices) != 1:
            raise NetbendError(f"a single image has one latent index, got {list(self.indices)}")

    def to_text(self) -> dict[str, str]:
        """Return the PNG text chunks, keyed ``netbend:FIELD``."""
        text = {
            "run": self.run,
            "manifest_sha256": self.manifest_sha256,
            "generator": self.generator,
            "version": self.version,
            "seed": str(self.seed),
            "count": str(self.count),
            "layout": self.layout,
            "strength": ",".join(format_number(value) for value in self.strengths),
        }
        if self.layout == "image":
            text["latent_index"] = str(self.indices[0])
        else:
            text["latent_indices"] = ",".join(str(index) for index in self.indices)
        if self.columns is not None:
            text["columns"] = str(self.columns)
        return {PREFIX + key: value for key, value in text.items()}

    @classmethod
    def from_text(cls, text: dict[str, str], source: str = "image") -> "Provenance":
        """Rebuild from PNG text chunks.

        Raises:
            NetbendError: a required ``netbend:`` key is missing or malformed.
        """
        fields = {key[len(PREFIX) :]: value for key, value in text.items() if key.startswith(PREFIX)}
        if not fields:
            raise NetbendError(
                f"{source} carries no netbend metadata (no '{PREFIX}' PNG text chunks); another program "
                "or a netbend version without provenance wrote it, or a tool stripped the metadata"
            )
        try:
            if "latent_index" in fields:
                indices = (int(fields["latent_index"]),)
            else:
                indices = tuple(int(part) for part in fields["latent_indices"].split(","))
            return cls(
                run=fields["run"],
                manifest_sha256=fields["manifest_sha256"],
                generator=fields["generator"],
                seed=int(fields["seed"]),
                count=int(fields["count"]),
                layout=fields["layout"],
                strengths=tuple(float(part) for part in fields["strength"].split(",")),
                indices=indices,
                columns=int(fields["columns"]) if "columns" in fields else None,
                version=fields.get("version", "unknown"),
            )
        except (KeyError, ValueError) as error:
            raise NetbendError(f"{source} has incomplete or malformed netbend metadata ({error!r}); it cannot be traced") from error

    def reproduce_command(self, out: str = "reproduced.png", run: str | None = None) -> str:
        """Return the ``netbend sample`` command line that redraws this image into ``out``."""
        words = ["netbend", "sample", run or self.run, "--seed", str(self.seed), "--n", str(self.count)]
        words += ["--strength", ",".join(format_number(value) for value in self.strengths)]
        if self.layout == "image":
            words += ["--index", str(self.indices[0])]
        if self.layout == "grid" and self.columns is not None:
            words += ["--columns", str(self.columns)]
        words += ["--out", out]
        return shlex.join(words)


def sheet_text(sheet: str, generator: str, layer: str, seed: int, command: list[str]) -> dict[str, str]:
    """Return PNG text chunks for an analysis sheet, which no bend folder drew.

    Args:
        sheet: What the sheet shows (``clusters`` or ``inspect``).
        generator: Generator spec.
        layer: Layer whose activations the sheet shows.
        seed: Seed of the latents.
        command: The netbend command line that writes the same sheet again.
    """
    text = {
        "sheet": sheet,
        "generator": generator,
        "layer": layer,
        "seed": str(seed),
        "command": shlex.join(command),
        "version": __version__,
    }
    return {PREFIX + key: value for key, value in text.items()}


def read_sheet_text(path: str | Path) -> dict[str, str] | None:
    """Return an analysis sheet's ``netbend:`` fields (prefix removed), or None for other PNGs."""
    text = read_png_text(path)
    if PREFIX + "sheet" not in text:
        return None
    return {key[len(PREFIX) :]: value for key, value in text.items() if key.startswith(PREFIX)}


def read_png_text(path: str | Path) -> dict[str, str]:
    """Return a PNG's text chunks.

    Raises:
        NetbendError: the file is missing or not a PNG.
    """
    path = Path(path)
    if not path.is_file():
        raise NetbendError(f"image {path} does not exist; pass a PNG written by netbend")
    try:
        with Image.open(path) as image:
            image_format = image.format
            text = dict(getattr(image, "text", {}) or {})
    except (UnidentifiedImageError, OSError) as error:
        raise NetbendError(f"{path} is not a readable image ({error}); pass a PNG written by netbend") from error
    if image_format != "PNG":
        raise NetbendError(f"{path} is a {image_format} file; netbend records provenance only in PNG files")
    return text


def read_provenance(path: str | Path) -> Provenance:
    """Read the netbend provenance of a PNG.

    Raises:
        NetbendError: the file is missing, not a PNG, or has no netbend metadata.
    """
    return Provenance.from_text(read_png_text(path), source=str(path))


def run_provenance(run: str | Path, manifest: dict, **fields) -> Provenance:
    """Build the provenance of an image drawn from the bend folder ``run`` with ``manifest``.

    ``fields`` are the remaining ``Provenance`` fields (seed, count, layout, strengths,
    indices, columns).
    """
    return Provenance(
        run=str(Path(run).resolve()),
        manifest_sha256=manifest_sha256(manifest),
        generator=str(manifest.get("generator", "unknown")),
        **fields,
    )
