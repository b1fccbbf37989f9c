// Free TCP ports on 127.0.0.1 for servers started by tests and the bench. The kernel picks a free port when we
// bind port 0; we close the socket at once and hand the number out. Ports already handed out by this process are
// never handed out again, so two servers started in the same test cannot collide with each other.
import net from 'node:net';

/** The address every test server binds to: loopback only. */
export const loopbackHost = '127.0.0.1';

const handedOut = new Set<number>();

/** Attempts per port before giving up; the kernel rarely repeats a port, so this is generous. */
const attemptsMax = 50;

function bindEphemeral(): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: loopbackHost, port: 0, exclusive: true }, () => resolve(server));
  });
}

function close(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Finds `count` distinct free ports; all are held open together while probing so the kernel cannot repeat one. */
export async function freePorts(count: number): Promise<number[]> {
  const held: net.Server[] = [];
  const ports: number[] = [];
  try {
    for (let attempt = 0; ports.length < count; attempt += 1) {
      if (attempt >= attemptsMax * count) throw new Error(`could not find ${count} free ports on ${loopbackHost}`);
      const server = await bindEphemeral();
      held.push(server);
      const port = (server.address() as net.AddressInfo).port;
      if (handedOut.has(port)) continue;
      handedOut.add(port);
      ports.push(port);
    }
  } finally {
    await Promise.all(held.map(close));
  }
  return ports;
}

/** Finds one free port on 127.0.0.1 that this process has not handed out before. */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port;
}
