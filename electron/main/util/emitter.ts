// The main-process side of the contract's events: `emitter.event` is an Event<T> to hand out, `fire` delivers
// a value to every listener. A listener that throws is reported and does not stop the others.
import type { Disposable, Event } from '../../common/contract.ts';

/** A typed event source. */
export class Emitter<T> {
  private readonly listeners = new Set<(value: T) => void>();

  /** Subscribe with a listener; dispose the result to unsubscribe. */
  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  /** Delivers `value` to every current listener. */
  fire(value: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch (error) {
        console.error('event listener failed', error);
      }
    }
  }

  /** Drops every listener. */
  dispose(): void {
    this.listeners.clear();
  }
}

/** Disposes several things at once. */
export function combineDisposables(items: Disposable[]): Disposable {
  return { dispose: () => items.splice(0).forEach((item) => item.dispose()) };
}
