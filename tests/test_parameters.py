"""Parameters as OpenAPI's `style` and `explode` say, against Prism (which parses and validates
them): path lists (simple, label), query lists joined by commas, spaces and pipes, a deepObject
filter, headers, cookies, a path that carries its own query, and the spec's limits checked
before anything is sent."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import pytest

from tests.conftest import (
    ROOT,
    linters_test,
    package_fixture,
    prism_server,
    sdk_fixture,
)

SPEC = ROOT / "tests" / "specs" / "parameters.yaml"
EVERYTHING = {
    "fields": ["name", "family"],
    "colors": ["red", "blue"],
    "sizes": ["s", "m"],
    "filter": {"family": "mint", "hardy": True},
    "limit": 5,
    "sort": "name",
    "code": "ABC",
    "x_trace_tag": "t1",
    "session": "abc",
}


sdk = sdk_fixture(SPEC)


seeds = package_fixture("seed_bank")


test_the_sdk_passes = linters_test("seed_bank")


def test_each_style_is_encoded_as_the_spec_says(seeds: Any) -> None:
    build = seeds.request_builders
    request = build.get_seeds([1, 2, 3], **EVERYTHING)
    assert request.url.path == "/seeds/1,2,3"
    assert unquote(request.url.query.decode()).split("&") == [
        "fields=name,family",
        "colors=red+blue",
        "sizes=s|m",
        "filter[family]=mint",
        "filter[hardy]=true",
        "limit=5",
        "sort=name",
        "code=ABC",
    ]
    assert request.headers["x-trace-tag"] == "t1" and request.headers["cookie"] == "session=abc"
    assert build.get_seeds_by_label([1, 2]).url.path == "/seeds/label/.1,2"
    assert str(build.get_full_catalogue(page=2).url).endswith("/catalogue?view=full&page=2")


def test_prism_accepts_the_styles_it_reads(seeds: Any) -> None:
    """Prism parses form lists, pipes, deepObject, headers, cookies and limits; it cannot read a
    list in a path (it crashes), spaceDelimited lists or a path with its own query (no route)."""
    readable = {k: v for k, v in EVERYTHING.items() if k != "colors"}
    with prism_server(SPEC) as url, seeds.SeedBank(base_url=url, strict_response_validation=True) as client:
        assert client.get_seeds([1], **readable)[0].name == "Basil"


def test_what_prism_cannot_read_arrives_intact(seeds: Any, stream_server: str) -> None:
    """The rest, at a local server that echoes the raw path, query and headers it received."""
    with seeds.SeedBank(base_url=f"{stream_server}/echo") as client:
        seen = client.with_raw_response.get_seeds([1, 2, 3], **EVERYTHING).http_response.json()
        label = client.with_raw_response.get_seeds_by_label([1, 2]).http_response.json()
        page = client.with_raw_response.get_full_catalogue(page=2).http_response.json()
    assert seen["path"] == "/echo/seeds/1,2,3"
    assert "colors=red+blue" in seen["query"].split("&")
    assert seen["headers"]["x-trace-tag"] == "t1" and seen["headers"]["cookie"] == "session=abc"
    assert label["path"] == "/echo/seeds/label/.1,2"
    assert (page["path"], page["query"]) == ("/echo/catalogue", "view=full&page=2")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"limit": 99}, "limit: 99 is more than 50"),
        ({"limit": 0}, "limit: 0 is less than 1"),
        ({"sort": "size"}, "sort: 'size' is not one of"),
        ({"code": "abc"}, "code: 'abc' does not match"),
        ({"colors": ["pink"]}, "colors: 'pink' is not one of"),
        ({"x_trace_tag": "x" * 9}, "X-Trace-Tag: 9 characters"),
    ],
)
def test_limits_are_checked_before_sending(seeds: Any, arguments: dict[str, Any], message: str) -> None:
    with seeds.SeedBank(base_url="http://127.0.0.1:9") as client:  # nothing listens there
        with pytest.raises(seeds.RequestValidationError, match=message):
            client.get_seeds([1], **arguments)
    with pytest.raises(seeds.RequestValidationError, match="ids: 0 items"):
        seeds.request_builders.get_seeds([])
