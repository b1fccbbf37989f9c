// Assertions for invariants. A failed assertion is a bug in Cairn, never bad input: bad input gets an
// EtcdError. Crashing loudly beats corrupting a member's state.

/** An internal invariant was broken. */
export class AssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AssertionError';
  }
}

/**
 * Throws an AssertionError when `condition` is false. The message is built before the call: a message made from
 * values (a template literal) costs on every call, so hot paths write `if (!condition) throw new
 * AssertionError(...)` instead.
 */
export function assert(condition: unknown, message = 'assertion failed'): asserts condition {
  if (!condition) throw new AssertionError(message);
}

/** Marks code that must be unreachable (exhaustive switches). */
export function unreachable(value: never, message = 'unreachable'): never {
  throw new AssertionError(`${message}: ${String(value)}`);
}
