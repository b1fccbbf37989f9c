// Guessing and checking the format of a text value so the editor can highlight it and warn before a save
// writes a broken document. Detection is a best guess; validation is exact for JSON and YAML.
import { parseDocument } from 'yaml';
import { findJsonError } from './json-position.ts';

/** The formats the key editor knows; `text` means no structure was recognised. */
export type ValueFormat = 'json' | 'yaml' | 'toml' | 'xml' | 'text';

/** A problem found while validating, with a 1-based position when the parser reports one. */
export interface FormatProblem {
  message: string;
  line?: number;
  column?: number;
}

/** Guesses the format of a text value from its content. */
export function detectFormat(text: string): ValueFormat {
  const trimmed = text.trim();
  if (trimmed === '') return 'text';
  if ((trimmed.startsWith('{') && trimmed.endsWith('}')) || (trimmed.startsWith('[') && trimmed.endsWith(']'))) {
    if (validateFormat(trimmed, 'json').length === 0) return 'json';
  }
  if (/^<(\?xml|[A-Za-z_][\w.-]*)[\s\S]*>$/.test(trimmed)) return 'xml';
  if (looksLikeToml(trimmed)) return 'toml';
  if (looksLikeYaml(trimmed) && validateFormat(trimmed, 'yaml').length === 0) return 'yaml';
  return 'text';
}

function looksLikeToml(text: string): boolean {
  const lines = text.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
  if (lines.length === 0) return false;
  const tomlLine = /^(\[\[?[\w.\-" ]+\]\]?|[\w.\-"]+\s*=\s*.+)$/;
  return lines.every((line) => tomlLine.test(line)) && lines.some((line) => line.includes('='));
}

function looksLikeYaml(text: string): boolean {
  // A YAML document must have structure (a mapping or a sequence); a bare word also parses as YAML.
  return /^(---\s*$|[\w"'.\-/ ]+:(\s|$)|- )/m.test(text) && text.includes('\n') || /^[\w"'.-]+:\s+\S/.test(text);
}

/** Validates text as the given format; an empty list means valid (text, TOML and XML are not checked). */
export function validateFormat(text: string, format: ValueFormat): FormatProblem[] {
  if (format === 'json') return validateJson(text);
  if (format === 'yaml') {
    const document = parseDocument(text, { prettyErrors: true });
    return document.errors.map((error) => ({
      // The yaml package appends the position to its message; it is shown separately.
      message: error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''),
      line: error.linePos?.[0].line,
      column: error.linePos?.[0].col,
    }));
  }
  return [];
}

function validateJson(text: string): FormatProblem[] {
  const error = findJsonError(text);
  if (!error) return [];
  const before = text.slice(0, error.offset).split('\n');
  return [{ message: `Invalid JSON: ${error.reason}`, line: before.length, column: before.at(-1)!.length + 1 }];
}

/** Pretty-prints JSON with two-space indentation; other formats are returned unchanged. */
export function formatValue(text: string, format: ValueFormat): string {
  if (format !== 'json') return text;
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** The Monaco language id for a format. */
export function monacoLanguage(format: ValueFormat): string {
  return { json: 'json', yaml: 'yaml', toml: 'ini', xml: 'xml', text: 'plaintext' }[format];
}
