"""Requests strict, responses forgiving: a server that drifted from its spec never fails a call,
unless the client asks for strict response validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT, generate_sdk, importable, models_text, mypy_output, prism_server

SPEC = ROOT / "tests" / "specs" / "drift.yaml"


@pytest.fixture(scope="module")
def drift(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    sdk, _ = generate_sdk(SPEC, tmp_path_factory.mktemp("drift"))
    return sdk, "drift"


def test_a_drifted_response_parses_and_keeps_what_the_server_sent(drift: tuple[Path, str]) -> None:
    sdk, package = drift
    with importable(sdk, package) as module, prism_server(SPEC) as url:
        with module.Drift(api_key="k", base_url=url) as client:
            plant = client.get_plant("pl_1")
            assert isinstance(plant, module.models.Plant)
            assert plant.id == "x-1", "a broken pattern is not enforced"
            assert plant.status == "wilting", "an unknown enum value is kept"
            assert plant.height_cm == 12.5, "a broken maximum is not enforced"
            assert plant.model_extra == {"soil": "loam"}, "an unknown field is kept"
            first, second = plant.stages
            assert (first.name, first.days) == ("seed", 3), "a valid item is typed"
            assert (second.name, second.days) == ("sprout", "many"), "one bad field loses nothing else"
            raw = client.with_raw_response.get_plant("pl_1")
            assert raw.parse().status == "wilting"

        with module.Drift(api_key="k", base_url=url, strict_response_validation=True) as strict:
            with pytest.raises(module.APIResponseValidationError) as caught:
                strict.get_plant("pl_1")
            assert "status" in str(caught.value) and "id" in str(caught.value)
            with pytest.raises(module.APIResponseValidationError):
                strict.with_raw_response.get_plant("pl_1").parse()


async def test_the_async_client_is_as_forgiving(drift: tuple[Path, str]) -> None:
    sdk, package = drift
    with importable(sdk, package) as module, prism_server(SPEC) as url:
        async with module.AsyncDrift(api_key="k", base_url=url) as client:
            plant = await client.get_plant("pl_1")
            assert plant.status == "wilting" and plant.model_extra == {"soil": "loam"}
        async with module.AsyncDrift(api_key="k", base_url=url, strict_response_validation=True) as strict:
            with pytest.raises(module.APIResponseValidationError):
                await strict.get_plant("pl_1")


def test_the_accept_header_names_the_media_types_the_spec_declares(drift: tuple[Path, str]) -> None:
    sdk, package = drift
    with importable(sdk, package) as module, prism_server(SPEC) as url:
        request = module.request_builders.list_plants(api_key="k")
        assert request.headers["accept"] == "application/vnd.drift.plants+json"
        with module.Drift(api_key="k", base_url=url, strict_response_validation=True) as client:
            (plant,) = client.list_plants()  # Prism answers 406 to `Accept: application/json`
            assert plant.id == "pl_1"


FORMATS = ROOT / "tests" / "specs" / "formats.yaml"


def test_formats_keep_what_the_server_sent(tmp_path: Path) -> None:
    sdk, _ = generate_sdk(FORMATS, tmp_path)
    assert "email_validator" not in models_text(sdk / "formats")
    with importable(sdk, "formats") as module, prism_server(FORMATS) as url:
        with module.Formats(api_key="k", base_url=url, strict_response_validation=True) as client:
            contact = client.create_contact(email="ada@example.com", homepage="https://example.com")
    assert contact.email == "ada@example.com"  # no email-validator needed
    assert contact.homepage == "https://example.com", "no trailing slash added"
    assert contact.avatar == "aGVsbG8=", "base64 is kept as text, not decoded"
    assert contact.seen_at == 1700000000.25, "a unixtime number keeps its fraction"
    dumped = contact.model_dump(mode="json", exclude_none=True)
    assert dumped == {
        "email": "ada@example.com",
        "homepage": "https://example.com",
        "avatar": "aGVsbG8=",
        "seen_at": 1700000000.25,
    }


def test_string_enums_are_open_in_responses_and_closed_in_requests(drift: tuple[Path, str]) -> None:
    sdk, package = drift
    models = models_text(sdk / package)
    assert 'status: OpenEnum[Literal["growing", "harvested"]]' in models
    with importable(sdk, package) as module, prism_server(SPEC) as url:
        with module.Drift(api_key="k", base_url=url) as client:
            plant = client.create_plant(id="pl_2", status="growing")
            assert plant.status == "dormant", "a new value parses as a valid model, not a fallback"
            assert plant.model_fields_set == {"id", "status"}
            with pytest.raises(module.RequestValidationError, match="growing"):
                client.create_plant(id="pl_2", status="dormant")  # type: ignore[arg-type]
            with pytest.raises(module.RequestValidationError):
                client.create_plant(body=module.models.Plant(id="pl_2", status="dormant"))
        with module.Drift(api_key="k", base_url=url, strict_response_validation=True) as strict:
            with pytest.raises(module.APIResponseValidationError, match="status"):
                strict.create_plant(id="pl_2", status="harvested")


def test_user_code_may_compare_an_open_enum_with_a_new_value(drift: tuple[Path, str]) -> None:
    """Under `mypy --strict` a closed Literal makes `status == "dormant"` a non-overlapping check,
    and a request argument still takes only the listed values."""
    sdk, package = drift
    output = mypy_output(
        sdk,
        "use_enums.py",
        f"from {package} import Drift\n\n"
        "def dormant(client: Drift) -> bool:\n"
        '    return client.get_plant("pl_1").status == "dormant"\n\n'
        "def wrong(client: Drift) -> None:\n"
        '    client.create_plant(id="pl_2", status="dormant")\n',
    )
    errors = [line for line in output.splitlines() if ": error:" in line]
    assert len(errors) == 1 and "use_enums.py:7:" in errors[0] and "status" in errors[0], output
