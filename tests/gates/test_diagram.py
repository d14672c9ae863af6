"""gates/diagram.py: the Mermaid picture of each environment, checked by its structure."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from gates import diagram
from gates.inputs import Stack as GateStack
from tests.conftest import EXAMPLE_NAMES, ROOT, Stack

_ID = r"[A-Za-z][A-Za-z0-9_]*"
_NODE = re.compile(rf"^\s*({_ID})(\[|\(\[)\"[^\"]*\"(\]|\]\))$")
_SUBGRAPH = re.compile(rf"^\s*subgraph ({_ID})\[\"([^\"]*)\"\]$")
_EDGE = re.compile(rf"^\s*({_ID}) (-->|-\.->)\|\"[^\"]*\"\| ({_ID})$")


def _parse(text: str) -> tuple[set[str], dict[str, str], list[tuple[str, str]]]:
    """Nodes, subgraphs (id -> title) and edges; every line must be one of the known forms."""
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    nodes: set[str] = set()
    subgraphs: dict[str, str] = {}
    edges: list[tuple[str, str]] = []
    depth = 0
    for line in lines[1:]:
        if line.strip().startswith("%%"):
            continue
        if match := _SUBGRAPH.match(line):
            assert match.group(1) not in subgraphs and match.group(1) not in nodes
            subgraphs[match.group(1)] = match.group(2)
            depth += 1
        elif line.strip() == "end":
            depth -= 1
            assert depth >= 0
        elif match := _NODE.match(line):
            assert match.group(1) not in nodes, f"node declared twice: {line}"
            nodes.add(match.group(1))
        elif match := _EDGE.match(line):
            edges.append((match.group(1), match.group(3)))
        else:
            raise AssertionError(f"not a line of the expected Mermaid forms: {line!r}")
    assert depth == 0
    return nodes, subgraphs, edges


def _gate_stack(name: str, stack: Stack) -> GateStack:
    return GateStack(env=name, path=Path(f"{name}/cdk.tf.json"), document=stack.doc)


@pytest.mark.parametrize("name", ["dev", "prod", "bootstrap", "dnszone", "dbinit", "rdsprod", *EXAMPLE_NAMES])
def test_every_component_appears_and_every_edge_joins_declared_nodes(synthesized: dict[str, Stack], name: str) -> None:
    stack = _gate_stack(name, synthesized[name])
    nodes, subgraphs, edges = _parse(diagram.mermaid(stack))
    reserved = {"end", "graph", "subgraph", "style", "class", "default"}
    assert not (nodes | set(subgraphs)) & reserved
    for source, target in edges:
        assert source in nodes and target in nodes, (source, target)
    present = {c: v for c, v in stack.foundation.components if v != "none"}
    titles = set(subgraphs.values())
    for component, variant in present.items():
        assert f"{component}: {variant}" in titles, f"{component} missing from the diagram of {name}"


def test_dev_shows_the_data_paths(dev: Stack) -> None:
    pic = diagram.picture(_gate_stack("dev", dev))
    labels = {ident: label for _, entries in pic.groups.values() for ident, label in entries}
    labels.update(dict(pic.outside))

    def edges_from(source_label: str) -> set[str]:
        return {labels[t] for s, t, _, _ in pic.edges if labels.get(s, "").startswith(source_label)}

    assert edges_from("Viewer") == {"CloudFront distribution: distribution"}
    assert edges_from("CloudFront distribution") >= {"S3 bucket: profile", "S3 bucket: reports"}
    assert edges_from("Client") == {"API Gateway REST API: rest"}
    assert {"Lambda function: upload-url", "Lambda function: download-url"} <= edges_from("API Gateway REST API")
    assert "DynamoDB table: files" in edges_from("Lambda function: upload-url")
    assert "Lambda function: object-processor" in edges_from("S3 bucket: uploads")
    tiers = sorted(label.split(" subnets")[0] for ident, label in labels.items() if ident.startswith("tier_"))
    assert tiers == ["database", "private", "public"]
    assert "database subnets x3: 10.0.21.0/24, 10.0.22.0/24, 10.0.23.0/24" in labels.values()


def test_nat_gateways_sit_in_the_public_tier(prod: Stack) -> None:
    pic = diagram.picture(_gate_stack("prod", prod))
    nat = {s: t for s, t, label, _ in pic.edges if s.startswith("aws_nat_gateway")}
    assert len(nat) == 3 and set(nat.values()) == {"tier_public"}


def test_function_in_the_vpc_connects_to_the_database(synthesized: dict[str, Stack]) -> None:
    pic = diagram.picture(_gate_stack("dbinit", synthesized["dbinit"]))
    db_init = next(i for _, entries in pic.groups.values() for i, label in entries if label == "Lambda function: db-init")
    outgoing = {(t, label) for s, t, label, _ in pic.edges if s == db_init}
    assert ("tier_private", "runs in") in outgoing or ("tier_database", "runs in") in outgoing
    assert any(t.startswith("aws_rds_cluster") and "connects" in label for t, label in outgoing)


def test_foreign_json_without_metadata_still_draws(tmp_path: Path) -> None:
    stack = GateStack(env="hand", path=tmp_path / "cdk.tf.json", document={"resource": {"aws_s3_bucket": {"b": {"bucket": "x"}}}})
    nodes, subgraphs, _ = _parse(diagram.mermaid(stack))
    assert nodes == {"aws_s3_bucket_b"} and list(subgraphs.values()) == ["resources"]


def test_ids_are_mermaid_safe() -> None:
    assert diagram.node_id("aws_s3_bucket.a-b") == "aws_s3_bucket_a_b"
    assert diagram.node_id("end") == "n_end"
    assert diagram.node_id("1x") == "n_1x"


def test_diagram_file_is_written_as_a_fenced_block(tmp_path: Path, dev: Stack) -> None:
    path = diagram.write(tmp_path, _gate_stack("dev", dev))
    text = path.read_text()
    assert path == tmp_path / "dev" / "diagram.md"
    assert "```mermaid\nflowchart LR\n" in text and text.rstrip().endswith("```")


PARSER = ROOT / "tests" / "fixtures" / "mermaid" / "parse.mjs"
MERMAID = ROOT / "node_modules" / "mermaid" / "package.json"
needs_mermaid = pytest.mark.skipif(
    shutil.which("node") is None or not MERMAID.is_file(),
    reason="the mermaid package is not installed: run `make cli` (npm ci from package-lock.json)",
)


@needs_mermaid
def test_mermaid_parses_every_shipped_and_example_diagram(synthesized: dict[str, Stack], tmp_path: Path) -> None:
    files = []
    for name in ["dev", "prod", "bootstrap", "dnszone", "dbinit", *EXAMPLE_NAMES]:
        path = tmp_path / f"{name}.mmd"
        path.write_text(diagram.mermaid(_gate_stack(name, synthesized[name])))
        files.append(str(path))
    done = subprocess.run(["node", str(PARSER), *files], capture_output=True, text=True, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count(": flowchart") == len(files)


@needs_mermaid
def test_mermaid_parser_rejects_a_broken_diagram(tmp_path: Path) -> None:
    broken = tmp_path / "broken.mmd"
    broken.write_text('flowchart LR\n  a["x"] -->|"y"|\n')
    done = subprocess.run(["node", str(PARSER), str(broken)], capture_output=True, text=True, cwd=ROOT, check=False)
    assert done.returncode == 1 and "Parse error" in done.stdout
