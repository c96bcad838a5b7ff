"""Every registered network has all of its pieces: adding a network to extractors/registry.py
fails here until the extractor, sandbox, staging, metric registry, suites and tests exist."""

import importlib
from pathlib import Path

import pytest
import yaml

from extractors.registry import NETWORKS, raw_table

ROOT = Path(__file__).parents[2]
ENTITIES = ("pages", "page_insights", "posts", "post_insights", "comments")


@pytest.mark.parametrize("slug", list(NETWORKS))
def test_network_has_every_piece(slug):
    spec = NETWORKS[slug]
    module = importlib.import_module(spec.module)
    assert callable(module.build_client) and callable(module.extract), spec.module
    assert (ROOT / "extractors" / "networks" / slug / "README.md").is_file()
    if spec.provenance == "api":
        sandbox_module = importlib.import_module(f"sandbox.networks.{slug}")
        assert callable(sandbox_module.handle)
        # the fault vocabulary the registry-wide reliability tests (tests/reliability) use
        vocab = importlib.import_module(f"sandbox.networks.{slug}.faults").VOCABULARY
        assert vocab.network == slug and vocab.stream in spec.streams, vocab
    staging = ROOT / "dbt_project" / "models" / "staging" / slug
    assert (staging / f"_{slug}__sources.yml").is_file()
    assert (staging / f"_{slug}__models.yml").is_file()
    for entity in ENTITIES:
        assert (staging / f"stg_{slug}__{entity}.sql").is_file(), f"stg_{slug}__{entity}"
    assert (ROOT / "dbt_project" / "seeds" / f"metric_registry__{slug}.csv").is_file()
    for stream in spec.streams:
        suite = ROOT / "expectations" / "suites" / f"raw.{raw_table(slug, stream)}.json"
        assert suite.is_file(), suite
    tests = ROOT / "tests" / "extractors" / slug
    assert any(tests.glob("test_*.py")), f"no extractor tests for {slug}"


def test_dbt_vars_follow_the_registry():
    project = yaml.safe_load((ROOT / "dbt_project" / "dbt_project.yml").read_text())
    assert project["vars"]["enabled_networks"] == list(NETWORKS)
    manual = [s for s, spec in NETWORKS.items() if spec.provenance == "manual"]
    assert project["vars"]["manual_networks"] == manual


def test_nothing_outside_the_registry():
    staged = {p.name for p in (ROOT / "dbt_project" / "models" / "staging").iterdir() if p.is_dir()}
    assert staged - {"messbar", "inputs"} == set(NETWORKS)  # config and owner CSVs
    networks_dir = ROOT / "extractors" / "networks"
    extracted = {p.name for p in networks_dir.iterdir() if (p / "extract.py").exists()}
    assert extracted == set(NETWORKS)
