"""The runtime over httpx.MockTransport: retries and their delays, error mapping, secrets, options."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest

KEY = "sk-runtime-test-9876543210"
SESSION = {
    "id": "sess_1",
    "object": "realtime.session",
    "client_secret": {"value": "ek_secret_1", "expires_at": 1},
}
ERROR = {"error": {"message": "nope", "type": "invalid_request_error", "param": "model", "code": "bad_model"}}

Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    """A MockTransport handler that answers from a script and records every request."""

    def __init__(self, *responses: httpx.Response | Exception) -> None:
        self.script = list(responses)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


@pytest.fixture
def sleeps(sdk: Any, monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Delays the clients asked for, instead of sleeping them."""
    recorded: list[float] = []

    async def async_sleep(seconds: float) -> None:
        recorded.append(seconds)

    monkeypatch.setattr(sdk._runtime, "_sleep", recorded.append)
    monkeypatch.setattr(sdk._runtime, "_async_sleep", async_sleep)
    return recorded


def client(sdk: Any, recorder: Recorder, **options: Any) -> Any:
    return sdk.OpenAIRealtime(
        api_key=KEY, http_client=httpx.Client(transport=httpx.MockTransport(recorder)), **options
    )


def ok() -> httpx.Response:
    return httpx.Response(200, json=SESSION, headers={"x-request-id": "req_ok"})


def failing(status: int, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=ERROR, headers={"x-request-id": f"req_{status}", **headers})


# --- retries -------------------------------------------------------------------------------------


def test_429_with_retry_after_then_success(sdk: Any, sleeps: list[float]) -> None:
    recorder = Recorder(failing(429, **{"retry-after": "3"}), ok())
    session = client(sdk, recorder).create_realtime_session()
    assert session.id == "sess_1"
    assert len(recorder.requests) == 2
    assert sleeps == [3.0]


def test_retry_after_ms_wins_and_an_absurd_retry_after_is_ignored(sdk: Any, sleeps: list[float]) -> None:
    recorder = Recorder(
        failing(503, **{"retry-after-ms": "250"}), failing(503, **{"retry-after": "3600"}), ok()
    )
    client(sdk, recorder).create_realtime_session()
    assert sleeps[0] == 0.25
    assert 0.75 <= sleeps[1] <= 1.0, "past the bound, exponential backoff takes over"


def test_500_until_retries_run_out(sdk: Any, sleeps: list[float]) -> None:
    recorder = Recorder(failing(500))
    with pytest.raises(sdk.InternalServerError) as caught:
        client(sdk, recorder, max_retries=3).create_realtime_session()
    assert len(recorder.requests) == 4
    assert caught.value.status_code == 500
    for attempt, delay in enumerate(sleeps, start=1):
        ceiling = min(0.5 * 2 ** (attempt - 1), 8.0)
        assert 0.75 * ceiling <= delay <= ceiling, (attempt, delay)
    assert len(sleeps) == 3


def test_backoff_is_capped_at_eight_seconds(sdk: Any) -> None:
    delays = [sdk._runtime.retry_delay(attempt, None) for attempt in range(1, 12)]
    assert max(delays) <= 8.0
    assert min(delays[5:]) >= 6.0


def test_per_call_max_retries(sdk: Any, sleeps: list[float]) -> None:
    recorder = Recorder(failing(502))
    with pytest.raises(sdk.InternalServerError):
        client(sdk, recorder, max_retries=5).create_realtime_session(max_retries=0)
    assert len(recorder.requests) == 1 and sleeps == []


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_no_retry_on_client_errors(sdk: Any, sleeps: list[float], status: int) -> None:
    recorder = Recorder(failing(status))
    with pytest.raises(sdk.APIStatusError):
        client(sdk, recorder).create_realtime_session()
    assert len(recorder.requests) == 1 and sleeps == []


@pytest.mark.parametrize("status", [408, 409])
def test_retry_on_408_and_409(sdk: Any, sleeps: list[float], status: int) -> None:
    recorder = Recorder(failing(status), ok())
    client(sdk, recorder).create_realtime_session()
    assert len(recorder.requests) == 2


