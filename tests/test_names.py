"""Every valid spec generates: odd names become safe Python names that still reach the wire."""

from __future__ import annotations

import datetime
import sys
import typing
from pathlib import Path

import pytest

from tests.conftest import LINTERS, ROOT, assert_tool_passes, generate_sdk, importable, prism_server

SPEC = ROOT / "tests" / "specs" / "odd_names.yaml"


@pytest.fixture(scope="module")
def odd_sdk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sdk, _ = generate_sdk(SPEC, tmp_path_factory.mktemp("odd"))
    return sdk


@pytest.mark.parametrize("command", LINTERS, ids=lambda c: c[0])
def test_odd_names_pass_the_linters(odd_sdk: Path, command: list[str]) -> None:
    assert_tool_passes(odd_sdk, command, "odd_names")


def test_odd_names_work_on_the_wire(odd_sdk: Path) -> None:
    with importable(odd_sdk, "odd_names") as module, prism_server(SPEC) as url:
        models = module.models
        assert {"VerifyV2Service", "AlertLogJsonldGet", "AlertList"} <= set(dir(models)), "dotted keys"
        with module.OddNames(api_key="k", base_url=url, strict_response_validation=True) as client:
            assert isinstance(client.api_key, str), "the ApiKey tag does not hide the client's api_key"
            method = client.api_key_.createan_api_keyforaserviceaccount  # acronym-aware snake_case
            every_model = {name: getattr(models, name) for name in models.__all__}  # imported on use
            resource = sys.modules[type(method.__self__).__module__]
            hints = typing.get_type_hints(method, vars(resource) | every_model)
            assert hints["return"] is models.AlertList, "an inline components/responses schema is a model"
            alerts = method("t_1")
            assert isinstance(alerts, models.AlertList)
            booking = client.other.create_booking(date=datetime.date(2024, 5, 6))  # a field called date
            assert isinstance(booking.date, datetime.date)
            service = client.other.close_(when="2024-05-06")  # `close` stays the client's own
            assert isinstance(service, models.VerifyV2Service)
            votes = client.other.get_votes()  # property names without a letter or digit
            assert (votes.plus_sign, votes.hyphen_minus, votes.empty) == (3, 1, "hi")
            assert votes.model_dump(by_alias=True) == {"+": 3, "-": 1, "": "hi"}
            client.close()
