"""Photo storage benchmark: `.venv/bin/python bench/photo_bench.py [--count N]`.

Makes phone-size JPEGs with Pillow — 12 megapixels (4032 × 3024), a scene of smooth shapes
and gradients with sensor-like noise on top (pure noise would be a worst case no camera
produces; a flat image a best case), EXIF with the GPS position and an orientation, saved at
a phone's quality (92) — and passes each through ``app.services.photos.prepare``, the step
every upload goes through. Reports the sizes sent and kept (photo + thumbnail), the time per
photo, and the storage per year at chain scale: 4,000,000 pieces a year with 1–2 photos each
(1.5 on average).

Results go into bench/README.md under "## Photos".
"""

from __future__ import annotations

import argparse
import io
import platform
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import PIL  # noqa: E402
from PIL import Image, ImageDraw, ImageFilter  # noqa: E402

from app.services import photos  # noqa: E402

PIECES_A_YEAR = 4_000_000
PHOTOS_PER_PIECE = 1.5


def phone_jpeg(seed: int, size=(4032, 3024)) -> bytes:
    rng = random.Random(seed)
    w, h = size
    small = Image.new("RGB", (w // 8, h // 8), tuple(rng.randrange(60, 200) for _ in range(3)))
    draw = ImageDraw.Draw(small)
    for _ in range(40):  # a garment, a table, folds: large soft shapes
        x, y = rng.randrange(w // 8), rng.randrange(h // 8)
        r = rng.randrange(20, 200)
        draw.ellipse((x - r, y - r // 2, x + r, y + r // 2), fill=tuple(rng.randrange(256) for _ in range(3)))
    for _ in range(120):  # seams and threads: thin lines
        draw.line(
            [(rng.randrange(w // 8), rng.randrange(h // 8)) for _ in range(2)],
            fill=tuple(rng.randrange(256) for _ in range(3)),
            width=1,
        )
    scene = small.filter(ImageFilter.GaussianBlur(1.5)).resize(size, Image.Resampling.BICUBIC)
    noise = Image.merge("RGB", [Image.effect_noise(size, 48) for _ in range(3)])  # colour sensor noise
    image = Image.blend(scene, noise, 0.22)
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0112] = "PhoneMaker", "Phone 15", rng.choice((1, 6))
    exif[0x8825] = {1: "N", 2: (31.0, 14.0, 2.5), 3: "E", 4: (121.0, 28.0, 4.1)}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92, exif=exif)
    return out.getvalue()


def human(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n < 1000:
            return f"{n:,.1f} {unit}"
        n /= 1000
    return f"{n:,.1f} PB"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=20)
    args = parser.parse_args()
    sent, kept, thumbs, seconds = [], [], [], []
    for seed in range(args.count):
        data = phone_jpeg(seed)
        started = time.process_time()  # CPU time: the machine is shared, wall time is noise
        stored = photos.prepare(photos.Upload(f"IMG_{seed:04d}.JPG", data))
        seconds.append(time.process_time() - started)
        sent.append(len(data))
        kept.append(len(stored.data))
        thumbs.append(len(stored.thumbnail))
    per_photo_sent = statistics.mean(sent)
    per_photo_kept = statistics.mean(kept) + statistics.mean(thumbs)
    photos_a_year = PIECES_A_YEAR * PHOTOS_PER_PIECE
    print(f"Machine: {platform.python_version()}, Pillow {PIL.__version__}, {args.count} photos of 4032 × 3024")
    print("| What | Per photo | Per year (6,000,000 photos) |")
    print("|---|---|---|")
    print(
        f"| sent (phone JPEG, quality 92, EXIF + GPS) | {human(per_photo_sent)} | {human(per_photo_sent * photos_a_year)} |"
    )
    print(
        f"| kept: photo ≤ 2,048 px, JPEG q{photos.STORED_QUALITY}, no metadata | {human(statistics.mean(kept))} | "
        f"{human(statistics.mean(kept) * photos_a_year)} |"
    )
    print(
        f"| kept: thumbnail ≤ 320 px | {human(statistics.mean(thumbs))} | {human(statistics.mean(thumbs) * photos_a_year)} |"
    )
    print(f"| kept in all | {human(per_photo_kept)} | {human(per_photo_kept * photos_a_year)} |")
    print(f"| ratio kept / sent | {per_photo_kept / per_photo_sent:.1%} | |")
    print(
        f"| CPU time to prepare one photo (median, max) | {statistics.median(seconds) * 1000:.0f} ms, "
        f"{max(seconds) * 1000:.0f} ms | |"
    )
    print(
        f"| files a year (photo + thumbnail) | {photos_a_year * 2:,.0f} | in 65,536 folders: ~{photos_a_year * 2 / 65536:,.0f} each |"
    )


if __name__ == "__main__":
    main()
