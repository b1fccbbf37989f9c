// The lease of every live key that has one. etcd asks its lessor for a key's lease when a put or delete must
// detach it; we keep our own copy here instead, so that neither a put nor a delete has to read the key's old
// value from the backend (a 1.5 MiB copy for a large value, a million reads for a large delete), and so that
// the lessor is told about changes only after they commit. Changes made by a transaction can be undone.
import type { KeyString } from './key-range.ts';

/** Previous leases of the keys a transaction changed, newest last. */
export type KeyLeasesUndo = Array<{ key: KeyString; previous: bigint }>;

/** Key -> lease for the live keys that carry a lease. */
export class KeyLeases {
  private readonly byKey = new Map<KeyString, bigint>();

  /** Forgets every key's lease. */
  clear(): void {
    this.byKey.clear();
  }

  /** Number of keys with a lease. */
  get size(): number {
    return this.byKey.size;
  }

  /** The lease of `key`, 0 when it has none (or does not exist). */
  get(key: KeyString): bigint {
    return this.byKey.get(key) ?? 0n;
  }

  /** Sets the lease of `key` (0: none), recording the previous one in `undo` when given. */
  set(key: KeyString, lease: bigint, undo?: KeyLeasesUndo): void {
    undo?.push({ key, previous: this.get(key) });
    if (lease === 0n) this.byKey.delete(key);
    else this.byKey.set(key, lease);
  }

  /** Reverts the changes in `undo`, newest first. */
  undo(undo: KeyLeasesUndo): void {
    for (let index = undo.length - 1; index >= 0; index--) {
      const { key, previous } = undo[index]!;
      this.set(key, previous);
    }
    undo.length = 0;
  }
}
