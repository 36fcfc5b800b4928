"""Pagination on the wire, against the local server's 11 plants in pages of 3 (4 pages): after
the last id while `has_more`, by a token, by a next URL, by a Link header, by offset, and as an
`x-fern-pagination` extension says. Each list method returns a page that is also an iterator
over every item of every page, sync and async."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import ROOT, linters_test, package_fixture, sdk_fixture
from tests.wire.stream_server import PLANTS

SPEC = ROOT / "tests" / "specs" / "pages.yaml"
METHODS = [
    "list_by_cursor",
    "list_by_token",
    "list_by_url",
    "list_by_link",
    "list_by_offset",
    "list_by_extension",
]
NAMES = [p["name"] for p in PLANTS]


sdk = sdk_fixture(SPEC)


herbarium = package_fixture("herbarium")


test_the_sdk_passes = linters_test("herbarium")


@pytest.mark.parametrize("method", METHODS)
def test_iterating_a_page_walks_every_page(herbarium: Any, stream_server: str, method: str) -> None:
    with herbarium.Herbarium(api_key="parrot-key", base_url=stream_server) as client:
        first = getattr(client, method)()
        assert isinstance(first, herbarium.SyncPage)
        assert [p.name for p in first.data] == NAMES[:3] and first.has_next_page()
        pages = list(first.iter_pages())
        assert [len(p.data) for p in pages] == [3, 3, 3, 2]
        assert not pages[-1].has_next_page()
        plants = list(first)
        assert all(isinstance(p, herbarium.models.Plant) for p in plants)
        assert [p.name for p in plants] == NAMES


def test_a_server_that_repeats_a_page_ends_the_iteration(herbarium: Any, stream_server: str) -> None:
    with herbarium.Herbarium(api_key="parrot-key", base_url=f"{stream_server}/stuck") as client:
        plants = [p.name for p in client.list_by_cursor(limit=3)]
    assert plants == NAMES[:3] * 2, "after=p02 is asked once; asking for it again would never end"


def test_with_raw_response_gives_the_response_and_the_page(herbarium: Any, stream_server: str) -> None:
    with herbarium.Herbarium(api_key="parrot-key", base_url=stream_server) as client:
        raw = client.with_raw_response.list_by_cursor(limit=3)
        assert raw.status_code == 200 and raw.http_response.request.url.params["limit"] == "3"
        page = raw.parse()
        assert isinstance(page, herbarium.SyncPage), "parse() gives the page, which pages on"
        assert [p.name for p in page] == NAMES


async def test_async_with_raw_response_too(herbarium: Any, stream_server: str) -> None:
    async with herbarium.AsyncHerbarium(api_key="parrot-key", base_url=stream_server) as client:
        raw = await client.with_raw_response.list_by_cursor(limit=3)
        assert raw.status_code == 200
        assert [p.name async for p in raw.parse()] == NAMES


def test_next_page_by_hand(herbarium: Any, stream_server: str) -> None:
    with herbarium.Herbarium(api_key="parrot-key", base_url=stream_server) as client:
        page = client.list_by_cursor(limit=3)
        second = page.next_page()
        assert [p.id for p in second.data] == ["p03", "p04", "p05"]
        assert second.http_response.request.url.params["after"] == "p02"
        assert second.http_response.request.url.params["limit"] == "3", "the other arguments stay"


@pytest.mark.parametrize("method", METHODS)
async def test_the_async_client_pages_too(herbarium: Any, stream_server: str, method: str) -> None:
    async with herbarium.AsyncHerbarium(api_key="parrot-key", base_url=stream_server) as client:
        first = await getattr(client, method)()
        assert isinstance(first, herbarium.AsyncPage)
        assert [p.name async for p in first] == NAMES