def test_x_should_retry_overrides_the_status(sdk: Any, sleeps: list[float]) -> None:
    recorder = Recorder(failing(500, **{"x-should-retry": "false"}))
    with pytest.raises(sdk.InternalServerError):
        client(sdk, recorder).create_realtime_session()
    assert len(recorder.requests) == 1


def test_timeout_raises_api_timeout_error_after_retries(sdk: Any, sleeps: list[float]) -> None:
    recorder = Recorder(httpx.ReadTimeout("slow"))
    with pytest.raises(sdk.APITimeoutError) as caught:
        client(sdk, recorder, max_retries=1).create_realtime_session()
    assert isinstance(caught.value, sdk.APIConnectionError)
    assert len(recorder.requests) == 2 and len(sleeps) == 1


def test_connection_error_then_success(sdk: Any, sleeps: list[float]) -> None:
    recorder = Recorder(httpx.ConnectError("refused"), ok())
    assert client(sdk, recorder).create_realtime_session().id == "sess_1"
    assert len(recorder.requests) == 2


async def test_async_client_retries_the_same_way(sdk: Any, sleeps: list[float]) -> None:
    recorder = Recorder(failing(429, **{"retry-after": "1.5"}), failing(500), ok())
    transport = httpx.MockTransport(recorder)
    async with sdk.AsyncOpenAIRealtime(api_key=KEY, http_client=httpx.AsyncClient(transport=transport)) as c:
        session = await c.create_realtime_session()
    assert session.client_secret.value == "ek_secret_1"
    assert sleeps[0] == 1.5 and len(sleeps) == 2


# --- errors --------------------------------------------------------------------------------------

STATUS_CLASSES = {
    400: "BadRequestError",
    401: "AuthenticationError",
    403: "PermissionDeniedError",
    404: "NotFoundError",
    409: "ConflictError",
    422: "UnprocessableEntityError",
    429: "RateLimitError",
    500: "InternalServerError",
    503: "InternalServerError",
}


@pytest.mark.parametrize(("status", "name"), STATUS_CLASSES.items())
def test_each_status_maps_to_its_error(sdk: Any, sleeps: list[float], status: int, name: str) -> None:
    with pytest.raises(getattr(sdk, name)) as caught:
        client(sdk, Recorder(failing(status)), max_retries=0).create_realtime_session()
    error = caught.value
    assert type(error).__name__ == name
    assert isinstance(error, sdk.APIStatusError) and isinstance(error, sdk.APIError)
    assert error.status_code == status
    assert error.body == ERROR
    assert error.request_id == f"req_{status}"
    assert error.code == "bad_model" and error.param == "model"
    assert "nope" in str(error)


def test_a_response_that_breaks_the_spec_is_kept_unless_strict(sdk: Any) -> None:
    drifted = {"id": "sess_1", "object": "realtime.session.v2", "expires_at": 1.5, "new": [1]}
    session = client(sdk, Recorder(httpx.Response(200, json=drifted))).create_realtime_session()
    assert isinstance(session, sdk.models.RealtimeSessionCreateResponse)
    assert (session.id, session.object, session.expires_at) == ("sess_1", "realtime.session.v2", 1.5)
    assert session.model_extra == {"new": [1]}
    strict = client(sdk, Recorder(httpx.Response(200, json=drifted)), strict_response_validation=True)
    with pytest.raises(sdk.APIResponseValidationError) as caught:
        strict.create_realtime_session()
    assert caught.value.status_code == 200 and "client_secret" in str(caught.value)


# --- secrets -------------------------------------------------------------------------------------


