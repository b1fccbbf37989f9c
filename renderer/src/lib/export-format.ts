// The JSON file a prefix is exported to and imported from. Keys and values are kept as text when they are
// printable UTF-8 (so the file is readable and diffable) and as base64 otherwise (so nothing is corrupted).
import { decodeUtf8, fromBase64, isText, toBase64, utf8Bytes } from './bytes.ts';

/** The format tag at the top of every export file. */
export const exportFormat = 'cairn-export/1';

/** One key of an export file. */
export interface ExportEntry {
  key: string;
  value: string;
  keyEncoding?: 'base64';
  valueEncoding?: 'base64';
}

/** An export file. */
export interface ExportFile {
  format: typeof exportFormat;
  prefix: string;
  revision: number;
  exportedAt: string;
  keys: ExportEntry[];
}

/** Encodes one key and value for the file. */
export function toEntry(key: Uint8Array, value: Uint8Array): ExportEntry {
  const keyText = isText(key) ? decodeUtf8(key)! : null;
  const valueText = isText(value) ? decodeUtf8(value)! : null;
  return {
    key: keyText ?? toBase64(key),
    value: valueText ?? toBase64(value),
    ...(keyText === null ? { keyEncoding: 'base64' as const } : {}),
    ...(valueText === null ? { valueEncoding: 'base64' as const } : {}),
  };
}

/** Parses and checks an export file; the error names the first problem in words. */
export function parseExport(text: string): { file: ExportFile; pairs: { key: Uint8Array; value: Uint8Array }[] } | { error: string } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { error: 'The file is not JSON.' };
  }
  const file = data as Partial<ExportFile>;
  if (typeof data !== 'object' || data === null || file.format !== exportFormat) return { error: `The file is not a Cairn export (its "format" is not "${exportFormat}").` };
  if (!Array.isArray(file.keys)) return { error: 'The file has no "keys" list.' };
  const pairs: { key: Uint8Array; value: Uint8Array }[] = [];
  for (const [index, entry] of file.keys.entries()) {
    if (typeof entry?.key !== 'string' || typeof entry.value !== 'string' || entry.key === '') return { error: `Entry ${index + 1} needs a non-empty "key" and a "value" string.` };
    const key = entry.keyEncoding === 'base64' ? fromBase64(entry.key) : utf8Bytes(entry.key);
    const value = entry.valueEncoding === 'base64' ? fromBase64(entry.value) : utf8Bytes(entry.value);
    if (!key || !value) return { error: `Entry ${index + 1} has invalid base64.` };
    pairs.push({ key, value });
  }
  return { file: file as ExportFile, pairs };
}
