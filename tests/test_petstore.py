"""A second spec with what ours lacks: several tags, path, query and header parameters, an inline
body, a list response, a 204, and names that clash with keywords and with the methods' own options."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import LINTERS, ROOT, assert_tool_passes, generate_sdk, importable

SPEC = ROOT / "tests" / "specs" / "petstore.yaml"
BIN = ROOT / ".venv" / "bin"
PET = {"id": "p1", "name": "Rex", "type": "dog"}


@pytest.fixture(scope="module")
def sdk_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_sdk(SPEC, tmp_path_factory.mktemp("petstore"))[0]


@pytest.fixture(scope="module")
def pets(sdk_dir: Path) -> Iterator[Any]:
    with importable(sdk_dir, "pet_store") as module:
        yield module


def handler(requests: list[httpx.Request]) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        if request.method == "DELETE":
            return httpx.Response(204)
        if request.url.path.endswith("/missing"):
            return httpx.Response(404, json={"error": {"message": "no pet"}})
        if request.url.path == "/api/pets":
            return httpx.Response(200, json=[PET, PET])
        if request.method == "POST":
            return httpx.Response(201, json={"id": 7, "pet_id": "p1", "note": None})
        return httpx.Response(200, json=PET)

    return httpx.MockTransport(answer)


@pytest.mark.parametrize("command", LINTERS, ids=lambda c: c[0])
def test_generated_code_passes(sdk_dir: Path, command: list[str]) -> None:
    assert_tool_passes(sdk_dir, command, "pet_store")


def test_tags_become_resources_and_parameters_reach_the_wire(pets: Any) -> None:
    sent: list[httpx.Request] = []
    client = pets.PetStore(api_key="k", http_client=httpx.Client(transport=handler(sent)))
    listed = client.pets.list_pets(limit=2, from_="2024", tags=["a", "b"], type="dog")
    assert [p.name for p in listed] == ["Rex", "Rex"]
    assert sent[0].url.params.multi_items() == [
        ("limit", "2"),
        ("type", "dog"),
        ("from", "2024"),
        ("tags", "a"),
        ("tags", "b"),
    ]
    assert client.pets.get_pet("a/b").name == "Rex"
    assert sent[1].url.raw_path == b"/api/pets/a%2Fb"
    assert client.pets.delete_pet("p1") is None
    order = client.store.place_order(3, pet_id="p1", timeout_=2.5, idempotency_key="once", note=None)
    assert order.id == 7
    assert sent[3].url.path == "/api/stores/3/orders"
    assert sent[3].headers["idempotency-key"] == "once"
    assert json.loads(sent[3].content) == {"pet_id": "p1", "timeout": 2.5, "note": None}
    with pytest.raises(pets.NotFoundError):
        client.pets.get_pet("missing")


def test_raw_responses_per_resource(pets: Any) -> None:
    sent: list[httpx.Request] = []
    client = pets.PetStore(api_key="k", http_client=httpx.Client(transport=handler(sent)))
    raw = client.with_raw_response.pets.get_pet("p1")
    assert raw.status_code == 200 and raw.parse().id == "p1"
    assert client.pets.get_pet("p1").id == "p1", "the client itself stays in parsed mode"


async def test_async_resources(pets: Any) -> None:
    sent: list[httpx.Request] = []
    async with pets.AsyncPetStore(api_key="k", http_client=httpx.AsyncClient(transport=handler(sent))) as c:
        assert (await c.pets.get_pet("p1")).name == "Rex"
        assert (await c.store.place_order(1, pet_id="p1")).pet_id == "p1"


def test_names_come_from_the_title_outside_a_project(pets: Any) -> None:
    assert pets.PetStore.api_key_env == "PET_STORE_API_KEY"
    assert pets.PetStore.default_base_url == "https://pets.example.com/api"
    assert hasattr(pets.models, "PlaceOrderRequest"), "an inline request body becomes a named model"
