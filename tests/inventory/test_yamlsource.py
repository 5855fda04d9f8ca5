"""The YAML location code: every key, list item and error carries its exact 1-based line."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from govnet.errors import InventoryError
from govnet.inventory.yamlsource import LineDict, LineList, key_path, line_of, load_yaml

# Line numbers are written next to each line so a reader can check every expectation by eye.
DISTRICT = """\
# a comment first, so line 1 is not the first key
district: {id: 1, code: kf}
cores:
  - {id: 1}
  - {id: 2,
     name: second}
subdistricts:
  - id: 1
    name: dongfenglu
    sites:
      - {id: 20, name: stray}
      - id: 21

        name: blank-line-above
"""
# 1: comment  2: district  3: cores  4: core 1  5: core 2  6: name: second  7: subdistricts
# 8: - id: 1  9: name  10: sites  11: site 20  12: - id: 21  13: blank  14: name


def _write(tmp_path: Path, text: str, name: str = "f.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def district(tmp_path: Path) -> LineDict:
    data = load_yaml(_write(tmp_path, DISTRICT))
    assert isinstance(data, LineDict)
    return data


@pytest.mark.parametrize(
    ("loc", "line"),
    [
        ((), 2),  # the top-level mapping starts at its first key, after the comment
        (("district",), 2),
        (("district", "code"), 2),  # a key inside a one-line flow mapping
        (("cores",), 3),
        (("cores", 0), 4),  # the first list item: index 0 must not be skipped
        (("cores", 0, "id"), 4),
        (("cores", 1), 5),
        (("cores", 1, "id"), 5),
        (("cores", 1, "name"), 6),  # a flow mapping that continues on the next line
        (("subdistricts",), 7),
        (("subdistricts", 0), 8),
        (("subdistricts", 0, "name"), 9),
        (("subdistricts", 0, "sites"), 10),
        (("subdistricts", 0, "sites", 0, "name"), 11),
        (("subdistricts", 0, "sites", 1), 12),
        (("subdistricts", 0, "sites", 1, "name"), 14),  # a blank line in between still counts
    ],
)
def test_line_of_keys_and_list_items(district: LineDict, loc: tuple[int | str, ...], line: int) -> None:
    assert line_of(district, loc) == line


@pytest.mark.parametrize(
    ("loc", "line"),
    [
        (("cores", 1, "platform"), 5),  # a missing key: the mapping that lacks it
        (("cores", 2), 3),  # one past the end: the list itself
        (("cores", -1), 3),  # negative indexes are not positions in the file
        (("cores", "id"), 3),  # a key asked of a list
        (("district", 0), 2),  # an index asked of a mapping
        (("nowhere", "deeper"), 2),  # nothing matched: the file's top mapping
        (("subdistricts", 0, "sites", 5, "name"), 10),
    ],
)
def test_line_of_unknown_paths_point_at_the_deepest_known_node(
    district: LineDict, loc: tuple[int | str, ...], line: int
) -> None:
    assert line_of(district, loc) == line


def test_line_of_plain_values_is_unknown() -> None:
    assert line_of({"a": 1}, ("a",)) is None
    assert line_of(None, ()) is None


def test_mappings_and_lists_record_every_line(district: LineDict) -> None:
    assert district.lines == {"district": 2, "cores": 3, "subdistricts": 7}
    assert district.start_line == 2
    cores = district["cores"]
    assert isinstance(cores, LineList)
    assert cores.lines == [4, 5] and cores.start_line == 4
    assert cores[1].lines == {"id": 5, "name": 6} and cores[1].start_line == 5
    sites = district["subdistricts"][0]["sites"]
    assert sites.lines == [11, 12] and sites[1].lines == {"id": 12, "name": 14}
    # the values themselves are plain YAML
    assert district == {
        "district": {"id": 1, "code": "kf"},
        "cores": [{"id": 1}, {"id": 2, "name": "second"}],
        "subdistricts": [
            {"id": 1, "name": "dongfenglu", "sites": [{"id": 20, "name": "stray"}, {"id": 21,
                                                                                 "name": "blank-line-above"}]}
        ],
    }


def test_flow_sequence_items_have_their_lines(tmp_path: Path) -> None:
    data = load_yaml(_write(tmp_path, "a: 1\nuplinks: [1,\n  2,\n  3]\n"))
    assert data["uplinks"] == [1, 2, 3]
    assert data["uplinks"].lines == [2, 3, 4]
    assert line_of(data, ("uplinks", 2)) == 4


@pytest.mark.parametrize(
    ("loc", "text"),
    [
        ((), ""),
        (("a",), "a"),
        (("a", "b"), "a.b"),
        (("a", 2, "c"), "a[2].c"),
        ((0, "a"), "[0].a"),
        (("zones", 0, 1), "zones[0][1]"),
    ],
)
def test_key_path(loc: tuple[int | str, ...], text: str) -> None:
    assert key_path(loc) == text


DUPLICATES = [
    pytest.param("a: 1\nb: 2\na: 3\n", "'a'", 3, 1, id="top-level"),
    pytest.param("x:\n  name: a\n  id: 1\n  name: b\n", "'name'", 4, 2, id="nested-block"),
    pytest.param("cores:\n  - {id: 1, id: 2}\n", "'id'", 2, 2, id="flow-mapping"),
    pytest.param("cores:\n  - {id: 1,\n     name: a,\n     id: 2}\n", "'id'", 4, 2, id="flow-multi-line"),
    pytest.param("list:\n  - a: 1\n  - b: 1\n    c: 2\n    b: 3\n", "'b'", 5, 3, id="in-list-item"),
    pytest.param("1: a\n2: b\n1: c\n", "1", 3, 1, id="integer-keys"),
]


@pytest.mark.parametrize(("text", "key", "line", "first"), DUPLICATES)
def test_duplicate_keys_are_refused_with_both_lines(
    tmp_path: Path, text: str, key: str, line: int, first: int
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(InventoryError) as info:
        load_yaml(path)
    err = info.value
    assert (err.file, err.line) == (str(path), line)
    assert err.message == f"duplicate key {key} (first at line {first})"
    assert str(err).startswith(f"{path}:{line}: duplicate key {key}")
    assert err.hint == "keep one of the two keys (YAML would drop the first)"


def test_same_key_in_sibling_mappings_is_not_a_duplicate(tmp_path: Path) -> None:
    data = load_yaml(_write(tmp_path, "a: {id: 1}\nb: {id: 1}\nlist:\n  - {id: 1}\n  - {id: 1}\n"))
    assert data == {"a": {"id": 1}, "b": {"id": 1}, "list": [{"id": 1}, {"id": 1}]}


def test_merge_keys_may_be_overridden_once(tmp_path: Path) -> None:
    text = "base: &b {platform: huawei_vrp, role: core}\nnode:\n  <<: *b\n  platform: h3c_comware\n"
    data = load_yaml(_write(tmp_path, text))
    assert data["node"] == {"platform": "h3c_comware", "role": "core"}
    assert data["node"].lines["platform"] == 4
    assert data["node"].lines["role"] == 1  # a merged key keeps the line of its anchor
    with pytest.raises(InventoryError, match="duplicate key 'platform' \\(first at line 4\\)"):
        load_yaml(_write(tmp_path, text + "  platform: frr\n", "twice.yaml"))


def test_every_merged_key_may_be_overridden(tmp_path: Path) -> None:
    text = "base: &b {role: core, platform: huawei_vrp, id: 1}\nnode:\n  <<: *b\n  id: 2\n  platform: frr\n"
    data = load_yaml(_write(tmp_path, text))
    assert data["node"] == {"role": "core", "platform": "frr", "id": 2}
    assert data["node"].lines == {"role": 1, "platform": 5, "id": 4}


def test_mapping_as_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InventoryError) as info:
        load_yaml(_write(tmp_path, "a: 1\n? {x: 1}\n: 2\n"))
    assert info.value.line == 2
    assert info.value.message == "YAML syntax error: a key must be a scalar"
    assert info.value.hint == "correct the YAML syntax"


def test_python_tags_are_refused_not_run(tmp_path: Path) -> None:
    with pytest.raises(InventoryError) as info:
        load_yaml(_write(tmp_path, "a: 1\nb: !!python/object/apply:os.system [true]\n"))
    assert info.value.line == 2 and info.value.hint == "correct the YAML syntax"
    assert info.value.message.startswith("YAML syntax error: could not determine a constructor for the tag")


SYNTAX = [
    pytest.param("a: 1\nitems:\n  - {id: 1\n  - {id: 2}\n", 4,
                 "expected ',' or '}', but got '{' (while parsing a flow mapping at line 3)",
                 id="unclosed-flow"),
    pytest.param("a:\n  b: 1\n c: 2\n", 3, "expected <block end>", id="bad-indent"),
    pytest.param("a:\n\tb: 1\n", 2, "found character '\\t' that cannot start any token", id="tab"),
    pytest.param("a: 1\nb: \"x\nc: 2\n", 4, "(while scanning a quoted scalar at line 2)",
                 id="unclosed-quote"),
    pytest.param("a: 1\nb: c: d\n", 2, "mapping values are not allowed here", id="colon-in-value"),
    pytest.param("a: [1, 2]\n", None, None, id="valid"),
]


@pytest.mark.parametrize(("text", "line", "problem"), SYNTAX)
def test_syntax_errors_name_the_1_based_line(
    tmp_path: Path, text: str, line: int | None, problem: str | None
) -> None:
    path = _write(tmp_path, text)
    if line is None:
        assert load_yaml(path) == {"a": [1, 2]}
        return
    with pytest.raises(InventoryError) as info:
        load_yaml(path)
    err = info.value
    assert (err.file, err.line) == (str(path), line)
    assert err.message.startswith("YAML syntax error: ") and problem is not None and problem in err.message
    assert err.hint == "correct the YAML syntax"
    assert str(err).startswith(f"{path}:{line}: YAML syntax error")
    assert "\n" not in str(err)


def test_context_on_the_same_line_is_not_repeated(tmp_path: Path) -> None:
    with pytest.raises(InventoryError) as info:
        load_yaml(_write(tmp_path, "a: 1\nb: [1, 2\n"))
    assert info.value.line == 3
    assert info.value.message.endswith("(while parsing a flow sequence at line 2)")
    with pytest.raises(InventoryError) as same:
        load_yaml(_write(tmp_path, "a: 1\nb: {x: 1 y: 2}\n", "same.yaml"))
    assert same.value.line == 2 and "at line" not in same.value.message


def test_control_character_names_its_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "a: 1\nb: 2\nc: \x07\n")
    with pytest.raises(InventoryError) as info:
        load_yaml(path)
    expected = f"{path}:3: character #x0007 is not allowed in YAML (fix: remove the control character)"
    assert str(info.value) == expected


def test_control_character_after_a_leading_blank_line(tmp_path: Path) -> None:
    with pytest.raises(InventoryError) as info:
        load_yaml(_write(tmp_path, "\na: \x07\n"))
    assert info.value.line == 2


def test_non_utf8_byte_after_a_leading_blank_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"\ntitle: caf\xe9\n")
    with pytest.raises(InventoryError) as info:
        load_yaml(path)
    assert info.value.line == 2


def test_non_utf8_file_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"a: 1\nb: 2\ntitle: caf\xe9\n")
    with pytest.raises(InventoryError) as info:
        load_yaml(path)
    assert str(info.value) == f"{path}:3: not UTF-8 text (byte 0xe9) (fix: save the file as UTF-8)"


def test_unreadable_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InventoryError) as info:
        load_yaml(tmp_path / "missing.yaml")
    assert str(info.value) == f"{tmp_path / 'missing.yaml'}: cannot read file: No such file or directory"


def test_empty_file_is_none(tmp_path: Path) -> None:
    assert load_yaml(_write(tmp_path, "# only a comment\n")) is None


def test_shipped_district_lines_match_the_text() -> None:
    """Cross-check against the file's own text, not against the loader: each key is on its line."""
    path = Path(__file__).resolve().parents[2] / "inventory" / "districts" / "kaifu.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    data = load_yaml(path)
    for index, sub in enumerate(data["subdistricts"]):
        line = line_of(data, ("subdistricts", index, "name"))
        assert line is not None and f"name: {sub['name']}," in lines[line - 1]
    laodaohe = next(i for i, s in enumerate(data["subdistricts"]) if s["name"] == "laodaohe")
    platform_line = line_of(data, ("subdistricts", laodaohe, "platform"))
    assert platform_line is not None and lines[platform_line - 1].strip().startswith("platform: h3c_comware")


