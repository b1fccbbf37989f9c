// Every socket the transport opens or accepts, so stop() can close them all and resolve only once each is gone:
// a stopped transport must leave no handle that keeps the process alive.
import type { Duplex } from 'node:stream';

/** A set of live sockets. */
export class SocketTracker {
  /** Sockets that have not emitted 'close' yet. */
  private readonly sockets = new Set<Duplex>();

  /** Live sockets. */
  get size(): number {
    return this.sockets.size;
  }

  /** Starts tracking `socket` (a fresh one: accepted, dialled or upgraded) until it emits 'close'. */
  track(socket: Duplex): void {
    if (this.sockets.has(socket)) return;
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  /** Destroys every tracked socket and resolves once all have emitted 'close' and libuv has released them. */
  async closeAll(): Promise<void> {
    await Promise.all(
      [...this.sockets].map(
        (socket) =>
          new Promise<void>((resolve) => {
            // `closed` turns true a tick before 'close' is emitted, so the event is what we wait for.
            socket.once('close', () => resolve());
            socket.destroy();
          }),
      ),
    );
    // libuv frees a closed handle in the close phase of the loop; two check phases later it is surely gone.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
  }
}
