"""Uses the Python client that openapi-python-client generates from openapi.yaml.

Run by scripts/spec-tools.sh with the generated package on PYTHONPATH. Without
arguments it only imports the package and builds requests; with a base URL and a token
(of the standalone fake, `turso-platform-fake`) it runs a token lifecycle against it.
"""

import sys

from turso_platform_api import AuthenticatedClient
from turso_platform_api.api.api_tokens import (
    create_api_token,
    list_api_tokens,
    revoke_api_token,
    validate_api_token,
)
from turso_platform_api.api.database_tokens import (
    create_database_token,
    invalidate_database_tokens,
)
from turso_platform_api.api.user import get_current_user
from turso_platform_api.models import (
    ApiTokenList,
    Authorization,
    CreateApiTokenInput,
    CreatedApiToken,
    CurrentUser,
    DatabaseToken,
    Error,
    Scope,
    TokenValidation,
)


def expect(value, kind):
    assert isinstance(value, kind), f"expected {kind.__name__}, got {value!r}"
    return value


def offline():
    body = CreateApiTokenInput(organization="my-org", group="default", scopes=[Scope.DBMINT_TOKEN])
    assert body.to_dict() == {"organization": "my-org", "group": "default", "scopes": ["db:mint-token"]}
    assert {scope.value for scope in Scope} >= {"read", "db:create", "full-access"}
    assert Authorization("read-only") is Authorization.READ_ONLY
    print("python client: imports and builds requests")


def live(base_url, token):
    client = AuthenticatedClient(base_url=base_url, token=token, raise_on_unexpected_status=True)
    user = expect(get_current_user.sync(client=client), CurrentUser)
    assert user.user.username == "fake-user", user
    assert expect(validate_api_token.sync(client=client), TokenValidation).exp == -1

    created = expect(
        create_api_token.sync("python-check", client=client, body=CreateApiTokenInput(organization="fake-org")),
        CreatedApiToken,
    )
    names = [t.name for t in expect(list_api_tokens.sync(client=client), ApiTokenList).tokens]
    assert "python-check" in names, names
    duplicate = create_api_token.sync_detailed("python-check", client=client)
    assert duplicate.status_code == 409 and isinstance(duplicate.parsed, Error), duplicate

    jwt = expect(
        create_database_token.sync(
            "fake-org", "fake-db", client=client, expiration="1d", authorization=Authorization.READ_ONLY
        ),
        DatabaseToken,
    ).jwt
    assert jwt.count(".") == 2, "a JWT"
    missing = create_database_token.sync_detailed("fake-org", "no-such-db", client=client)
    assert missing.status_code == 404 and isinstance(missing.parsed, Error), missing
    bad = create_database_token.sync_detailed("fake-org", "fake-db", client=client, expiration="1y")
    assert bad.status_code == 400 and isinstance(bad.parsed, Error), bad

    assert invalidate_database_tokens.sync_detailed("fake-org", "fake-db", client=client).status_code == 200
    assert revoke_api_token.sync("python-check", client=client).token == "python-check"
    revoked = AuthenticatedClient(base_url=base_url, token=created.token)
    assert validate_api_token.sync_detailed(client=revoked).status_code == 401
    print("python client: token lifecycle against the fake passed")


if __name__ == "__main__":
    offline()
    if len(sys.argv) == 3:
        live(sys.argv[1], sys.argv[2])