def test_a_duplicate_key_in_the_inventory_stops_the_load_at_its_line(inventory_copy: Path) -> None:
    """Through the whole inventory stage: the district file, the second key's line, the first's."""
    from govnet.inventory import load_network

    path = inventory_copy / "districts" / "kaifu.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    first = next(i for i, ln in enumerate(lines, start=1) if ln.startswith("cores:"))
    lines.insert(first + 2, "cores: []")  # after `cores:` and its two items
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InventoryError) as info:
        load_network(inventory_copy)
    assert (info.value.file, info.value.line) == (str(path), first + 3)
    assert info.value.message == f"duplicate key 'cores' (first at line {first})"


def test_scalars_and_keys_are_what_safe_load_makes(tmp_path: Path) -> None:
    text = (
        "plain: kf-core-1\nquoted: 'yes'\nnumber: 12\nflag: yes\nnothing: ~\nempty:\nfloat: 1.5\n"
        "tagged: !!str 7\ncast: !!int '8'\n7: int key\ntrue: bool key\n"
        "when: 2026-12-07\nvalue: {=: 3, a: 1}\nlist: [a, 'b', 3, null, '']\n"
    )
    data = load_yaml(_write(tmp_path, text))
    expected = yaml.safe_load(text)
    assert data == expected and list(data) == list(expected)
    plain = {LineDict: dict, LineList: list}
    assert [plain.get(type(v), type(v)) for v in data.values()] == [type(v) for v in expected.values()]
    assert [type(v) for v in data["list"]] == [type(v) for v in expected["list"]]
    assert [type(k) for k in data] == [type(k) for k in expected]
    assert data.lines == {key: line for line, key in enumerate(expected, 1)}
