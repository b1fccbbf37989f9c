// JSON with bytes, for the browser-mode socket: a Uint8Array (or Buffer) travels as {"$bytes": "<base64>"} and
// comes back as a Uint8Array, so both ends see exactly the values Electron's structured clone would give.
// Pure TypeScript (btoa/atob exist in browsers and in Node), no node:* imports.

const bytesTag = '$bytes';
/** Bytes per String.fromCharCode call: large enough to be fast, small enough for the argument-count limit. */
const base64ChunkBytes = 0x8000;

/** Base64 of bytes. */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let offset = 0; offset < bytes.length; offset += base64ChunkBytes) {
    binary += String.fromCharCode(...bytes.subarray(offset, offset + base64ChunkBytes));
  }
  return btoa(binary);
}

/** Bytes of base64 text; undefined when the text is not base64. */
export function base64ToBytes(text: string): Uint8Array | undefined {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    return undefined;
  }
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index += 1) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

/** JSON text of `value`, with every Uint8Array tagged. */
export function encodeWire(value: unknown): string {
  return JSON.stringify(value, function replacer(this: Record<string, unknown>, key: string, item: unknown) {
    // Buffer.toJSON runs before the replacer sees the value, so look at the original through `this`.
    const original = key === '' ? value : this[key];
    if (original instanceof Uint8Array) return { [bytesTag]: bytesToBase64(original) };
    return item;
  });
}

/** The value of wire JSON text; throws a SyntaxError on text that is not JSON. */
export function decodeWire(text: string): unknown {
  return JSON.parse(text, (_key, item: unknown) => {
    if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
      const record = item as Record<string, unknown>;
      const keys = Object.keys(record);
      if (keys.length === 1 && keys[0] === bytesTag && typeof record[bytesTag] === 'string') {
        const bytes = base64ToBytes(record[bytesTag]);
        if (bytes === undefined) throw new SyntaxError('invalid base64 in a $bytes value');
        return bytes;
      }
    }
    return item;
  });
}

/** UTF-8 bytes of text (for keys typed by the user). */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Text of UTF-8 bytes; invalid sequences become U+FFFD (use `isUtf8` first to know). */
export function fromUtf8(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

/** True when bytes are valid UTF-8 (so a key or value can be shown as text without loss). */
export function isUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}
