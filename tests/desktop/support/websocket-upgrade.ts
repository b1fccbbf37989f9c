// Browser mode guards its WebSocket with the session token and the Origin header; the suites that prove it need
// the bare HTTP status of an upgrade attempt rather than a connected socket, so this asks for exactly that.
import WebSocket from 'ws';

/** The HTTP status a WebSocket upgrade to `url` gets (101 when it opens). */
export function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('error', (error) => {
      if (!/Unexpected server response/.test(error.message)) reject(error);
    });
  });
}
