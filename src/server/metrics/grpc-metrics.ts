// gRPC server metrics under go-grpc-prometheus's names and labels, so that dashboards and alerts
// written for Go and Java gRPC services work unchanged: one server interceptor sees every call
// of every service (handlers stay untouched), and a wrapper around a service definition's
// (de)serializers counts the bytes each method receives and sends.
import * as grpc from '@grpc/grpc-js';
import { Counter, Histogram, type Registry } from 'prom-client';

type Labels = { grpc_service: string; grpc_method: string; grpc_type: string };

/** go's codes.Code.String(), the grpc_code values go-grpc-prometheus reports. */
const CODE_NAMES: Record<number, string> = {
  0: 'OK', 1: 'Canceled', 2: 'Unknown', 3: 'InvalidArgument', 4: 'DeadlineExceeded', 5: 'NotFound',
  6: 'AlreadyExists', 7: 'PermissionDenied', 8: 'ResourceExhausted', 9: 'FailedPrecondition', 10: 'Aborted',
  11: 'OutOfRange', 12: 'Unimplemented', 13: 'Internal', 14: 'Unavailable', 15: 'DataLoss', 16: 'Unauthenticated',
};

function labelsOf(path: string, requestStream: boolean, responseStream: boolean): Labels {
  const m = /^\/([^/]+)\/([^/]+)$/.exec(path);
  const grpc_type = requestStream ? (responseStream ? 'bidi_stream' : 'client_stream') : responseStream ? 'server_stream' : 'unary';
  return { grpc_service: m?.[1] ?? 'unknown', grpc_method: m?.[2] ?? 'unknown', grpc_type };
}

export class GrpcMetrics {
  private readonly started: Counter;
  private readonly handled: Counter;
  private readonly seconds: Histogram;
  private readonly received: Counter;
  private readonly sent: Counter;
  private readonly bytesIn: Counter;
  private readonly bytesOut: Counter;

  constructor(registry: Registry) {
    const labelNames = ['grpc_service', 'grpc_method', 'grpc_type'] as const;
    const registers = [registry];
    this.started = new Counter({ name: 'grpc_server_started_total', help: 'Total number of RPCs started on the server.', labelNames, registers });
    this.handled = new Counter({ name: 'grpc_server_handled_total', help: 'Total number of RPCs completed on the server, regardless of success or failure.', labelNames: [...labelNames, 'grpc_code'], registers });
    this.seconds = new Histogram({ name: 'grpc_server_handling_seconds', help: 'Histogram of response latency (seconds) of gRPC that had been application-level handled by the server.', labelNames, registers });
    this.received = new Counter({ name: 'grpc_server_msg_received_total', help: 'Total number of RPC stream messages received on the server.', labelNames, registers });
    this.sent = new Counter({ name: 'grpc_server_msg_sent_total', help: 'Total number of gRPC stream messages sent by the server.', labelNames, registers });
    this.bytesIn = new Counter({ name: 'quiver_grpc_received_bytes_total', help: 'Serialized message bytes received, per method (after decompression).', labelNames: ['grpc_service', 'grpc_method'], registers });
    this.bytesOut = new Counter({ name: 'quiver_grpc_sent_bytes_total', help: 'Serialized message bytes sent, per method (before compression).', labelNames: ['grpc_service', 'grpc_method'], registers });
  }

  /** For the Server's `interceptors` option. */
  readonly interceptor: grpc.ServerInterceptor = (method, call) => {
    const labels = labelsOf(method.path, method.requestStream, method.responseStream);
    let began = 0;
    let done = false;
    const finish = (code: number) => {
      if (done) return;
      done = true;
      this.handled.inc({ ...labels, grpc_code: CODE_NAMES[code] ?? String(code) });
      this.seconds.observe(labels, (performance.now() - began) / 1000);
    };
    return new grpc.ServerInterceptingCall(call, {
      start: (next) => {
        began = performance.now();
        this.started.inc(labels);
        next({
          onReceiveMessage: (message, nextMessage) => {
            this.received.inc(labels);
            nextMessage(message);
          },
          onCancel: () => finish(grpc.status.CANCELLED),
        });
      },
      sendMessage: (message, next) => {
        this.sent.inc(labels);
        next(message);
      },
      sendStatus: (status, next) => {
        finish(status.code);
        next(status);
      },
    });
  };

  /** The same service with the bytes of each message counted as it is (de)serialized. */
  countBytes(definition: grpc.ServiceDefinition): grpc.ServiceDefinition {
    const out: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
    for (const [name, method] of Object.entries(definition) as [string, grpc.MethodDefinition<unknown, unknown>][]) {
      const { grpc_service, grpc_method } = labelsOf(method.path, method.requestStream, method.responseStream);
      const labels = { grpc_service, grpc_method };
      out[name] = {
        ...method,
        requestDeserialize: (bytes: Buffer) => {
          this.bytesIn.inc(labels, bytes.length);
          return method.requestDeserialize(bytes);
        },
        responseSerialize: (value: unknown) => {
          const bytes = method.responseSerialize(value);
          this.bytesOut.inc(labels, bytes.length);
          return bytes;
        },
      };
    }
    return out as grpc.ServiceDefinition;
  }
}
