"""Composition is understood: allOf fields are arguments, and an allOf + nullable wrapper keeps its union."""

from __future__ import annotations

import inspect
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


def test_a_discriminator_without_mapping_takes_the_branches_own_values(
    composer: tuple[Path, Any, str],
) -> None:
    _, module, url = composer
    with module.Composer(api_key="k", base_url=url, strict_response_validation=True) as client:
        search = client.create_search(tool={"type": "web", "depth": 1})  # not "WebSearch"
        assert isinstance(search.tool, module.models.WebSearch) and search.tool.type == "web_2025"
        client.create_search(tool={"type": "file"})  # the other branch is sent too; Prism checks it
        with pytest.raises(module.RequestValidationError):
            client.create_search(tool={"type": "WebSearch"})  # the schema name is no value of it


ACCOUNTS = ROOT / "tests" / "specs" / "accounts.yaml"


def test_discriminated_children_and_one_way_properties(tmp_path: Path) -> None:
    sdk, _ = generate_sdk(ACCOUNTS, tmp_path)
    with importable(sdk, "accounts") as module, prism_server(ACCOUNTS) as url:
        arguments = inspect.signature(module.request_builders.create_user).parameters
        assert "id" not in arguments and "secret" in arguments, "readOnly is not an argument"
        with module.Accounts(api_key="k", base_url=url, strict_response_validation=True) as client:
            # each child has its own value: implied by its name, or the mapping's key
            user = client.create_user(type="User", name="Ada", secret="s3cret")
            assert (user.type, user.id, user.secret) == ("User", "acc_1", None), "writeOnly not required"
            bot = client.get_bot("acc_2")
            assert (bot.type, bot.owner) == ("automaton", "acc_1")
            with pytest.raises(module.RequestValidationError):
                client.create_user(type="automaton", secret="s")  # a User is not a bot


def test_a_child_is_not_narrowed_to_its_parents_only_value(tmp_path: Path) -> None:
    """The parent allows one value only (`enum: [account]`); its children still have their own."""
    spec = tmp_path / "accounts.yaml"
    text = ACCOUNTS.read_text().replace("enum: [account, User, automaton]", "enum: [account]")
    spec.write_text(text.replace("title: Accounts", "title: Narrow Accounts"))
    sdk, _ = generate_sdk(spec, tmp_path)
    with importable(sdk, "narrow_accounts") as module:
        models = module.models
        assert models.User.model_validate({"id": "a", "type": "User", "secret": "s"}).type == "User"
        assert models.Bot.model_validate({"id": "b", "type": "automaton", "secret": "s"}).type == "automaton"
        assert models.Account.model_validate({"id": "c", "type": "account", "secret": "s"}).type == "account"
