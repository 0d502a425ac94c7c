"""Demo data: ``manage.py seed_demo`` runs each app's ``demo.seed(ctx)`` in ``SEEDERS`` order.

Seeders are idempotent (they look objects up by a natural key before creating them) and draw
every random choice from ``ctx.rng``, so the same ``--seed`` gives the same data. A later app
adds itself to SEEDERS and its own options (e.g. ``--products N``) to the command.
"""

import random
from dataclasses import dataclass, field
from typing import Any

from core.uscc import ALPHABET, uscc_check_character

DEMO_PASSWORD = "fengshou2026"

SEEDERS = [
    "demo.regions",
    "demo.buyers",
    "demo.accounts",
    "demo.suppliers",
    "demo.catalog",
    "demo.pricing",
    "demo.orders",
    "demo.inspections",
]


@dataclass
class DemoContext:
    rng: random.Random
    options: dict[str, Any] = field(default_factory=dict)
    # Objects one seeder makes for the next ones, by a stable key ("county:422823", "buyer:main").
    made: dict[str, Any] = field(default_factory=dict)
    created: dict[str, int] = field(default_factory=dict)

    def count(self, what: str, n: int = 1) -> None:
        self.created[what] = self.created.get(what, 0) + n


def make_uscc(rng: random.Random, *, authority_and_type: str, division_code: str) -> str:
    """A code that passes GB 32100-2015: e.g. "93" (cooperative), "91" (company), "11" (agency)."""
    body = authority_and_type + division_code + "".join(rng.choice(ALPHABET[:10]) for _ in range(9))
    return body + uscc_check_character(body)


def demo_scan_png(*, title: str, lines: list[str], seed: int = 0) -> bytes:
    """A stand-in scan of a certificate (PNG made with Pillow): a framed page with its key facts."""
    import io

    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (900, 620), (250, 247, 238))
    draw = ImageDraw.Draw(image)
    draw.rectangle((18, 18, 881, 601), outline=(160, 40, 30), width=6)
    draw.rectangle((34, 34, 865, 585), outline=(200, 150, 60), width=2)
    title_font = ImageFont.load_default(size=40)
    body_font = ImageFont.load_default(size=26)
    draw.text((450, 90), title, fill=(160, 40, 30), font=title_font, anchor="mm")
    for i, line in enumerate(lines):
        draw.text((80, 170 + i * 48), line, fill=(40, 40, 40), font=body_font)
    # a seal
    cx, cy = 720 - (seed % 40), 480
    draw.ellipse((cx - 70, cy - 70, cx + 70, cy + 70), outline=(200, 30, 30), width=5)
    draw.text((cx, cy), "SEAL", fill=(200, 30, 30), font=body_font, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()
