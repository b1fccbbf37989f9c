// etcd's range arithmetic on bytes: the end of a prefix range, and a connection's key-prefix scope, which is
// added to every key sent and removed from every key received, so the GUI sees the scoped keyspace as a
// whole keyspace (as etcd's namespace client does).

/** The `\0` range end meaning "every key from key on". */
export const allKeysFrom = new Uint8Array([0]);

/** The smallest key greater than every key starting with `prefix` (etcd's GetPrefixRangeEnd). */
export function prefixEnd(prefix: Uint8Array): Uint8Array {
  const end = Uint8Array.from(prefix);
  for (let index = end.length - 1; index >= 0; index -= 1) {
    if (end[index]! < 0xff) {
      end[index] = end[index]! + 1;
      return end.subarray(0, index + 1);
    }
  }
  // All 0xff (or empty): no key is greater, so the range runs to the end of the keyspace.
  return allKeysFrom;
}

/** The key right after `key` in byte order (`key + \0`), to continue a listing after the last key seen. */
export function keyAfter(key: Uint8Array): Uint8Array {
  const next = new Uint8Array(key.length + 1);
  next.set(key);
  return next;
}

/** Concatenation of two byte arrays. */
export function concatBytes(first: Uint8Array, second: Uint8Array): Uint8Array {
  const joined = new Uint8Array(first.length + second.length);
  joined.set(first);
  joined.set(second, first.length);
  return joined;
}

/** True when `key` starts with `prefix`. */
export function startsWith(key: Uint8Array, prefix: Uint8Array): boolean {
  if (key.length < prefix.length) return false;
  for (let index = 0; index < prefix.length; index += 1) if (key[index] !== prefix[index]) return false;
  return true;
}

/** A key-prefix scope: everything the GUI reads and writes lives under `prefix`. */
export class KeyScope {
  /** A scope; an empty prefix is the whole keyspace. */
  constructor(readonly prefix: Uint8Array) {}

  /** The key on the server. */
  key(key: Uint8Array): Uint8Array {
    return this.prefix.length === 0 ? key : concatBytes(this.prefix, key);
  }

  /**
   * The first key of a range on the server. etcd refuses an empty key ("key is not provided"), and a range from
   * the empty key means "from the first key", so that start is sent as `\0`, as etcdctl and clientv3 do.
   */
  rangeStart(key: Uint8Array): Uint8Array {
    const server = this.key(key);
    return server.length === 0 ? allKeysFrom : server;
  }

  /** The range end on the server: "to the end of the keyspace" becomes "to the end of the scope". */
  rangeEnd(rangeEnd: Uint8Array | undefined): Uint8Array | undefined {
    if (rangeEnd === undefined || rangeEnd.length === 0 || this.prefix.length === 0) return rangeEnd;
    if (rangeEnd.length === 1 && rangeEnd[0] === 0) return prefixEnd(this.prefix);
    return concatBytes(this.prefix, rangeEnd);
  }

  /** The key as the GUI sees it. */
  strip(key: Uint8Array): Uint8Array {
    return this.prefix.length > 0 && startsWith(key, this.prefix) ? key.subarray(this.prefix.length) : key;
  }
}
