"""Request bodies by media type, on the wire: multipart uploads (bytes, a file object, a path, a
`(filename, content, content_type)` tuple, several files), URL-encoded forms and raw bytes, each
field validated before sending. Against Prism, which validates the body it receives, and the local
server for a list of files (Prism does not read repeated file parts)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest

from tests.conftest import (
    ROOT,
    linters_test,
    package_fixture,
    prism_server,
    sdk_fixture,
)
from tests.wire.stream_server import multipart_parts

SPEC = ROOT / "tests" / "specs" / "uploads.yaml"


sdk = sdk_fixture(SPEC)


darkroom = package_fixture("darkroom")


@pytest.fixture(scope="module")
def prism() -> Iterator[str]:
    with prism_server(SPEC) as url:
        yield url


test_the_sdk_passes = linters_test("darkroom")


def _parts(request: Any) -> list[dict[str, object]]:
    return multipart_parts(request.headers["content-type"], request.read())


def test_a_multipart_body_has_a_part_per_field(darkroom: Any) -> None:
    request = darkroom.request_builders.upload_print(
        photo=("me.jpg", b"JPEG", "image/jpeg"),
        finish="matte",
        copies=2,
        tags=["a", "b"],
        crop={"width": 1},
        api_key="k",
    )
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    parts = [(p["name"], p["filename"], p["content_type"], p["size"]) for p in _parts(request)]
    assert parts == [
        ("photo", "me.jpg", "image/jpeg", 4),
        ("finish", None, None, 5),
        ("copies", None, None, 1),
        ("tags[]", None, None, 1),
        ("tags[]", None, None, 1),
        ("crop[width]", None, None, 1),
    ]


def test_uploads_in_every_file_shape_pass_prisms_validation(
    darkroom: Any, prism: str, tmp_path: Path
) -> None:
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8 a photo")
    with darkroom.Darkroom(api_key="k", base_url=prism) as client:
        shapes = [
            b"\xff\xd8",
            "text is sent as UTF-8",
            photo,
            photo.open("rb"),
            ("named.jpg", photo, "image/jpeg"),
        ]
        for shape in shapes:
            job = client.upload_print(
                photo=shape, finish="glossy", copies=3, tags=["x"], crop={"width": 2, "height": 3}
            )
            assert job.id == "job_1", shape


def test_several_files_arrive_whole(darkroom: Any, tmp_path: Path, stream_server: str) -> None:
    picture = tmp_path / "b.png"
    picture.write_bytes(b"\x89PNG" * 1000)
    with darkroom.Darkroom(api_key="parrot-key", base_url=stream_server) as client:
        job = client.upload_album(photos=[b"first", picture, ("c.gif", b"GIF89a", "image/gif")], title="trip")
    assert job.files == 3
    parts = job.model_extra["parts"]
    assert [(p["name"], p["filename"], p["content_type"]) for p in parts] == [
        ("photos[]", "upload", "application/octet-stream"),
        ("photos[]", "b.png", "image/png"),
        ("photos[]", "c.gif", "image/gif"),
        ("title", None, None),
    ]
    assert parts[1]["sha256"] == hashlib.sha256(picture.read_bytes()).hexdigest()


def test_a_url_encoded_form_and_raw_bytes(darkroom: Any, prism: str, tmp_path: Path) -> None:
    build = darkroom.request_builders
    order = build.place_order(name="Ada", quantity=3, rush=True, api_key="k")
    assert order.headers["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qsl(order.read().decode()) == [("name", "Ada"), ("quantity", "3"), ("rush", "true")]
    negative = tmp_path / "n.raw"
    negative.write_bytes(bytes(range(256)))
    raw = build.store_negative(content=negative, api_key="k")
    assert raw.headers["content-type"] == "application/octet-stream" and raw.read() == bytes(range(256))
    with darkroom.Darkroom(api_key="k", base_url=prism) as client:
        assert client.place_order(name="Ada", quantity=3, rush=True).id == "job_3"
        assert client.store_negative(content=negative) is None
        assert client.store_negative(content=b"\x00\x01") is None


def test_fields_are_checked_before_sending(darkroom: Any) -> None:
    with darkroom.Darkroom(api_key="k", base_url="http://127.0.0.1:9") as client:  # nothing listens
        with pytest.raises(darkroom.RequestValidationError, match="finish: Input should be one of"):
            client.upload_print(photo=b"x", finish="shiny")  # type: ignore[arg-type]
        with pytest.raises(
            darkroom.RequestValidationError, match="copies: Input should be less than or equal to 50"
        ):
            client.upload_print(photo=b"x", finish="matte", copies=99)
        with pytest.raises(darkroom.RequestValidationError, match="photo: Field required"):
            client.upload_print(finish="matte")
        with pytest.raises(darkroom.RequestValidationError, match="quantity"):
            client.place_order(name="Ada", quantity=0)
