"""Composition is understood: allOf fields are arguments, and an allOf + nullable wrapper keeps its union."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, generate_sdk, importable, prism_server

SPEC = ROOT / "tests" / "specs" / "composition.yaml"


@pytest.fixture(scope="module")
def composer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Any, str]]:
    sdk, _ = generate_sdk(SPEC, tmp_path_factory.mktemp("composer"))
    with importable(sdk, "composer") as module, prism_server(SPEC) as url:
        yield sdk, module, url


def test_allof_fields_are_keyword_arguments(composer: tuple[Path, Any, str]) -> None:
    sdk, module, url = composer
    with module.Composer(api_key="k", base_url=url, strict_response_validation=True) as client:
        # Prism checks the body against the spec, so these reach the wire as the spec says
        completion = client.create_completion(model="m", temperature=0.5, top_p=None, metadata={"a": "b"})
        assert isinstance(completion.id, str)
        with pytest.raises(module.RequestValidationError, match="temperature"):
            client.create_completion(model="m", temperature=5)
    request = module.request_builders.create_completion(model="m", temperature=0.5, api_key="k")
    assert request.content == b'{"temperature":0.5,"model":"m"}'
    page = (sdk / "docs" / "operations" / "create_completion.md").read_text()
    assert "| `temperature` |" in page and "How random the answer is." in page


def test_a_nullable_allof_wrapper_keeps_the_union(composer: tuple[Path, Any, str]) -> None:
    _, module, url = composer
    with module.Composer(api_key="k", base_url=url, strict_response_validation=True) as client:
        run = client.create_run(tool_choice="auto")  # strict: the type itself accepts "auto"
        assert run.tool_choice == "auto"
        named = client.create_run(tool_choice={"type": "function", "name": "f"})
        assert named.id == "run_1"
        client.create_run(tool_choice=None)
    assert module.models.Run.model_validate({"id": "r", "tool_choice": None}).tool_choice is None
    tool = module.models.Run.model_validate({"id": "r", "tool_choice": {"type": "function", "name": "f"}})
    assert isinstance(tool.tool_choice, module.models.NamedTool)


def test_an_optional_body_left_out_is_not_sent(composer: tuple[Path, Any, str]) -> None:
    _, module, url = composer
    request = module.request_builders.create_run(api_key="k")
    assert request.content == b"" and "content-type" not in request.headers
    with module.Composer(api_key="k", base_url=url) as client:
        assert client.create_run().id == "run_1"  # Prism accepts a call without the optional body
        with pytest.raises(module.RequestValidationError, match="tool_choice"):
            client.create_run(body=module.models.RunRequest.model_construct())  # given, so checked
