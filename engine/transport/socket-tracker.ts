// Every socket the transport opens or accepts, so stop() can close them all and resolve only once each has
// emitted 'close': a stopped transport must leave no handle that keeps the process alive.
import type { Duplex } from 'node:stream';

/** A set of live sockets. */
export class SocketTracker {
  private readonly sockets = new Set<Duplex>();

  /** Live sockets. */
  get size(): number {
    return this.sockets.size;
  }

  /** Starts tracking `socket` until it closes. */
  track(socket: Duplex): void {
    if (socket.closed) return;
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  /** Destroys every tracked socket and resolves when all have closed. */
  async closeAll(): Promise<void> {
    await Promise.all([...this.sockets].map((socket) => closeSocket(socket)));
  }
}

/** Destroys `socket` and resolves once it has emitted 'close' (at once if it already has). */
export function closeSocket(socket: Duplex): Promise<void> {
  if (socket.closed) return Promise.resolve();
  return new Promise((resolve) => {
    socket.once('close', () => resolve());
    socket.destroy();
  });
}
