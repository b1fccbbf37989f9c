// Turns responses and errors into plain, comparable values. Two servers of one cluster size differ legitimately
// only in their identities and timing, so those fields are dropped: `header.cluster_id`, `header.member_id` and
// `header.raft_term` (at every depth, nested txn headers included). Revisions, counts and everything else stay.
import { isServiceError } from '../support/grpc-client.ts';

/** A normalized answer: a response, a gRPC error (code and message), or a client-side failure (e.g. a timeout). */
export type Outcome =
  | { response: unknown }
  | { error: { code: number; details: string } }
  | { failure: string };

const identityHeaderFields = new Set(['cluster_id', 'member_id', 'raft_term']);

/** Shows bytes as text when they are printable ASCII, else as hex, so reports stay readable and exact. */
export function bytesText(bytes: Buffer | Uint8Array): string {
  const buffer = Buffer.from(bytes);
  return /^[\x20-\x7e]*$/.test(buffer.toString('latin1')) ? buffer.toString('latin1') : `0x${buffer.toString('hex')}`;
}

/** A deep copy with bytes as text, `undefined` fields dropped and identity fields removed from headers. */
export function normalize(value: unknown, field?: string): unknown {
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return bytesText(value);
  if (Array.isArray(value)) return value.map((item) => normalize(item));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value)
    .filter(([name, inner]) => inner !== undefined && !(field === 'header' && identityHeaderFields.has(name)))
    .map(([name, inner]) => [name, normalize(inner, name)]);
  return Object.fromEntries(entries);
}

/** The outcome of a call that threw: its gRPC status if it has one, else the failure text. */
export function errorOutcome(error: unknown): Outcome {
  if (isServiceError(error)) return { error: { code: error.code, details: error.details } };
  return { failure: error instanceof Error ? error.message : String(error) };
}

/** Runs a call and normalizes what it returned or threw; `adjust` fixes fields that legitimately vary. */
export async function outcomeOf(call: () => Promise<unknown>, adjust?: (response: Record<string, unknown>) => void):
  Promise<Outcome> {
  try {
    const response = normalize(await call()) as Record<string, unknown>;
    adjust?.(response);
    return { response };
  } catch (error) {
    return errorOutcome(error);
  }
}

/** The path of the first difference between two normalized values, or undefined when they are equal. */
export function firstDifference(left: unknown, right: unknown, path = '$'): string | undefined {
  if (Object.is(left, right)) return undefined;
  if (typeof left !== 'object' || typeof right !== 'object' || left === null || right === null) return path;
  if (Array.isArray(left) !== Array.isArray(right)) return path;
  if (Array.isArray(left) && Array.isArray(right)) {
    for (let index = 0; index < Math.max(left.length, right.length); index += 1) {
      if (index >= left.length || index >= right.length) return `${path}[${index}]`;
      const inner = firstDifference(left[index], right[index], `${path}[${index}]`);
      if (inner) return inner;
    }
    return undefined;
  }
  const leftRecord = left as Record<string, unknown>;
  const rightRecord = right as Record<string, unknown>;
  for (const name of new Set([...Object.keys(leftRecord), ...Object.keys(rightRecord)])) {
    if (!(name in leftRecord) || !(name in rightRecord)) return `${path}.${name}`;
    const inner = firstDifference(leftRecord[name], rightRecord[name], `${path}.${name}`);
    if (inner) return inner;
  }
  return undefined;
}

/** JSON for reports: bytes as text, compact but one value per line at the top level. */
export function describe(value: unknown): string {
  return JSON.stringify(normalizeForPrint(value), null, 1).replace(/\n\s*/g, ' ');
}

function normalizeForPrint(value: unknown): unknown {
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return bytesText(value);
  if (Array.isArray(value)) return value.map(normalizeForPrint);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, normalizeForPrint(inner)]));
}
