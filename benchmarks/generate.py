"""Generate a province-sized inventory: N districts of ~128 devices from the shipped district.

    python benchmarks/generate.py --districts 126 --out /tmp/province

Hunan: 14 cities x ~9 districts/counties = 126 districts x ~128 devices ~ 16,000 devices.
"""

from __future__ import annotations

import argparse
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "inventory"


def generate(districts: int, out: Path) -> Path:
    """Write an inventory of ``districts`` copies of the shipped district to ``out``."""
    if out.exists():
        shutil.rmtree(out)
    (out / "districts").mkdir(parents=True)
    for name in ("network.yaml", "roles.yaml"):
        shutil.copy(SHIPPED / name, out / name)
    template = (SHIPPED / "districts" / "kaifu.yaml").read_text(encoding="utf-8")
    # 12 subdistricts per generated district: ~128 devices each, ~16,000 for the province
    lines = [ln for ln in template.splitlines() if "{id: 13, name: shaping" not in ln]
    body = "\n".join(lines) + "\n"
    for d in range(1, districts + 1):
        code = f"d{d:03d}"
        text = re.sub(
            r"district: \{id: 1, code: kf, name: kaifu, title: [^}]*\}",
            f"district: {{id: {d}, code: {code}, name: district-{d:03d}, title: 区县{d}}}",
            body,
        )
        (out / "districts" / f"{code}.yaml").write_text(text, encoding="utf-8")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--districts", type=int, default=126)
    parser.add_argument("--out", type=Path, default=Path("build/province"))
    args = parser.parse_args()
    path = generate(args.districts, args.out)
    print(f"wrote {args.districts} districts to {path}")


if __name__ == "__main__":
    main()
