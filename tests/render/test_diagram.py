"""`gluegen graph`: the DAG in Mermaid (embedded in every module README) and DOT."""

from __future__ import annotations

import pytest
import yaml

from conftest import ROOT, SPECS, run_cli

MEDALLION_MERMAID = """\
flowchart TD
  start(("start: on demand"))
  s_bronze["bronze"]
  s_crawl_bronze[("crawl_bronze (crawler)")]
  s_silver_claims["silver_claims"]
  s_silver_members["silver_members"]
  s_gold["gold"]
  s_early_report["early_report"]
  s_quarantine["quarantine"]
  s_crawl_gold[("crawl_gold (crawler)")]
  start --> s_bronze
  s_bronze --> s_crawl_bronze
  s_crawl_bronze --> s_silver_claims
  s_crawl_bronze --> s_silver_members
  s_silver_claims -->|"all"| s_gold
  s_silver_members -->|"all"| s_gold
  s_silver_claims -->|"any"| s_early_report
  s_silver_members -->|"any"| s_early_report
  s_silver_claims -->|"FAILED"| s_quarantine
  s_gold --> s_crawl_gold
"""


def test_mermaid_of_the_crawler_medallion():
    result = run_cli("graph", "specs/medallion_crawlers.yaml", cwd=ROOT)
    assert (result.code, result.out) == (0, MEDALLION_MERMAID)


def test_dot_of_the_crawler_medallion():
    result = run_cli("graph", "specs/medallion_crawlers.yaml", "--format", "dot", cwd=ROOT)
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0] == 'digraph "medallion_crawlers" {' and lines[-1] == "}"
    assert '  "crawl_bronze" [shape=cylinder];' in lines and '  "gold" [shape=box];' in lines
    assert '  "silver_claims" -> "quarantine" [label="FAILED"];' in lines
    assert '  "silver_members" -> "early_report" [label="any"];' in lines
    assert '  "start" -> "bronze";' in lines


@pytest.mark.parametrize("path", SPECS, ids=lambda path: path.stem)
def test_every_stage_and_edge_is_drawn_and_the_module_readme_embeds_it(path):
    spec = yaml.safe_load(path.read_text())
    result = run_cli("graph", str(path.relative_to(ROOT)), cwd=ROOT)
    arrows = [line for line in result.out.splitlines() if "-->" in line]
    after = [stage.get("after") or [] for stage in spec["stages"].values()]
    # one edge per condition written (a list of states: one per state), one from start per root
    edges = sum(len(v) if isinstance(v, list) else 1 for a in after if isinstance(a, dict) for v in a.values())
    assert len(arrows) == edges + sum(len(a) for a in after if isinstance(a, list)) + sum(1 for a in after if not a)
    for name, stage in spec["stages"].items():
        if "actions" in stage:  # a layer: a box around one node per action
            assert f"  subgraph s_{name} [" in result.out
            for index, action in enumerate(stage["actions"], 1):
                assert f"    a_{name}_{index}[" in result.out and f'"{action}' in result.out
        else:
            assert f"  s_{name}[" in result.out
    readme = (ROOT / "out" / spec["module"] / "README.md").read_text()
    assert f"```mermaid\n{result.out}```" in readme


def test_graph_of_every_spec_labels_each_one():
    result = run_cli("graph", cwd=ROOT)
    assert result.out.count("flowchart TD") == len(SPECS)
    assert "%% specs/metriccare.yaml\n" in result.out


LAYERS = """\
version: 1
module: m
workflow: {name: w}
stages:
  bronze:
    actions: {orders: {}, users: {}, raw: {crawler: true}}
  silver: {after: {bronze.orders: [FAILED, TIMEOUT]}, when: any}
  gold: {after: [bronze, silver]}
"""


def test_layers_are_boxes_of_their_actions_and_edges_name_an_action_or_the_whole_layer(tmp_path):
    (tmp_path / "m.yaml").write_text(LAYERS, encoding="utf-8")
    result = run_cli("graph", "m.yaml", cwd=tmp_path)
    assert result.out == """\
flowchart TD
  start(("start: on demand"))
  subgraph s_bronze ["bronze"]
    a_bronze_1["orders"]
    a_bronze_2["users"]
    a_bronze_3[("raw (crawler)")]
  end
  s_silver["silver"]
  s_gold["gold"]
  start --> s_bronze
  a_bronze_1 -->|"any FAILED"| s_silver
  a_bronze_1 -->|"any TIMEOUT"| s_silver
  s_bronze -->|"all"| s_gold
  s_silver -->|"all"| s_gold
"""
    lines = run_cli("graph", "m.yaml", "--format", "dot", cwd=tmp_path).out.splitlines()
    assert "  compound=true;" in lines
    assert '  subgraph "cluster_bronze" {' in lines and '    "bronze.raw" [shape=cylinder, label="raw"];' in lines
    assert '  "start" -> "bronze.orders" [lhead="cluster_bronze"];' in lines
    assert '  "bronze.orders" -> "silver" [label="any FAILED"];' in lines
    assert '  "bronze.orders" -> "gold" [label="all", ltail="cluster_bronze"];' in lines
