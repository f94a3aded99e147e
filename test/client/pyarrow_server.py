"""A reference Flight server written with pyarrow.flight, for the client's "any Flight server"
tests. Tables live in memory, keyed by PATH descriptor. Prints `Server listening on
localhost:PORT` first, like quiver.

  --auth USER:PASS   Basic handshake -> bearer token (header middleware, as pyarrow's own tests)
  --tls DIR          serve grpc+tls with DIR/cert0.pem + cert0.key
  --mtls DIR         also require a client certificate signed by DIR/root-ca.pem

CMD descriptor b"split:NAME" answers GetFlightInfo with one endpoint per batch of NAME, each
listing a dead location first and then arrow-flight-reuse-connection://?, so a client must
follow every endpoint and fall back to the next location. A ticket "NAME@lz4" or "NAME@zstd"
streams NAME with every batch body compressed by that codec (pyarrow's IPC compression).
"""
import argparse
import base64
import secrets
import sys

import pyarrow as pa
import pyarrow.flight as flight


class NoopAuthHandler(flight.ServerAuthHandler):
    """Lets Handshake through; BasicAuthFactory does the checking on its headers."""

    def authenticate(self, outgoing, incoming):
        pass

    def is_valid(self, token):
        return ""


class BearerMiddleware(flight.ServerMiddleware):
    def __init__(self, token):
        self.token = token

    def sending_headers(self):
        return {"authorization": f"Bearer {self.token}"} if self.token else {}


class BasicAuthFactory(flight.ServerMiddlewareFactory):
    def __init__(self, user, password):
        self.user, self.password = user, password
        self.tokens = set()

    def start_call(self, info, headers):
        auth = next((v for k, v in headers.items() if k.lower() == "authorization"), [None])[0]
        if auth is None:
            raise flight.FlightUnauthenticatedError("no authorization header")
        scheme, _, value = auth.partition(" ")
        if scheme.lower() == "basic":
            user, _, password = base64.b64decode(value).decode().partition(":")
            if (user, password) != (self.user, self.password):
                raise flight.FlightUnauthenticatedError("wrong user name or password")
            token = secrets.token_urlsafe(16)
            self.tokens.add(token)
            return BearerMiddleware(token)
        if scheme.lower() == "bearer" and value in self.tokens:
            return BearerMiddleware(None)
        raise flight.FlightUnauthenticatedError("unknown bearer token")


class ReferenceServer(flight.FlightServerBase):
    def __init__(self, location, **kwargs):
        super().__init__(location, **kwargs)
        self.tables = {}

    def _info(self, descriptor, table, endpoints):
        return flight.FlightInfo(table.schema, descriptor, endpoints, table.num_rows, table.nbytes)

    def list_flights(self, context, criteria):
        for name, table in sorted(self.tables.items()):
            descriptor = flight.FlightDescriptor.for_path(name)
            yield self._info(descriptor, table, [flight.FlightEndpoint(name, [])])

    def get_flight_info(self, context, descriptor):
        if descriptor.descriptor_type == flight.DescriptorType.CMD and descriptor.command.startswith(b"split:"):
            name = descriptor.command[len(b"split:"):].decode()
            table = self._table(name)
            endpoints = [
                flight.FlightEndpoint(f"{name}#{i}", ["grpc+tcp://127.0.0.1:1", "arrow-flight-reuse-connection://?"])
                for i in range(len(table.to_batches()))
            ]
            return self._info(descriptor, table, endpoints)
        name = self._name(descriptor)
        return self._info(descriptor, self._table(name), [flight.FlightEndpoint(name, [])])

    def get_schema(self, context, descriptor):
        return flight.SchemaResult(self._table(self._name(descriptor)).schema)

    def do_get(self, context, ticket):
        key, _, codec = ticket.ticket.decode().partition("@")
        name, _, index = key.partition("#")
        table = self._table(name)
        if codec:
            return flight.RecordBatchStream(table, options=pa.ipc.IpcWriteOptions(compression=codec))
        if index:
            batch = table.to_batches()[int(index)]
            return flight.RecordBatchStream(pa.Table.from_batches([batch], table.schema))
        return flight.GeneratorStream(table.schema, self._with_metadata(table))

    @staticmethod
    def _with_metadata(table):
        for i, batch in enumerate(table.to_batches()):
            yield batch, pa.py_buffer(f"batch {i}".encode())

    def do_put(self, context, descriptor, reader, writer):
        batches = []
        while True:
            try:
                chunk = reader.read_chunk()
            except StopIteration:
                break
            batches.append(chunk.data)
            writer.write(chunk.app_metadata or pa.py_buffer(b""))
        self.tables[self._name(descriptor)] = pa.Table.from_batches(batches, reader.schema)

    def list_actions(self, context):
        return [("echo", "Returns its body"), ("tables", "Lists table names, one per result")]

    def do_action(self, context, action):
        if action.type == "echo":
            yield flight.Result(action.body)
        elif action.type == "tables":
            for name in sorted(self.tables):
                yield flight.Result(name.encode())
        else:
            raise flight.FlightServerError(f"unknown action {action.type}")

    def _name(self, descriptor):
        if descriptor.descriptor_type != flight.DescriptorType.PATH:
            raise flight.FlightServerError("use a PATH descriptor")
        return "/".join(p.decode() for p in descriptor.path)

    def _table(self, name):
        if name not in self.tables:
            raise KeyError(f"no table {name}")
        return self.tables[name]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--auth")
    p.add_argument("--tls")
    p.add_argument("--mtls")
    args = p.parse_args()
    kwargs = {}
    cert_dir = args.tls or args.mtls
    scheme = "grpc+tcp"
    if cert_dir:
        scheme = "grpc+tls"
        with open(f"{cert_dir}/cert0.pem", "rb") as c, open(f"{cert_dir}/cert0.key", "rb") as k:
            kwargs["tls_certificates"] = [(c.read(), k.read())]
    if args.mtls:
        kwargs["verify_client"] = True
        with open(f"{args.mtls}/root-ca.pem", "rb") as ca:
            kwargs["root_certificates"] = ca.read()
    if args.auth:
        user, _, password = args.auth.partition(":")
        kwargs["middleware"] = {"auth": BasicAuthFactory(user, password)}
        kwargs["auth_handler"] = NoopAuthHandler()
    server = ReferenceServer(f"{scheme}://localhost:0", **kwargs)
    print(f"Server listening on localhost:{server.port}", flush=True)
    sys.stdin.read()  # serve until the parent closes our stdin (or kills us)
    server.shutdown()


if __name__ == "__main__":
    main()
