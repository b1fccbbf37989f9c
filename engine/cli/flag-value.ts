// Reads one flag value, from the command line or an environment variable (always text) or from the YAML config
// file (text, numbers, booleans or lists). Text follows Go's flag package rules (strconv.ParseBool, ParseInt
// and ParseUint with base prefixes, time.ParseDuration) and its error texts, which hide strconv's and time's
// details behind "parse error" and "value out of range"; file values follow etcd's YAML decoding, where a
// duration given as a number counts nanoseconds.
import type { FlagSpec, FlagValue } from './flag-spec.ts';
import { parseGoDuration } from '../common/go-duration.ts';
import { parseUrlList } from './url-list.ts';

/** A value before parsing: text from argv or the environment, or any YAML scalar or list. */
export type RawValue = string | number | boolean | readonly unknown[];

/** The parsed value, or the reason the raw value is not acceptable (without naming its source). */
export type ParsedValue = { value: FlagValue } | { error: string };

const parseError = { error: 'parse error' };
const rangeError = { error: 'value out of range' };

/** Parses `raw` as the value of `spec`. */
export function parseFlagValue(spec: FlagSpec, raw: RawValue): ParsedValue {
  switch (spec.kind) {
    case 'ignored':
      return { value: '' };
    case 'string':
      return Array.isArray(raw) ? parseError : { value: String(raw) };
    case 'bool':
      return typeof raw === 'boolean' ? { value: raw } : typeof raw === 'string' ? parseBool(raw) : parseError;
    case 'uint':
      return parseInteger(raw, 0, Number.MAX_SAFE_INTEGER, false);
    case 'uint32':
      return parseUint32(raw);
    case 'int':
      return parseInteger(raw, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, true);
    case 'duration':
      return parseDuration(raw);
    case 'listen-urls':
    case 'advertise-urls': {
      const text = Array.isArray(raw) ? raw.map(String).join(',') : String(raw);
      const parsed = parseUrlList(text, spec.kind === 'listen-urls' ? 'listen' : 'advertise');
      return 'error' in parsed ? parsed : { value: parsed.urls };
    }
    case 'list':
      return { value: parseList(raw) };
    case 'choice':
      return parseChoice(spec, raw);
  }
}

/** Go's strconv.ParseBool. */
function parseBool(text: string): ParsedValue {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return { value: true };
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return { value: false };
  return parseError;
}

/** Go's strconv.ParseInt (`signed`) or ParseUint, which takes no sign at all, so "-1" is a syntax error there. */
function parseInteger(raw: RawValue, min: number, max: number, signed: boolean): ParsedValue {
  let value: number;
  if (typeof raw === 'number') {
    if (!Number.isInteger(raw)) return parseError;
    value = raw;
  } else if (typeof raw === 'string') {
    if (!signed && /^[+-]/.test(raw)) return parseError;
    const parsed = parseGoInteger(raw);
    if (parsed === undefined) return parseError;
    if (parsed < BigInt(min) || parsed > BigInt(max)) return rangeError;
    value = Number(parsed);
  } else {
    return parseError;
  }
  return value < min || value > max ? rangeError : { value };
}

/** etcd's own uint32 flag type, which passes strconv.ParseUint's error through unchanged. */
function parseUint32(raw: RawValue): ParsedValue {
  const parsed = parseInteger(raw, 0, 0xffff_ffff, false);
  if (typeof raw !== 'string' || 'value' in parsed) return parsed;
  const reason = parsed.error === rangeError.error ? 'value out of range' : 'invalid syntax';
  return { error: `strconv.ParseUint: parsing ${JSON.stringify(raw)}: ${reason}` };
}

/** Go's strconv.ParseInt with base 0: decimal, 0x hex, 0o or leading-zero octal, 0b binary. */
function parseGoInteger(text: string): bigint | undefined {
  const match = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
  if (!match) return undefined;
  const [, sign, digits] = match as unknown as [string, string, string];
  const magnitude = /^0[0-7]+$/.test(digits) ? BigInt(`0o${digits.slice(1)}`) : BigInt(digits);
  return sign === '-' ? -magnitude : magnitude;
}

function parseDuration(raw: RawValue): ParsedValue {
  // etcd decodes YAML through JSON into time.Duration: a number there is nanoseconds.
  if (typeof raw === 'number') return Number.isFinite(raw) ? { value: raw / 1e6 } : parseError;
  if (typeof raw !== 'string') return parseError;
  const parsed = parseGoDuration(raw);
  return 'error' in parsed ? parseError : { value: parsed.ms };
}

/** Comma-separated text or a YAML list; blanks and duplicates are dropped, order is kept. */
function parseList(raw: RawValue): string[] {
  const items = Array.isArray(raw) ? raw.map(String) : String(raw).split(',');
  return [...new Set(items.map((item) => item.trim()).filter((item) => item !== ''))];
}

function parseChoice(spec: FlagSpec, raw: RawValue): ParsedValue {
  const choices = spec.choices ?? [];
  const text = String(raw);
  if (!Array.isArray(raw) && choices.includes(text)) return { value: text };
  const listed = choices.map((choice) => `'${choice}'`);
  return { error: `valid values are ${listed.slice(0, -1).join(', ')} or ${listed.at(-1)}` };
}
