// Free TCP ports on 127.0.0.1 for the local cluster's members. The kernel picks a free port when we bind port 0;
// all probes stay open together until every port is known, so one call never returns the same port twice.
import net from 'node:net';

/** The only address the local cluster binds to. */
export const loopbackHost = '127.0.0.1';

function bindEphemeral(): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: loopbackHost, port: 0, exclusive: true }, () => resolve(server));
  });
}

/** Finds `count` distinct free ports on 127.0.0.1. */
export async function freePorts(count: number): Promise<number[]> {
  const held: net.Server[] = [];
  try {
    for (let index = 0; index < count; index += 1) held.push(await bindEphemeral());
    return held.map((server) => (server.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(held.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}

/** True when nothing listens on 127.0.0.1:`port` and we may bind it. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ host: loopbackHost, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}
