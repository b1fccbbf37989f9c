// A tiny runtime type checker for IPC arguments. Each Check both validates an unknown value and types it, and
// `object<T>()` takes one Check per property of T, so the compiler refuses a validator that drifts from the
// contract's interfaces. Objects are strict: an unknown property is an error, which catches renderer typos.

/** The outcome of one check: the typed value, or the first problem in words with the path to it. */
export type CheckResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** Validates `value` found at `path` (e.g. `args.endpoints[2]`). */
export type Check<T> = (value: unknown, path: string) => CheckResult<T>;

/** The type a Check produces. */
export type Checked<C> = C extends Check<infer T> ? T : never;

const pass = <T>(value: T): CheckResult<T> => ({ ok: true, value });
const problem = <T>(path: string, text: string): CheckResult<T> => ({ ok: false, error: `${path} ${text}` });

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return 'bytes';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)?.slice(0, 40)}`;
}

/** Options of `text`. */
export interface TextOptions {
  min?: number;
  max: number;
  pattern?: RegExp;
  /** Words for the pattern in an error message, e.g. "a #rrggbb colour". */
  patternText?: string;
}

/** A string of bounded length (in UTF-16 units), optionally matching a pattern. */
export function text(options: TextOptions): Check<string> {
  return (value, path) => {
    if (typeof value !== 'string') return problem(path, `must be a string, not ${describe(value)}`);
    if (value.length < (options.min ?? 0)) return problem(path, `must have at least ${options.min ?? 0} characters`);
    if (value.length > options.max) return problem(path, `must have at most ${options.max} characters`);
    if (options.pattern && !options.pattern.test(value)) return problem(path, `must be ${options.patternText ?? `like ${options.pattern}`}`);
    return pass(value);
  };
}

/** Options of `integer`. */
export interface IntegerOptions {
  min: number;
  max: number;
}

/** A safe integer within [min, max]. */
export function integer(options: IntegerOptions): Check<number> {
  return (value, path) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) return problem(path, `must be an integer, not ${describe(value)}`);
    if (value < options.min || value > options.max) return problem(path, `must be between ${options.min} and ${options.max}`);
    return pass(value);
  };
}

/** A boolean. */
export function boolean(): Check<boolean> {
  return (value, path) => (typeof value === 'boolean' ? pass(value) : problem(path, `must be true or false, not ${describe(value)}`));
}

/** Bytes (a Uint8Array, which Buffers are too) of bounded length. */
export function bytes(options: { min?: number; max: number }): Check<Uint8Array> {
  return (value, path) => {
    if (!(value instanceof Uint8Array)) return problem(path, `must be bytes (Uint8Array), not ${describe(value)}`);
    if (value.length < (options.min ?? 0)) return problem(path, `must have at least ${options.min ?? 0} bytes`);
    if (value.length > options.max) return problem(path, `must have at most ${options.max} bytes`);
    return pass(value);
  };
}

/** One of the listed literal values. */
export function oneOf<const T extends readonly (string | number | boolean)[]>(values: T): Check<T[number]> {
  return (value, path) =>
    values.includes(value as T[number]) ? pass(value as T[number]) : problem(path, `must be one of ${values.map((item) => JSON.stringify(item)).join(', ')}`);
}

/** An unsigned 64-bit integer as a decimal string (etcd member and lease ids do not fit in a JS number). */
export function uint64(): Check<string> {
  return (value, path) => {
    if (typeof value !== 'string' || !/^(0|[1-9][0-9]{0,19})$/.test(value) || BigInt(value) > 0xffff_ffff_ffff_ffffn) {
      return problem(path, `must be an unsigned 64-bit integer written as a decimal string, not ${describe(value)}`);
    }
    return pass(value);
  };
}

/** The value may be missing (undefined). */
export function optional<T>(check: Check<T>): Check<T | undefined> {
  return (value, path) => (value === undefined ? pass(undefined) : check(value, path));
}

/** The value may be null. */
export function nullable<T>(check: Check<T>): Check<T | null> {
  return (value, path) => (value === null ? pass(null) : check(value, path));
}

/** An array of bounded length whose items all pass `item`. */
export function array<T>(item: Check<T>, options: { min?: number; max: number }): Check<T[]> {
  return (value, path) => {
    if (!Array.isArray(value)) return problem(path, `must be an array, not ${describe(value)}`);
    if (value.length < (options.min ?? 0)) return problem(path, `must have at least ${options.min ?? 0} items`);
    if (value.length > options.max) return problem(path, `must have at most ${options.max} items`);
    const items: T[] = [];
    for (let index = 0; index < value.length; index += 1) {
      const checked = item(value[index], `${path}[${index}]`);
      if (!checked.ok) return checked;
      items.push(checked.value);
    }
    return pass(items);
  };
}

/** One Check per property of T (optional properties take an `optional(...)` check). */
export type Shape<T> = { [K in keyof T]-?: Check<T[K]> };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/** A plain object with exactly the properties of `shape` (missing optional ones allowed, unknown ones refused). */
export function object<T>(shape: Shape<T>): Check<T> {
  const names = Object.keys(shape) as Array<keyof T & string>;
  return (value, path) => {
    if (!isPlainObject(value)) return problem(path, `must be an object, not ${describe(value)}`);
    const unknown = Object.keys(value).find((name) => !Object.prototype.hasOwnProperty.call(shape, name));
    if (unknown !== undefined) return problem(`${path}.${unknown}`, 'is not a known property');
    const result: Partial<T> = {};
    for (const name of names) {
      const checked = shape[name](value[name], `${path}.${name}`);
      if (!checked.ok) return checked as CheckResult<T>;
      if (checked.value !== undefined) result[name] = checked.value;
    }
    return pass(result as T);
  };
}

/** The members of union T whose property K can hold V. */
export type Variant<T, K extends keyof T, V> = T extends unknown ? (V extends T[K] ? T : never) : never;

/** A union of object shapes told apart by the string property `tag`. */
export function variants<T extends object, K extends keyof T & string = keyof T & string>(
  tag: K,
  choices: { [V in T[K] & string]: Check<Variant<T, K, V>> },
): Check<T> {
  const table = choices as unknown as Record<string, Check<T>>;
  return (value, path) => {
    if (!isPlainObject(value)) return problem(path, `must be an object, not ${describe(value)}`);
    const kind = value[tag];
    if (typeof kind !== 'string' || !Object.prototype.hasOwnProperty.call(table, kind)) {
      return problem(`${path}.${tag}`, `must be one of ${Object.keys(table).map((item) => JSON.stringify(item)).join(', ')}`);
    }
    return table[kind]!(value, path);
  };
}

/** No argument at all (methods without parameters); `{}` is accepted too. */
export function none(): Check<undefined> {
  return (value, path) => {
    if (value === undefined) return pass(undefined);
    if (isPlainObject(value) && Object.keys(value).length === 0) return pass(undefined);
    return problem(path, 'must be absent: this method takes no arguments');
  };
}

/** Adds a check over the whole value after its shape passed (cross-field rules). */
export function refine<T>(check: Check<T>, rule: (value: T) => string | undefined): Check<T> {
  return (value, path) => {
    const checked = check(value, path);
    if (!checked.ok) return checked;
    const error = rule(checked.value);
    return error === undefined ? checked : problem(path, error);
  };
}
