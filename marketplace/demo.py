"""Demo data: ``manage.py seed_demo`` runs each app's ``demo.seed(ctx)`` in ``SEEDERS`` order.

Seeders are idempotent (they look objects up by a natural key before creating them) and draw
every random choice from ``ctx.rng``, so the same ``--seed`` gives the same data. A later app
adds itself to SEEDERS and its own options (e.g. ``--products N``) to the command.
"""

import random
from dataclasses import dataclass, field
from typing import Any

from marketplace.uscc import ALPHABET, uscc_check_character

DEMO_PASSWORD = "fengshou2026"

SEEDERS = ["regions.demo", "buyers.demo", "suppliers.demo", "accounts.demo"]


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
