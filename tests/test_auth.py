"""Every security scheme on the wire, against Prism (which enforces security): bearer, basic, an
API key in a header, a query or a cookie, OAuth2 as a bearer token; requirements taken alone,
together, as alternatives, optionally, or not at all; one argument and environment variable each."""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ROOT, importable, linters_test, prism_server, sdk_fixture

SPEC = ROOT / "tests" / "specs" / "auth.yaml"
ALL = {
    "api_key": "tok-bearer",
    "header_key": "hk-1",
    "query_key": "qk-1",
    "cookie_key": "ck-1",
    "basic": ("ada", "open-sesame"),
    "oauth": "tok-oauth",
}
ENV = (
    "VAULT_API_KEY",
    "VAULT_HEADER_KEY",
    "VAULT_QUERY_KEY",
    "VAULT_COOKIE_KEY",
    "VAULT_BASIC",
    "VAULT_OAUTH",
)


sdk = sdk_fixture(SPEC)


@pytest.fixture
def vault(sdk: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    with importable(sdk, "vault") as module:
        yield module


@pytest.fixture(scope="module")
def prism() -> Iterator[str]:
    with prism_server(SPEC) as url:
        yield url


test_the_sdk_passes = linters_test("vault")


def test_each_scheme_is_sent_where_the_spec_says(vault: Any) -> None:
    with vault.Vault(**ALL) as client:
        credentials = client.credentials
    build = vault.request_builders
    key = "tok-bearer"

    def sent(name: str) -> httpx.Request:
        request: httpx.Request = getattr(build, name)(api_key=key, credentials=credentials)
        return request

    assert sent("by_default").headers["authorization"] == "Bearer tok-bearer"
    assert sent("by_header").headers["x-vault-key"] == "hk-1"
    assert sent("by_query").url.params["vault_key"] == "qk-1"
    assert sent("by_cookie").headers["cookie"] == "vault_session=ck-1"
    basic = base64.b64encode(b"ada:open-sesame").decode()
    assert sent("by_password").headers["authorization"] == f"Basic {basic}"
    colon = build.by_password(credentials={"basic": "ada:pa:ss"})  # a password may hold a colon
    assert colon.headers["authorization"] == "Basic " + base64.b64encode(b"ada:pa:ss").decode()
    assert sent("by_token").headers["authorization"] == "Bearer tok-oauth"
    either = sent("by_either")
    assert (
        either.headers["x-vault-key"] == "hk-1" and "vault_key" not in either.url.params
    ), "the first that fits"
    both = sent("by_both")
    assert both.headers["x-vault-key"] == "hk-1" and both.url.params["vault_key"] == "qk-1"
    public = sent("open_door")
    assert "authorization" not in public.headers and not public.url.params, "security: [] sends nothing"


def test_every_operation_passes_prisms_security_check(vault: Any, prism: str) -> None:
    with vault.Vault(base_url=prism, **ALL) as client:
        calls = [name for name in dir(client) if not name.startswith("_") and callable(getattr(client, name))]
        operations = [n for n in calls if n.startswith(("by_", "open_", "maybe_"))]
        assert len(operations) == 10
        for name in operations:
            assert getattr(client, name)().open is True, name


def test_prism_refuses_what_the_sdk_would_not_send(vault: Any, prism: str) -> None:
    """The check above means something: without the credential Prism answers 401."""
    for path in ("header", "query", "cookie", "basic", "oauth", "both", "default"):
        assert httpx.get(f"{prism}/{path}").status_code == 401, path
    with pytest.raises(vault.MissingAPIKeyError, match="header_key="):
        vault.request_builders.by_header(base_url=prism)  # a builder does not build it either


def test_missing_credentials_are_named_before_anything_is_sent(vault: Any, prism: str) -> None:
    with vault.Vault(base_url=prism, header_key="hk-1") as client:
        assert client.open_door().open, "no credentials needed, none demanded"
        assert client.maybe_signed().open, "optional security without a credential"
        assert client.by_either().open, "one alternative is enough"
        with pytest.raises(vault.MissingAPIKeyError, match="query_key= .* VAULT_QUERY_KEY"):
            client.by_query()
        with pytest.raises(vault.MissingAPIKeyError, match="query_key="):
            client.by_both()
        with pytest.raises(vault.MissingAPIKeyError, match="api_key= .* VAULT_API_KEY"):
            client.by_default()


def test_each_credential_has_its_environment_variable(
    vault: Any, prism: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VAULT_QUERY_KEY", "qk-env")
    monkeypatch.setenv("VAULT_BASIC", "ada:from-env")
    with vault.Vault(base_url=prism) as client:
        assert client.by_query().open and client.by_password().open
        request = vault.request_builders.by_password(credentials=client.credentials)
        assert request.headers["authorization"] == "Basic " + base64.b64encode(b"ada:from-env").decode()


def test_secrets_stay_out_of_reprs(vault: Any) -> None:
    with vault.Vault(**ALL) as client:
        shown = repr(client) + repr(client.credentials) + repr(client.api_key)
    for secret in ("tok-bearer", "hk-1", "qk-1", "ck-1", "open-sesame", "tok-oauth"):
        assert secret not in shown


async def test_the_async_client_authenticates_the_same_way(vault: Any, prism: str) -> None:
    async with vault.AsyncVault(base_url=prism, **ALL) as client:
        assert (await client.by_both()).open and (await client.by_password()).open


def _env(prism: str) -> dict[str, str]:
    values = ["tok-bearer", "hk-1", "qk-1", "ck-1", "ada:open-sesame", "tok-oauth"]
    return {**os.environ, **dict(zip(ENV, values, strict=True)), "VAULT_BASE_URL": prism}


@pytest.mark.parametrize("fence", ["sh", "python"])
def test_the_documented_requests_authenticate(sdk: Path, prism: str, fence: str) -> None:
    """Each page's curl command and request-builder snippet send the operation's credentials."""
    pages = sorted((sdk / "docs" / "operations").glob("*.md"))
    assert len(pages) == 10
    for page in pages:
        blocks = re.findall(rf"```{fence}\n(.*?)```", page.read_text(), re.DOTALL)
        snippet = blocks[-1]  # python: the request builder, the last of the three
        command = ["bash", "-c", snippet] if fence == "sh" else [sys.executable, "-c", snippet]
        env = {**_env(prism), "PYTHONPATH": str(sdk)}
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)
        assert result.returncode == 0 and '"open":true' in result.stdout.replace(" ", ""), (
            page.name,
            snippet,
            result.stdout,
            result.stderr,
        )
