// Free ports are distinct, bindable, and never handed out twice by one process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { freePort, freePorts, loopbackHost } from './ports.ts';

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, loopbackHost, () => server.close(() => resolve(true)));
  });
}

test('freePorts returns distinct ports that can be bound on 127.0.0.1', async () => {
  const ports = await freePorts(6);
  assert.equal(new Set(ports).size, 6);
  for (const port of ports) assert.ok(await bindable(port), `port ${port} is bindable`);
});

test('a port is never handed out twice in one process', async () => {
  const first = await freePorts(20);
  const second = [...(await freePorts(20)), await freePort()];
  assert.equal(new Set([...first, ...second]).size, 41);
});
