// The fault proxy with real sockets: an echo server behind it, clients in front, every mode switched at runtime.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { FaultProxy } from './fault-proxy.ts';
import { loopbackHost } from './ports.ts';

/** An echo server that remembers how many connections it accepted. */
async function startEcho(): Promise<{ server: net.Server; port: number; accepted: () => number; sockets: Set<net.Socket> }> {
  let accepted = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, loopbackHost, () => resolve()));
  return { server, port: (server.address() as net.AddressInfo).port, accepted: () => accepted, sockets };
}

/** A client connection that collects what it receives and how it ended. */
class Client {
  received = '';
  closedWith: string | undefined;
  readonly socket: net.Socket;
  readonly connected: Promise<void>;

  constructor(port: number) {
    this.socket = net.connect({ host: loopbackHost, port });
    this.socket.setEncoding('utf8');
    this.socket.on('data', (text: string) => (this.received += text));
    this.socket.on('error', (error: NodeJS.ErrnoException) => (this.closedWith = error.code ?? error.message));
    this.socket.on('close', () => (this.closedWith ??= 'closed'));
    this.connected = new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('error', reject);
    });
    // A connection the proxy resets may never connect; tests that expect that await waitClosed instead.
    this.connected.catch(() => undefined);
  }

  /** Waits until `text` has been received in full, or fails after `timeoutMs`. */
  async waitFor(text: string, timeoutMs = 2_000): Promise<number> {
    const started = performance.now();
    while (!this.received.includes(text)) {
      if (performance.now() - started > timeoutMs) throw new Error(`did not receive ${JSON.stringify(text)} within ${timeoutMs} ms (got ${JSON.stringify(this.received)})`);
      await sleep(5);
    }
    return performance.now() - started;
  }

  /** Waits until the connection ended; resolves with how. */
  async waitClosed(timeoutMs = 2_000): Promise<string> {
    const started = performance.now();
    while (this.closedWith === undefined) {
      if (performance.now() - started > timeoutMs) throw new Error(`still open after ${timeoutMs} ms`);
      await sleep(5);
    }
    return this.closedWith;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('fault proxy', () => {
  let echo: Awaited<ReturnType<typeof startEcho>>;
  let proxy: FaultProxy;
  const clients: Client[] = [];
  const client = (): Client => {
    const created = new Client(proxy.port);
    clients.push(created);
    return created;
  };

  before(async () => {
    echo = await startEcho();
    proxy = await FaultProxy.start({ targetPort: echo.port, name: 'test' });
  });
  after(async () => {
    for (const created of clients) created.socket.destroy();
    await proxy.close();
    for (const socket of echo.sockets) socket.destroy();
    await new Promise((resolve) => echo.server.close(resolve));
  });

  test('pass forwards both ways, and a half-close reaches the server', async () => {
    proxy.heal();
    const c = client();
    await c.connected;
    c.socket.write('hello');
    await c.waitFor('hello');
    c.socket.end();
    // The echo server ends its side once ours ended; the client then sees a clean close.
    assert.equal(await c.waitClosed(), 'closed');
    assert.ok(proxy.stats.bytesForwarded >= 10);
  });

  test('blackhole holds an open connection, and healing delivers the held bytes', async () => {
    proxy.heal();
    const c = client();
    await c.connected;
    c.socket.write('before;');
    await c.waitFor('before;');
    proxy.setMode({ kind: 'blackhole' });
    c.socket.write('during;');
    await sleep(200);
    assert.equal(c.received, 'before;', 'nothing may pass while blackholed');
    assert.equal(c.closedWith, undefined, 'the connection stays open');
    proxy.heal();
    await c.waitFor('during;');
  });

  test('blackhole accepts new connections but does not pass them on until healed', async () => {
    proxy.setMode({ kind: 'blackhole' });
    const acceptedBefore = echo.accepted();
    const c = client();
    await c.connected;
    c.socket.write('knock');
    await sleep(200);
    assert.equal(echo.accepted(), acceptedBefore, 'the server must not see the connection');
    assert.equal(c.received, '');
    proxy.heal();
    await c.waitFor('knock');
    assert.equal(echo.accepted(), acceptedBefore + 1);
  });

  test('reset resets open connections and every new one', async () => {
    proxy.heal();
    const open = client();
    await open.connected;
    open.socket.write('x');
    await open.waitFor('x');
    proxy.setMode({ kind: 'reset' });
    assert.equal(await open.waitClosed(), 'ECONNRESET');
    const refused = client();
    assert.equal(await refused.waitClosed(), 'ECONNRESET');
    proxy.heal();
    const again = client();
    await again.connected;
    again.socket.write('y');
    await again.waitFor('y');
  });

  test('latency delays each direction', async () => {
    proxy.heal();
    const c = client();
    await c.connected;
    c.socket.write('warm');
    await c.waitFor('warm');
    proxy.setMode({ kind: 'latency', latencyMs: 100 });
    c.socket.write('slow');
    const roundTripMs = await c.waitFor('slow');
    assert.ok(roundTripMs >= 190, `round trip took ${roundTripMs} ms, expected about 200`);
    proxy.heal();
    c.socket.write('fast');
    assert.ok(await c.waitFor('fast') < 100);
  });

  test('a connection to a server that is down is reset', async () => {
    const down = await startEcho();
    await new Promise((resolve) => down.server.close(resolve));
    const dead = await FaultProxy.start({ targetPort: down.port });
    try {
      const c = new Client(dead.port);
      clients.push(c);
      assert.equal(await c.waitClosed(), 'ECONNRESET');
    } finally {
      await dead.close();
    }
  });
});

describe('fault proxy rules per source', () => {
  test('a mode set for one source applies to its connections only', async () => {
    const echo = await startEcho();
    // The test names each connection by its client port once connected; the cluster helper names members by pid.
    const names = new Map<number, string>();
    const identifySource = async (clientPort: number): Promise<string | undefined> => {
      for (let attempt = 0; attempt < 100 && !names.has(clientPort); attempt += 1) await sleep(5);
      return names.get(clientPort);
    };
    const proxy = await FaultProxy.start({ targetPort: echo.port, identifySource });
    const connectAs = async (name: string): Promise<Client> => {
      const socket = new Client(proxy.port);
      await socket.connected;
      names.set(socket.socket.localPort!, name);
      return socket;
    };
    try {
      const a = await connectAs('a');
      const b = await connectAs('b');
      await sleep(50);
      assert.deepEqual(proxy.openSources().sort(), ['a', 'b']);
      proxy.setModeFrom('b', { kind: 'blackhole' });
      a.socket.write('from-a');
      b.socket.write('from-b');
      await a.waitFor('from-a');
      await sleep(150);
      assert.equal(b.received, '', 'b is cut off');
      proxy.heal();
      await b.waitFor('from-b');
      for (const c of [a, b]) c.socket.destroy();
    } finally {
      await proxy.close();
      for (const socket of echo.sockets) socket.destroy();
      await new Promise((resolve) => echo.server.close(resolve));
    }
  });
});
