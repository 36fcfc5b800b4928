"""Request bodies whose root is a union, an array or optional: passed whole as `body=`, typed with
the spec's union, validated before sending, and left out when not given."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import (
    ROOT,
    generate_sdk,
    importable,
    linters_test,
    models_text,
    prism_server,
    sdk_fixture,
)

SPEC = ROOT / "tests" / "specs" / "union_bodies.yaml"


sdk = sdk_fixture(SPEC)


def test_an_untyped_body_is_any_json_and_a_fieldless_form_is_raw_content(tmp_path: Path) -> None:
    folder, stderr = generate_sdk(SPEC, tmp_path)
    client = (folder / "union_bodies" / "_client.py").read_text()
    assert "body: object,\n" in client and "content: FileContent,\n" in client
    where = "union_bodies.yaml:90:13: #/paths/~1scribble/post/requestBody/content/multipart~1form-data"
    assert f"{where}: warning: a multipart/form-data body without properties" in stderr
    with importable(folder, "union_bodies") as module, prism_server(SPEC) as url:
        with module.UnionBodies(base_url=url) as api:
            assert api.send_anything(body={"any": ["json", 1]}) is None


test_the_sdk_passes = linters_test("union_bodies")


def test_the_body_argument_carries_the_spec_type(sdk: Path) -> None:
    client = (sdk / "union_bodies" / "_client.py").read_text()
    assert "body: Shape,\n" in client
    assert "body: PostNotesRequest,\n" in client
    assert 'body: list[Literal["red", "green", "blue"]],\n' in client
    assert "body: Shape | NotGiven = NOT_GIVEN,\n" in client
    models = models_text(sdk / "union_bodies")
    assert 'PostNotesRequest = TypeAliasType("PostNotesRequest", Note | list[Note])' in models


def _sent(request: Any) -> Any:
    return json.loads(request.content) if request.content else None


def test_union_bodies_go_on_the_wire(sdk: Path) -> None:
    with importable(sdk, "union_bodies") as module, prism_server(SPEC) as url:
        models = module.models
        builders = module.request_builders
        assert _sent(builders.draw_shape(body=models.Circle(kind="circle", radius=1.5))) == {
            "kind": "circle",
            "radius": 1.5,
        }
        assert _sent(builders.post_notes(body=[models.Note(text="a"), models.Note(text="b")])) == [
            {"text": "a"},
            {"text": "b"},
        ]
        assert _sent(builders.clear_canvas()) is None, "an optional body left out is not sent"
        with module.UnionBodies(base_url=url) as client:
            shape = client.draw_shape(body=models.Square(kind="square", side=2))
            assert isinstance(shape, models.Square) and shape.side == 2
            receipts = client.post_notes(body=models.Note(text="one note"))
            assert [r.accepted for r in receipts] == [2]
            assert client.replace_labels(body=["red", "blue"]) is None
            assert client.clear_canvas() is None
            assert client.clear_canvas(body={"kind": "circle", "radius": 3}) is None
            with pytest.raises(module.RequestValidationError, match="radius"):
                client.draw_shape(body=models.Circle.model_construct(kind="circle", radius=-1))
            with pytest.raises(module.RequestValidationError, match="text"):
                client.post_notes(body=[models.Note.model_construct(text="x" * 21)])
            with pytest.raises(module.RequestValidationError, match="red"):
                client.replace_labels(body=["purple"])  # type: ignore[list-item]
            with pytest.raises(module.RequestValidationError, match="extra_body"):
                client.replace_labels(body=["red"], extra_body={"more": 1})


async def test_the_async_client_sends_them_too(sdk: Path) -> None:
    with importable(sdk, "union_bodies") as module, prism_server(SPEC) as url:
        async with module.AsyncUnionBodies(base_url=url) as client:
            shape = await client.draw_shape(body={"kind": "square", "side": 2})
            assert isinstance(shape, module.models.Square)
