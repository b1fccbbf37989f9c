// A lean path for unary gRPC calls (every KV request, Status, member and auth calls): the member answers them
// straight from the HTTP/2 stream, and grpc-js keeps every other call (Watch, LeaseKeepAlive, Snapshot, unknown
// methods, compressed or malformed requests).
//
// Why: grpc-js builds an intercepting call, metadata objects, a message decoder, a read queue and several
// closures for every call, about half of what a member allocates per put and a tenth of its CPU time. It also
// answers in two event-loop turns: the trailers wait for the callback of the message write, so each response
// reaches the client as two socket writes. Here the message is ended with its trailers requested at once, so
// HEADERS, DATA and trailers leave in one write.
//
// What the path keeps of grpc-js's behaviour, so clients see no difference: the response headers and trailers,
// grpc-timeout deadlines (DEADLINE_EXCEEDED "Deadline exceeded"), its statuses and texts for a missing or second
// request message, an oversized message or one that does not decode, and the caller's metadata and verified
// client certificate. It hooks grpc-js's HTTP/2 server, which grpc-js does not expose: installUnaryFastPath
// checks the shape it relies on and leaves grpc-js alone (reporting false) when the shape differs.
import type http2 from 'node:http2';
import { status as GrpcStatus, type Server, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { authContextOf, grpcTimeoutMs, type CallAuthContext } from './grpc-call-context.ts';
import { messageFrame } from './grpc-messages.ts';
import { isLeanUnaryHandler, type LeanUnaryHandler, type UnaryCallView } from './unary.ts';

/** One unary method the fast path serves. */
export interface UnaryRoute {
  /** e.g. /etcdserverpb.KV/Put */
  path: string;
  deserialize(bytes: Buffer): unknown;
  serialize(value: unknown): Buffer;
  handler: LeanUnaryHandler;
  /** A faster reader for this method's requests; undefined leaves a request to `deserialize`. */
  read?(bytes: Buffer): unknown;
  /** A faster writer of the response's frame (gRPC prefix included); undefined leaves it to `serialize`. */
  writeFrame?(response: unknown): Buffer | undefined;
}

/** The unary methods of `definition` whose implementations were made by unary() (others stay with grpc-js). */
export function unaryRoutes(definition: ServiceDefinition, implementation: UntypedServiceImplementation): UnaryRoute[] {
  const routes: UnaryRoute[] = [];
  for (const [name, method] of Object.entries(definition)) {
    const handler = implementation[name];
    if (method.requestStream || method.responseStream || !isLeanUnaryHandler(handler)) continue;
    routes.push({
      path: method.path,
      deserialize: (bytes) => method.requestDeserialize(bytes),
      serialize: (value) => method.responseSerialize(value),
      handler,
    });
  }
  return routes;
}


type StreamListener = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => void;

/**
 * Routes the unary calls of `routes` on every HTTP/2 server of `grpc` (its connection injector's) through the
 * fast path. Returns whether it could: false when grpc-js's internals are not the shape this version knows.
 */
export function installUnaryFastPath(grpc: Server, routes: readonly UnaryRoute[], receiveBytesMax: number): boolean {
  const servers = (grpc as unknown as { http2Servers?: unknown }).http2Servers;
  if (!(servers instanceof Map) || servers.size === 0) return false;
  const byPath = new Map(routes.map((route) => [route.path, route]));
  const hooks: Array<() => void> = [];
  for (const server of servers.keys() as IterableIterator<http2.Http2Server>) {
    const listeners = typeof server?.listeners === 'function' ? server.listeners('stream') : [];
    if (listeners.length !== 1) return false;
    const grpcListener = listeners[0] as StreamListener;
    hooks.push(() => {
      server.removeListener('stream', grpcListener);
      server.on('stream', (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => {
        const route = byPath.get(headers[':path'] as string);
        if (route === undefined || !servable(headers)) grpcListener.call(server, stream, headers);
        else new UnaryExchange(route, stream, headers, receiveBytesMax).start();
      });
    });
  }
  for (const hook of hooks) hook();
  return true;
}

/** Whether the fast path answers this request exactly as grpc-js would; anything unusual goes to grpc-js. */
function servable(headers: http2.IncomingHttpHeaders): boolean {
  const contentType = headers['content-type'];
  if (typeof contentType !== 'string' || !contentType.startsWith('application/grpc')) return false;
  const encoding = headers['grpc-encoding'];
  if (encoding !== undefined && encoding !== 'identity') return false;
  const timeout = headers['grpc-timeout'];
  return timeout === undefined || (typeof timeout === 'string' && grpcTimeoutMs(timeout) !== undefined);
}

/**
 * Response headers and trailers as etcd's gRPC server (grpc-go) sends them: fewer than grpc-js's (no encoding
 * headers, no date), which HTTP/2 copies and encodes on every response.
 */
const responseHeaders: http2.OutgoingHttpHeaders = { ':status': 200, 'content-type': 'application/grpc' };
const okTrailers: http2.OutgoingHttpHeaders = { 'grpc-status': '0', 'grpc-message': '' };
const responseOptions = { waitForTrailers: true, sendDate: false } as http2.ServerStreamResponseOptions;
const statusOnlyOptions = { endStream: true, sendDate: false } as http2.ServerStreamResponseOptions;

const exchangeKey = Symbol('unary exchange');
type ExchangeStream = http2.ServerHttp2Stream & { [exchangeKey]: UnaryExchange };

function ignoreError(): void {}
function onStreamClose(this: ExchangeStream): void {
  this[exchangeKey].finish();
}
function onStreamData(this: ExchangeStream, chunk: Buffer): void {
  this[exchangeKey].onData(chunk);
}
function onStreamEnd(this: ExchangeStream): void {
  this[exchangeKey].onRequestEnd();
}
function onWantTrailers(this: http2.ServerHttp2Stream): void {
  this.sendTrailers(okTrailers);
}

/** The metadata of a call, read from its HTTP/2 headers (grpc-js's Metadata.get, for the keys handlers read). */
class HeaderMetadata {
  constructor(private readonly headers: http2.IncomingHttpHeaders) {}

  get(key: string): string[] {
    const value = this.headers[key];
    if (value === undefined) return [];
    // grpc-js splits a header that arrived several times (joined with ", ") back into its values.
    return Array.isArray(value) ? value : value.split(', ');
  }
}

/** One unary call served on its HTTP/2 stream. */
class UnaryExchange implements UnaryCallView<unknown> {
  request: unknown;
  readonly metadata: HeaderMetadata;
  private readonly chunks: Buffer[] = [];
  private receivedBytes = 0;
  /** The first message's length, from its prefix, once received. */
  private declaredBytes: number | undefined;
  private answered = false;
  private deadlineTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly route: UnaryRoute,
    private readonly stream: http2.ServerHttp2Stream,
    headers: http2.IncomingHttpHeaders,
    private readonly receiveBytesMax: number,
  ) {
    this.metadata = new HeaderMetadata(headers);
    const timeout = headers['grpc-timeout'] as string | undefined;
    if (timeout !== undefined) {
      this.deadlineTimer = setTimeout(() => this.fail(GrpcStatus.DEADLINE_EXCEEDED, 'Deadline exceeded'), grpcTimeoutMs(timeout));
    }
  }

  start(): void {
    const stream = this.stream as ExchangeStream;
    // The listeners are shared functions that find the exchange on the stream: no closures per call.
    stream[exchangeKey] = this;
    // An error is always followed by 'close'; there is nothing left to answer on a broken stream.
    stream.on('error', ignoreError);
    stream.on('close', onStreamClose);
    stream.on('data', onStreamData);
    stream.on('end', onStreamEnd);
  }

  onData(chunk: Buffer): void {
    if (this.answered) return;
    this.receivedBytes += chunk.length;
    this.chunks.push(chunk);
    this.checkSize();
  }

  /** grpc-js's view of the caller's TLS: a verified client certificate, if any. */
  getAuthContext(): CallAuthContext {
    return authContextOf(this.stream.session?.socket);
  }

  /** Refuses a message over the limit as soon as its length prefix shows it (grpc-js's StreamDecoder text). */
  private checkSize(): void {
    if (this.declaredBytes !== undefined || this.receivedBytes < 5) return;
    const head = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.declaredBytes = head.readUInt32BE(1);
    if (this.declaredBytes > this.receiveBytesMax) {
      this.fail(GrpcStatus.RESOURCE_EXHAUSTED, `Received message larger than max (${this.declaredBytes} vs ${this.receiveBytesMax})`);
    }
  }

  onRequestEnd(): void {
    if (this.answered) return;
    const body = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.receivedBytes);
    const length = body.length >= 5 ? body.readUInt32BE(1) : -1;
    if (length < 0 || body.length < 5 + length) {
      this.fail(GrpcStatus.UNIMPLEMENTED, `Received no request message for server streaming method ${this.route.path}`);
      return;
    }
    if (body.length > 5 + length) {
      this.fail(GrpcStatus.UNIMPLEMENTED, `Received a second request message for server streaming method ${this.route.path}`);
      return;
    }
    try {
      const message = body.subarray(5);
      this.request = this.route.read?.(message) ?? this.route.deserialize(message);
    } catch {
      this.fail(GrpcStatus.INTERNAL, 'Error deserializing request');
      return;
    }
    try {
      this.route.handler(this, (error, response) => {
        if (error) this.fail(error.code ?? GrpcStatus.UNKNOWN, error.details ?? ('message' in error ? error.message : ''), error.metadata?.toHttp2Headers());
        else this.succeed(response);
      });
    } catch {
      this.fail(GrpcStatus.UNKNOWN, 'Unknown error');
    }
  }

  private succeed(response: unknown): void {
    if (!this.claimAnswer()) return;
    let frame: Buffer;
    try {
      frame = this.route.writeFrame?.(response) ?? messageFrame(this.route.serialize(response));
    } catch {
      this.sendStatusOnly(GrpcStatus.INTERNAL, 'Error serializing response');
      return;
    }
    const stream = this.stream;
    stream.respond(responseHeaders, responseOptions);
    stream.on('wantTrailers', onWantTrailers);
    // Ending with the message lets HTTP/2 ask for the trailers while it sends the data: one socket write.
    stream.end(frame);
  }

  private fail(code: number, details: string, metadata?: http2.OutgoingHttpHeaders): void {
    if (this.claimAnswer()) this.sendStatusOnly(code, details, metadata);
  }

  /** A trailers-only response: the status in the response headers, as grpc-js answers errors. */
  private sendStatusOnly(code: number, details: string, metadata?: http2.OutgoingHttpHeaders): void {
    this.stream.respond(
      { ':status': 200, 'content-type': 'application/grpc', 'grpc-status': code, 'grpc-message': encodeURI(details), ...metadata },
      statusOnlyOptions,
    );
  }

  /** Marks the call answered; false when it already was or the stream is gone (a cancelled call stays silent). */
  private claimAnswer(): boolean {
    if (this.answered) return false;
    this.finish();
    return !(this.stream.destroyed || this.stream.closed);
  }

  finish(): void {
    this.answered = true;
    if (this.deadlineTimer !== undefined) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    // Unread request bytes would hold up the stream's flow-control window.
    this.stream.resume();
  }
}
