"""docs/inventory.md's key reference is generated from the schema and kept in sync by this test."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from govnet.inventory.keyref import MARKER, key_reference
from govnet.inventory.messages import DOCS, anchor, unwrap
from govnet.inventory.schema import DistrictFile, NetworkFile, RolesFile

ROOT = Path(__file__).resolve().parents[2]


def test_key_reference_matches_the_schema() -> None:
    page = (ROOT / DOCS).read_text(encoding="utf-8")
    assert MARKER in page
    generated = page.split(MARKER, 1)[1]
    assert MARKER + generated == key_reference(ROOT / "inventory"), (
        "docs/inventory.md is stale: run python -m govnet.inventory.keyref --write docs/inventory.md"
    )


def test_every_key_is_documented_with_the_anchor_errors_link_to() -> None:
    page = (ROOT / DOCS).read_text(encoding="utf-8")
    for root in (NetworkFile, RolesFile, DistrictFile):
        models: list[type[BaseModel]] = [root]
        while models:
            model = models.pop()
            assert f'<a id="{anchor(model).split("#")[1]}"></a>' in page
            for key, field in model.model_fields.items():
                assert f"| `{key}` |" in page, f"{model.__name__}.{key} undocumented"
                inner = unwrap(field.annotation)
                if isinstance(inner, type) and issubclass(inner, BaseModel) and inner is not model:
                    models.append(inner)
