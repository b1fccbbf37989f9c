// Proves the unary fast path over real sockets with a real grpc-js client: it serves the calls it should (and
// grpc-js the rest), and answers every edge the way grpc-js answers it (deadlines, statuses, message limits,
// metadata), so that switching it on changes nothing a client can see.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import http2 from 'node:http2';
import { once } from 'node:events';
import {
  Client, Metadata, Server, ServerCredentials, credentials, status,
  type ServiceDefinition, type ServiceError, type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { installUnaryFastPath, unaryRoutes } from './unary-fast-path.ts';
import { markLeanUnaryHandler, type LeanUnaryHandler } from './unary.ts';

const identity = (value: Buffer): Buffer => value;

function method(path: string, stream = false) {
  return {
    path, requestStream: stream, responseStream: stream, originalName: path,
    requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity,
  };
}

const definition = {
  Echo: method('/test.Svc/Echo'),
  Fail: method('/test.Svc/Fail'),
  Hang: method('/test.Svc/Hang'),
  Who: method('/test.Svc/Who'),
  Plain: method('/test.Svc/Plain'),
  Chat: method('/test.Svc/Chat', true),
} as unknown as ServiceDefinition;

interface Served {
  /** Which path served each call: fast or grpc-js. */
  log: string[];
}

function implementation(served: Served): UntypedServiceImplementation {
  const lean = (name: string, handler: LeanUnaryHandler): LeanUnaryHandler =>
    markLeanUnaryHandler((call, callback) => {
      // grpc-js's calls are ServerUnaryCall objects (with getPeer); the fast path's are not.
      served.log.push(`${name}:${'getPeer' in call ? 'grpc-js' : 'fast'}`);
      handler(call, callback);
    });
  return {
    Echo: lean('Echo', (call, callback) => callback(null, Buffer.concat([Buffer.from('echo:'), call.request as Buffer]))),
    Fail: lean('Fail', (_call, callback) => callback({ code: status.FAILED_PRECONDITION, details: 'etcdserver: no leader, 100% sure' })),
    Hang: lean('Hang', () => undefined),
    Who: lean('Who', (call, callback) => callback(null, Buffer.from(String(call.metadata.get('token')[0] ?? '-')))),
    // Not declared lean: grpc-js keeps it.
    Plain: (call: { request: Buffer }, callback: (error: null, value: Buffer) => void) => {
      served.log.push('Plain:grpc-js');
      callback(null, call.request);
    },
    Chat: (call: NodeJS.ReadWriteStream & { end(): void }) => {
      call.on('data', (chunk: Buffer) => call.write(chunk));
      call.on('end', () => call.end());
    },
  } as unknown as UntypedServiceImplementation;
}

async function startServer(fast: boolean, receiveBytesMax = 1024) {
  const served: Served = { log: [] };
  const grpc = new Server({ 'grpc.max_receive_message_length': receiveBytesMax });
  const service = implementation(served);
  grpc.addService(definition, service);
  const injector = grpc.createConnectionInjector(ServerCredentials.createInsecure());
  const installed = fast && installUnaryFastPath(grpc, unaryRoutes(definition, service), receiveBytesMax);
  const listener = net.createServer((socket) => injector.injectConnection(socket));
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  const port = (listener.address() as net.AddressInfo).port;
  return {
    served, installed, port,
    client: (options: Record<string, unknown> = {}) => new Client(`127.0.0.1:${port}`, credentials.createInsecure(), options),
    stop: () => {
      injector.destroy();
      grpc.forceShutdown();
      listener.close();
    },
  };
}

interface Outcome {
  value?: string;
  code?: number;
  details?: string;
}

function call(client: Client, path: string, request: Buffer, metadata = new Metadata(), deadlineMs?: number): Promise<Outcome> {
  const options = deadlineMs === undefined ? {} : { deadline: Date.now() + deadlineMs };
  return new Promise((resolve) => {
    client.makeUnaryRequest(path, identity, identity, request, metadata, options, (error: ServiceError | null, value?: Buffer) => {
      // The client's own deadline usually fires first, with its timing in the text: compare the code alone.
      const details = error?.code === status.DEADLINE_EXCEEDED ? 'Deadline exceeded' : error?.details;
      resolve(error ? { code: error.code, details } : { value: value!.toString() });
    });
  });
}

/** The outcomes of the same calls on a server with and without the fast path. */
async function both(run: (client: (options?: Record<string, unknown>) => Client) => Promise<Outcome[]>): Promise<{ fast: Outcome[]; grpcJs: Outcome[]; log: string[] }> {
  const results: Outcome[][] = [];
  let log: string[] = [];
  for (const fast of [true, false]) {
    const server = await startServer(fast);
    const clients: Client[] = [];
    try {
      results.push(await run((options) => {
        const client = server.client(options);
        clients.push(client);
        return client;
      }));
      if (fast) log = server.served.log;
    } finally {
      for (const client of clients) client.close();
      server.stop();
    }
  }
  return { fast: results[0]!, grpcJs: results[1]!, log };
}

test('installs on grpc-js as bundled, and serves lean unary handlers itself', async () => {
  const server = await startServer(true);
  const client = server.client();
  try {
    assert.equal(server.installed, true, 'grpc-js internals changed: the fast path could not hook its HTTP/2 server');
    assert.deepEqual(await call(client, '/test.Svc/Echo', Buffer.from('a')), { value: 'echo:a' });
    assert.deepEqual(await call(client, '/test.Svc/Plain', Buffer.from('b')), { value: 'b' });
    assert.deepEqual(server.served.log, ['Echo:fast', 'Plain:grpc-js']);
  } finally {
    client.close();
    server.stop();
  }
});

test('answers like grpc-js: values, statuses with their texts, metadata, unknown methods', async () => {
  const token = new Metadata();
  token.set('token', 'abc.def');
  const { fast, grpcJs, log } = await both(async (client) => {
    const c = client();
    return [
      await call(c, '/test.Svc/Echo', Buffer.alloc(0)),
      await call(c, '/test.Svc/Echo', Buffer.from('x'.repeat(900))),
      await call(c, '/test.Svc/Fail', Buffer.from('x')),
      await call(c, '/test.Svc/Who', Buffer.from('x'), token),
      await call(c, '/test.Svc/Who', Buffer.from('x')),
      await call(c, '/test.Svc/Missing', Buffer.from('x')),
    ];
  });
  assert.deepEqual(fast, grpcJs);
  assert.equal(fast[2]!.code, status.FAILED_PRECONDITION);
  assert.equal(fast[2]!.details, 'etcdserver: no leader, 100% sure');
  assert.equal(fast[3]!.value, 'abc.def');
  assert.deepEqual(log, ['Echo:fast', 'Echo:fast', 'Fail:fast', 'Who:fast', 'Who:fast']);
});

test('refuses an oversized message and ends a call at its deadline, as grpc-js does', async () => {
  const { fast, grpcJs, log } = await both(async (client) => {
    const c = client();
    return [
      await call(c, '/test.Svc/Echo', Buffer.alloc(5000)),
      await call(c, '/test.Svc/Hang', Buffer.from('x'), new Metadata(), 200),
      // The connection still serves after both.
      await call(c, '/test.Svc/Echo', Buffer.from('ok')),
    ];
  });
  assert.deepEqual(fast, grpcJs);
  assert.equal(fast[0]!.code, status.RESOURCE_EXHAUSTED);
  assert.match(fast[0]!.details!, /^Received message larger than max \(5000 vs 1024\)$/);
  assert.equal(fast[1]!.code, status.DEADLINE_EXCEEDED);
  assert.deepEqual(fast[2], { value: 'echo:ok' });
  assert.deepEqual(log, ['Hang:fast', 'Echo:fast']);
});

test('leaves compressed requests and streaming calls to grpc-js', async () => {
  const { fast, grpcJs, log } = await both(async (client) => {
    const gzip = client({ 'grpc.default_compression_algorithm': 2 });
    const chat = client();
    const stream = chat.makeBidiStreamRequest('/test.Svc/Chat', identity, identity);
    const echoed = new Promise<string>((resolve) => stream.once('data', (chunk: Buffer) => resolve(chunk.toString())));
    stream.write(Buffer.from('hello'));
    const chatOutcome = { value: await echoed };
    stream.end();
    return [await call(gzip, '/test.Svc/Echo', Buffer.from('z'.repeat(100))), chatOutcome];
  });
  assert.deepEqual(fast, grpcJs);
  assert.deepEqual(fast[1], { value: 'hello' });
  assert.deepEqual(log, ['Echo:grpc-js']);
});

test('a call the client cancels gets no answer and leaves the connection serving', async () => {
  const server = await startServer(true);
  const client = server.client();
  try {
    const pending = client.makeUnaryRequest('/test.Svc/Hang', identity, identity, Buffer.from('x'), (error: ServiceError | null) => {
      assert.equal(error?.code, status.CANCELLED);
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    pending.cancel();
    assert.deepEqual(await call(client, '/test.Svc/Echo', Buffer.from('after')), { value: 'echo:after' });
  } finally {
    client.close();
    server.stop();
  }
});

/** One raw HTTP/2 request: what came back (headers, trailers, body), without a gRPC client in between. */
async function rawCall(port: number, path: string, body: Buffer, extraHeaders: Record<string, string> = {}) {
  const session = http2.connect(`http://127.0.0.1:${port}`);
  try {
    const stream = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers', ...extraHeaders });
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    const response = once(stream, 'response') as Promise<[http2.IncomingHttpHeaders]>;
    const trailers = new Promise<http2.IncomingHttpHeaders>((resolve) => stream.once('trailers', resolve));
    stream.end(body);
    const [headers] = await response;
    await once(stream, 'close');
    const ended = headers['grpc-status'] !== undefined ? {} : await trailers;
    return { headers, trailers: ended, body: Buffer.concat(chunks).toString('hex') };
  } finally {
    session.close();
  }
}

function grpcFrame(message: Buffer): Buffer {
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(message.length, 1);
  return Buffer.concat([prefix, message]);
}

/** What a gRPC client reads from a raw exchange: status, message (empty for OK), body, and the content type. */
function meaning(outcome: Awaited<ReturnType<typeof rawCall>>) {
  const status = String(outcome.headers['grpc-status'] ?? outcome.trailers['grpc-status']);
  const message = decodeURI(String(outcome.headers['grpc-message'] ?? outcome.trailers['grpc-message'] ?? ''));
  const grpc = String(outcome.headers['content-type']).startsWith('application/grpc');
  return { status, message: status === '0' ? '' : message, body: outcome.body, grpc, httpStatus: outcome.headers[':status'] };
}

test('on the wire: the same statuses, messages and bodies as grpc-js, in grpc-go\'s headers; grpc-timeout enforced by the server', async () => {
  const outcomes = [];
  for (const fast of [true, false]) {
    const server = await startServer(fast);
    const port = server.port;
    try {
      outcomes.push([
        await rawCall(port, '/test.Svc/Echo', grpcFrame(Buffer.from('wire'))),
        await rawCall(port, '/test.Svc/Fail', grpcFrame(Buffer.from('x'))),
        await rawCall(port, '/test.Svc/Hang', grpcFrame(Buffer.from('x')), { 'grpc-timeout': '100m' }),
        await rawCall(port, '/test.Svc/Echo', Buffer.alloc(0)),
        await rawCall(port, '/test.Svc/Echo', Buffer.concat([grpcFrame(Buffer.from('a')), grpcFrame(Buffer.from('b'))])),
        await rawCall(port, '/test.Svc/Echo', Buffer.from([0, 0, 0, 0, 9, 1])),
      ]);
    } finally {
      server.stop();
    }
  }
  assert.deepEqual(outcomes[0]!.map(meaning), outcomes[1]!.map(meaning));
  const [echo, fail, hang, none, two, truncated] = outcomes[0]!;
  // etcd's server (grpc-go) sends just these: no encoding headers, no date.
  const fields = (headers: http2.IncomingHttpHeaders) => Object.fromEntries(Object.entries(headers));
  assert.deepEqual(fields(echo!.headers), { ':status': 200, 'content-type': 'application/grpc' });
  assert.deepEqual(fields(echo!.trailers), { 'grpc-status': '0', 'grpc-message': '' });
  assert.equal(echo!.body, grpcFrame(Buffer.from('echo:wire')).toString('hex'));
  assert.equal(echo!.trailers['grpc-status'], '0');
  assert.equal(fail!.headers['grpc-message'], 'etcdserver:%20no%20leader,%20100%25%20sure');
  assert.equal(hang!.headers['grpc-status'], String(status.DEADLINE_EXCEEDED));
  assert.equal(hang!.headers['grpc-message'], 'Deadline%20exceeded');
  for (const refused of [none, two, truncated]) assert.equal(refused!.headers['grpc-status'], String(status.UNIMPLEMENTED));
});
