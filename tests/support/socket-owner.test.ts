// Telling apart which process opened a loopback connection, through /proc (Linux only).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { trackChild } from './child-cleanup.ts';
import { loopbackHost } from './ports.ts';
import { findSocketOwner } from './socket-owner.ts';

test('the process holding the client end of a connection is found', { skip: existsSync('/proc/net/tcp') ? false : 'needs Linux /proc' }, async () => {
  const accepted: net.Socket[] = [];
  const server = net.createServer((socket) => accepted.push(socket));
  await new Promise<void>((resolve) => server.listen(0, loopbackHost, () => resolve()));
  const serverPort = (server.address() as net.AddressInfo).port;
  // A child that connects and then waits until we close it.
  const child = spawn(process.execPath, ['-e', `require('net').connect(${serverPort}, '${loopbackHost}').on('close', () => process.exit(0))`], { stdio: 'ignore' });
  trackChild(child);
  const own = net.connect(serverPort, loopbackHost);
  try {
    for (let attempt = 0; accepted.length < 2 && attempt < 200; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(accepted.length, 2, 'both connections arrived');
    const owners = await Promise.all(accepted.map((socket) => findSocketOwner(socket.remotePort!, serverPort, [child.pid!, process.pid])));
    assert.deepEqual(owners.sort(), [child.pid!, process.pid].sort());
    assert.equal(await findSocketOwner(accepted[0].remotePort!, serverPort, [99_999_999]), undefined, 'no candidate holds it');
  } finally {
    own.destroy();
    for (const socket of accepted) socket.destroy();
    child.kill('SIGKILL');
    await new Promise((resolve) => server.close(resolve));
  }
});
