// protobufjs reads a string given for a `bytes` field as base64, so `{ key: 'foo' }` would silently send the
// bytes 0x7e 0x8a. Tests and the bench mean text, so the client turns strings in etcd's byte fields (`key`,
// `range_end`, `value`: bytes in every etcd message that has them) into UTF-8 Buffers before sending.

const byteFields = new Set(['key', 'range_end', 'value']);

/** `request` with strings in byte fields (at any depth) replaced by their UTF-8 bytes; copied only if needed. */
export function withUtf8Bytes<T>(request: T): T {
  // The bench sends Buffers already; checking first keeps its hot path free of copies.
  return needsConversion(request, undefined) ? convert(request, undefined) as T : request;
}

function needsConversion(value: unknown, field: string | undefined): boolean {
  if (typeof value === 'string') return field !== undefined && byteFields.has(field);
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value) || value instanceof Uint8Array) return false;
  if (Array.isArray(value)) return value.some((item) => needsConversion(item, undefined));
  for (const name in value) if (needsConversion((value as Record<string, unknown>)[name], name)) return true;
  return false;
}

function convert(value: unknown, field: string | undefined): unknown {
  if (typeof value === 'string') return field !== undefined && byteFields.has(field) ? Buffer.from(value, 'utf8') : value;
  if (Array.isArray(value)) return value.map((item) => convert(item, undefined));
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value) || value instanceof Uint8Array) return value;
  return Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, convert(inner, name)]));
}