def test_api_key_never_shows(sdk: Any, sleeps: list[float], caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    c = client(sdk, Recorder(failing(401)), max_retries=0)
    assert KEY not in repr(c) and KEY not in str(c)
    assert KEY not in repr(vars(c))
    with pytest.raises(sdk.AuthenticationError) as caught:
        c.create_realtime_session()
    assert KEY not in str(caught.value) and KEY not in repr(caught.value)
    assert KEY not in caplog.text and caplog.records
    assert c.api_key == KEY, "the key is still usable"


def test_client_secret_is_masked_yet_readable(sdk: Any) -> None:
    session = client(sdk, Recorder(ok())).create_realtime_session()
    for text in (repr(session), str(session), repr(session.client_secret), str(session.client_secret)):
        assert "ek_secret_1" not in text
        assert "**********" in text
    assert session.client_secret.value == "ek_secret_1"
    assert json.loads(session.model_dump_json())["client_secret"]["value"] == "ek_secret_1"


# --- options -------------------------------------------------------------------------------------


def test_arguments_not_given_are_not_sent_and_none_only_where_nullable(sdk: Any) -> None:
    recorder = Recorder(ok())
    c = client(sdk, recorder)
    c.create_realtime_session(model="gpt-realtime", turn_detection=None, input_audio_transcription=None)
    assert json.loads(recorder.requests[0].content) == {
        "model": "gpt-realtime",
        "turn_detection": None,
        "input_audio_transcription": None,
    }
    with pytest.raises(sdk.RequestValidationError, match="voice may not be None"):
        c.create_realtime_session(voice=None)
    assert len(recorder.requests) == 1


def test_extra_headers_query_body_and_timeout(sdk: Any) -> None:
    recorder = Recorder(ok())
    c = client(sdk, recorder, default_headers={"X-Team": "a"}, timeout=20.0)
    c.create_realtime_session(
        model="m",
        extra_headers={"X-Trace": "t1"},
        extra_query={"debug": True},
        extra_body={"beta_flag": 1},
        timeout=3.5,
    )
    request = recorder.requests[0]
    assert request.headers["x-team"] == "a" and request.headers["x-trace"] == "t1"
    assert request.url.params["debug"] == "true"
    assert json.loads(request.content) == {"model": "m", "beta_flag": 1}
    assert request.extensions["timeout"]["read"] == 3.5
    c.create_realtime_session()
    assert recorder.requests[1].extensions["timeout"]["read"] == 20.0
    assert recorder.requests[1].headers["authorization"] == f"Bearer {KEY}"


def test_body_model_merges_with_keyword_arguments(sdk: Any) -> None:
    recorder = Recorder(ok())
    body = sdk.RealtimeSessionCreateRequest(model="gpt-realtime", speed=1.2)
    client(sdk, recorder).create_realtime_session(body=body, speed=0.5)
    assert json.loads(recorder.requests[0].content) == {"model": "gpt-realtime", "speed": 0.5}


def test_raw_response(sdk: Any) -> None:
    raw = client(sdk, Recorder(ok())).with_raw_response.create_realtime_session()
    assert raw.status_code == 200 and raw.request_id == "req_ok"
    assert raw.headers["x-request-id"] == "req_ok"
    assert raw.parse().id == "sess_1"


def test_settings_from_the_environment(sdk: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://localhost:9/v9")
    c = sdk.OpenAIRealtime()
    assert c.api_key == "sk-from-env" and c.base_url == "http://localhost:9/v9"
    assert sdk.OpenAIRealtime(base_url="http://x").base_url == "http://x"
    monkeypatch.delenv("OPENAI_BASE_URL")
    assert sdk.OpenAIRealtime().base_url == "https://api.openai.com/v1"
    monkeypatch.delenv("OPENAI_API_KEY")
    with pytest.raises(sdk.MissingAPIKeyError, match="OPENAI_API_KEY"):
        sdk.OpenAIRealtime()


async def test_clients_close_what_they_own(sdk: Any) -> None:
    with sdk.OpenAIRealtime(api_key=KEY) as own:
        pass
    assert own._http.is_closed
    injected = httpx.Client()
    with sdk.OpenAIRealtime(api_key=KEY, http_client=injected):
        pass
    assert not injected.is_closed, "an injected client belongs to the caller"
    injected.close()
    async with sdk.AsyncOpenAIRealtime(api_key=KEY) as own_async:
        pass
    assert own_async._http.is_closed


def test_path_parameters_are_quoted(sdk: Any) -> None:
    request = sdk._runtime.build_request(
        "GET", "https://h/v1/", "/things/{thing_id}", path_params={"thing_id": "a/b c?"}, query={"n": 1}
    )
    assert str(request.url) == "https://h/v1/things/a%2Fb%20c%3F?n=1"
    assert "authorization" not in request.headers
