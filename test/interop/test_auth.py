"""With `--auth basic:alice:secret`, every call needs the bearer token that the Basic-auth
handshake returns; anything else is UNAUTHENTICATED and changes nothing."""

import pyarrow as pa
import pyarrow.flight as flight
import pytest

USER, PASSWORD = "alice", "secret"
BATCH = pa.record_batch([pa.array([1, 2, 3], pa.int64())], names=["x"])

CALLS = {
    "list_flights": lambda q: q.list(),
    "get_flight_info": lambda q: q.info("secret-table"),
    "get_schema": lambda q: q.schema("secret-table"),
    "do_get": lambda q: q.read_ticket(flight.Ticket(b"secret-ticket")),
    "do_put": lambda q: q.put("secret-table", [BATCH]),
    "do_action": lambda q: q.action("history", {"table": "secret-table"}),
    "list_actions": lambda q: list(q.client.list_actions(options=q.options())),
}


@pytest.fixture(scope="module")
def auth_server(launch_quiver):
    with launch_quiver("--auth", f"basic:{USER}:{PASSWORD}") as server:
        yield server


def helper(server, headers=()):
    if not server.alive():
        pytest.fail(f"the auth server exited with {server.proc.returncode}\n{server.log_tail()}")
    return server.helper(headers)


@pytest.fixture
def anonymous(auth_server):
    client = helper(auth_server)
    yield client
    client.close()


@pytest.fixture
def token(anonymous):
    return anonymous.client.authenticate_basic_token(USER, PASSWORD, options=anonymous.options())


@pytest.fixture
def alice(auth_server, token):
    client = helper(auth_server, [token])
    yield client
    client.close()


@pytest.fixture
def forger(auth_server):
    client = helper(auth_server, [(b"authorization", b"Bearer not-a-token-quiver-issued")])
    yield client
    client.close()


@pytest.mark.parametrize("call", CALLS)
def test_call_without_credentials_is_unauthenticated(anonymous, expect_status, call):
    with expect_status("UNAUTHENTICATED"):
        CALLS[call](anonymous)


@pytest.mark.parametrize("call", CALLS)
def test_call_with_a_made_up_token_is_unauthenticated(forger, expect_status, call):
    with expect_status("UNAUTHENTICATED"):
        CALLS[call](forger)


@pytest.mark.parametrize("user, password", [(USER, "wrong"), (USER, ""), ("mallory", PASSWORD), ("", "")])
def test_handshake_with_wrong_credentials_is_unauthenticated(anonymous, expect_status, user, password):
    with expect_status("UNAUTHENTICATED"):
        anonymous.client.authenticate_basic_token(user, password, options=anonymous.options())


def test_handshake_returns_a_bearer_token(token):
    key, value = token
    assert key.lower() == b"authorization"
    assert value.startswith(b"Bearer ") and len(value) > len(b"Bearer "), value


def test_bearer_token_works_on_every_call(alice):
    name = alice.fresh_name("alice")
    alice.assert_roundtrip(name, [BATCH, BATCH])            # DoPut, GetFlightInfo, DoGet
    assert alice.schema(name).equals(BATCH.schema)          # GetSchema
    assert name in alice.list(name)                         # ListFlights
    assert [e["version"] for e in alice.history(name)] == [1]  # DoAction
    assert "drop" in {a.type for a in alice.client.list_actions(options=alice.options())}
    alice.drop(name)
    assert name not in alice.list(name)


def test_refused_put_writes_nothing(anonymous, alice, expect_status):
    name = alice.fresh_name("anonymous-put")
    with expect_status("UNAUTHENTICATED"):
        anonymous.put(name, [BATCH])
    with expect_status("NOT_FOUND"):
        alice.info(name)


def test_a_token_file_admits_its_tokens_only(launch_quiver, tmp_path, expect_status):
    tokens = tmp_path / "tokens"
    tokens.write_text("# one bearer token per line\nservice-a-7f3e\n\nservice-b-91c2\n")
    with launch_quiver("--auth", f"token-file:{tokens}") as server:
        for token in ("service-a-7f3e", "service-b-91c2"):
            quiver = helper(server, [(b"authorization", f"Bearer {token}".encode())])
            quiver.put(f"from-{token}", [BATCH])
            assert quiver.read(f"from-{token}").table.num_rows == 3
            quiver.close()
        stranger = helper(server, [(b"authorization", b"Bearer service-c-0000")])
        with expect_status("UNAUTHENTICATED", "unknown bearer token"):
            stranger.list()
        stranger.close()
