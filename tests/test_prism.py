"""The three styles against a real server: Prism serving spec/, validating every request."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from typing import Any

import httpx
import pytest

from tests.conftest import GENERATED

KEY = "sk-test-prism-0123456789"


def test_sync_client_creates_a_session(sdk: Any, prism: str) -> None:
    with sdk.OpenAIRealtime(api_key=KEY, base_url=prism) as client:
        session = client.create_realtime_session(model="gpt-realtime", voice="alloy", turn_detection=None)
    assert isinstance(session, sdk.RealtimeSessionCreateResponse)
    assert session.object == "realtime.session"
    assert session.client_secret.value.startswith("ek_")
    assert session.client_secret.expires_at > 0


async def test_async_client_creates_a_session(sdk: Any, prism: str) -> None:
    async with sdk.AsyncOpenAIRealtime(api_key=KEY, base_url=prism) as client:
        session = await client.create_realtime_session(
            instructions="Be brief.", modalities=["text"], temperature=0.6, max_response_output_tokens="inf"
        )
    assert session.id.startswith("sess_")
    assert session.client_secret.value.startswith("ek_")


def test_request_builder_sent_with_plain_httpx(sdk: Any, prism: str) -> None:
    request = sdk.request_builders.create_realtime_session(
        model="gpt-realtime", speed=1.25, tool_choice="auto", base_url=prism, api_key=KEY
    )
    assert isinstance(request, httpx.Request)
    with httpx.Client() as http:
        response = http.send(request)
    assert response.status_code == 200, response.text
    session = sdk.RealtimeSessionCreateResponse.model_validate(response.json())
    assert session.client_secret.value.startswith("ek_")


def test_body_model_and_raw_response(sdk: Any, prism: str) -> None:
    body = sdk.RealtimeSessionCreateRequest(model="gpt-realtime", tracing="auto")
    with sdk.OpenAIRealtime(api_key=KEY, base_url=prism) as client:
        raw = client.with_raw_response.create_realtime_session(body=body, voice="verse")
    assert raw.status_code == 200
    assert raw.headers["content-type"].startswith("application/json")
    assert raw.parse().client_secret.value.startswith("ek_")


def test_a_request_prism_rejects_is_a_bad_request_error(sdk: Any, prism: str) -> None:
    with sdk.OpenAIRealtime(api_key=KEY, base_url=prism, max_retries=0) as client:
        with pytest.raises(sdk.BadRequestError) as caught:
            client.create_realtime_session(extra_body={"temperature": 2.0})  # past the SDK's own check
    error = caught.value
    assert error.status_code == 400
    assert error.code == "decimal_above_max_value"
    assert isinstance(error.body, dict) and error.body["error"]["param"] == "temperature"


def test_a_request_the_sdk_rejects_never_leaves(sdk: Any, prism: str) -> None:
    sent: list[httpx.Request] = []
    http = httpx.Client(event_hooks={"request": [sent.append]})
    with sdk.OpenAIRealtime(api_key=KEY, base_url=prism, http_client=http) as client:
        with pytest.raises(sdk.RequestValidationError, match="temperature"):
            client.create_realtime_session(temperature=2.0)
    assert sent == []


def test_missing_credentials_are_an_authentication_error(sdk: Any, prism: str, caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    with sdk.OpenAIRealtime(api_key=KEY, base_url=prism) as client:
        with pytest.raises(sdk.AuthenticationError) as caught:
            client.create_realtime_session(extra_headers={"Authorization": None})
        client.create_realtime_session()  # a successful call, logged at DEBUG too
    assert caught.value.status_code == 401
    assert KEY not in str(caught.value) and KEY not in repr(caught.value)
    assert caplog.records, "DEBUG logging was captured"
    assert KEY not in caplog.text


def _snippets(markdown: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```$", markdown, flags=re.DOTALL | re.MULTILINE)


SDK_README = GENERATED / "README.md"


def test_the_readme_shows_three_styles() -> None:
    snippets = _snippets(SDK_README.read_text())
    assert len(snippets) == 3
    assert "OpenAIRealtime()" in snippets[0]
    assert "AsyncOpenAIRealtime()" in snippets[1]
    assert "request_builders.create_realtime_session(" in snippets[2]


@pytest.mark.parametrize("index", range(3), ids=["sync", "async", "request-builder"])
def test_readme_snippet_runs_unchanged(prism: str, index: int) -> None:
    snippet = _snippets(SDK_README.read_text())[index]
    env = {**os.environ, "OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": prism, "PYTHONPATH": str(GENERATED)}
    result = subprocess.run(
        [sys.executable, "-c", snippet], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert ("client_secret" in result.stdout) or ("200" in result.stdout), result.stdout
    assert KEY not in result.stdout + result.stderr
