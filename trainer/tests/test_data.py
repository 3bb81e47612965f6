"""The single-turn dataset reader: the contract fields, one-line errors, resumable JSONL."""

import json

import pytest

from trainer.data import TrainerError, grpo_dataset, read_jsonl, read_rows, sft_dataset
from trainer.tests.conftest import make_rows


def test_rows_load_as_trl_datasets(rows_file):
    sft = sft_dataset(rows_file)
    assert sft.column_names == ["prompt", "completion"] and len(sft) == 6
    grpo = grpo_dataset(rows_file)
    assert grpo.column_names == ["prompt", "expert_action", "valid_actions"]
    assert "optimal_actions" in grpo_dataset(rows_file, "any_optimal").column_names


def test_a_torn_last_line_is_ignored_but_a_bad_middle_line_is_named(tmp_path):
    p = tmp_path / "x.jsonl"
    p.write_text('{"a": 1}\n{"a": 2, "b"')
    assert read_jsonl(p) == [{"a": 1}]
    p.write_text('{"a": 1}\nnot json\n{"a": 2}\n')
    with pytest.raises(TrainerError, match=r"x.jsonl:2 is not valid JSON"):
        read_jsonl(p)


def test_line_separators_inside_strings_do_not_split_records(tmp_path):
    p = tmp_path / "u.jsonl"
    rows = make_rows(2)
    rows[0]["completion"][0]["content"] = "Reasoning: a\u2028b\u0085c\nAction: Do nothing"
    p.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    assert len(read_rows(p)) == 2


@pytest.mark.parametrize("change, message", [
    (lambda r: r.update(expert_action="Fly"), '"expert_action" must be one of "valid_actions"'),
    (lambda r: r.update(prompt=[]), '"prompt" must be a non-empty list'),
    (lambda r: r["prompt"].append({"role": "assistant", "content": "x"}), "last prompt message must be the user"),
    (lambda r: r.update(completion=[{"role": "user", "content": "x"}]), '"completion" must be one assistant message'),
])
def test_contract_violations_name_the_line(tmp_path, change, message):
    rows = make_rows(3)
    change(rows[1])
    p = tmp_path / "bad.jsonl"
    p.write_text("".join(json.dumps(r) + "\n" for r in rows))
    with pytest.raises(TrainerError, match=message) as e:
        read_rows(p)
    assert str(e.value).startswith(f"{p}:2: ")


def test_any_optimal_needs_the_column_in_every_row(tmp_path):
    rows = make_rows(3)
    del rows[2]["optimal_actions"]
    p = tmp_path / "r.jsonl"
    p.write_text("".join(json.dumps(r) + "\n" for r in rows))
    with pytest.raises(TrainerError, match=r"r.jsonl:3 has none"):
        grpo_dataset(p, "any_optimal")


def test_missing_and_empty_files(tmp_path):
    with pytest.raises(TrainerError, match="cannot read"):
        read_rows(tmp_path / "none.jsonl")
    (tmp_path / "e.jsonl").write_text("\n")
    with pytest.raises(TrainerError, match="has no rows"):
        read_rows(tmp_path / "e.jsonl")
