// etcd's YAML configuration file (--config-file): top-level keys named like the flags ("name", "data-dir",
// "listen-client-urls" as a comma-separated string, "initial-cluster", ...), and TLS settings nested under
// "client-transport-security" and "peer-transport-security". etcd silently ignores keys it does not know;
// Cairn warns about them, since a misspelt key otherwise goes unnoticed.
import { parse as parseYaml } from 'yaml';
import { findFlag, flagTable } from './flag-table.ts';
import type { RawValue } from './flag-value.ts';
import { readSetting, type Setting } from './setting.ts';

/** Settings read from a config file. */
export interface FileSettings {
  settings: Map<string, Setting>;
  warnings: string[];
}

/** Keys of the two TLS sections, mapped to the flags they set. */
const securitySections: Record<string, Record<string, string>> = {
  'client-transport-security': {
    'cert-file': 'cert-file',
    'key-file': 'key-file',
    'client-cert-file': 'client-cert-file',
    'client-key-file': 'client-key-file',
    'client-cert-auth': 'client-cert-auth',
    'trusted-ca-file': 'trusted-ca-file',
    'auto-tls': 'auto-tls',
    'allowed-hostname': 'client-cert-allowed-hostname',
  },
  'peer-transport-security': {
    'cert-file': 'peer-cert-file',
    'key-file': 'peer-key-file',
    'client-cert-file': 'peer-client-cert-file',
    'client-key-file': 'peer-client-key-file',
    'client-cert-auth': 'peer-client-cert-auth',
    'trusted-ca-file': 'peer-trusted-ca-file',
    'auto-tls': 'peer-auto-tls',
    'allowed-cn': 'peer-cert-allowed-cn',
    'allowed-hostname': 'peer-cert-allowed-hostname',
    'skip-client-san-verification': 'experimental-peer-skip-client-san-verification',
  },
};

const specByFileKey = new Map(
  flagTable.filter((spec) => spec.fileKey !== null && spec.kind !== 'ignored').map((spec) => [spec.fileKey ?? spec.name, spec]),
);

/** Reads the YAML `text` of the config file at `path`. */
export function readConfigFile(path: string, text: string): FileSettings | { error: string } {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    // The yaml package appends a code frame to its message; keep the first line, so the error stays one log line.
    const reason = (error as Error).message.split('\n')[0]!.replace(/:$/, '');
    return { error: `error parsing config file ${path}: ${reason}` };
  }
  const result: FileSettings = { settings: new Map(), warnings: [] };
  if (document === null || document === undefined) return result;
  if (!isMapping(document)) return { error: `error parsing config file ${path}: the document must be a mapping of keys to values` };
  for (const [key, value] of Object.entries(document)) {
    const section = securitySections[key];
    const error = section ? readSection(path, key, value, section, result) : readKey(path, key, value, specByFileKey.get(key)?.name, result);
    if (error) return { error };
  }
  return result;
}

function readSection(path: string, sectionKey: string, value: unknown, section: Record<string, string>, result: FileSettings): string | undefined {
  if (value === null) return undefined;
  if (!isMapping(value)) return `invalid value for "${sectionKey}" in config file ${path}: expected a mapping`;
  for (const [key, nested] of Object.entries(value)) {
    const error = readKey(path, `${sectionKey}.${key}`, nested, section[key], result);
    if (error) return error;
  }
  return undefined;
}

function readKey(path: string, key: string, value: unknown, flagName: string | undefined, result: FileSettings): string | undefined {
  const spec = flagName === undefined ? undefined : findFlag(flagName);
  if (!spec) {
    result.warnings.push(`unknown key "${key}" in config file ${path} is ignored`);
    return undefined;
  }
  if (value === null || value === undefined) return undefined; // "key:" with nothing after it leaves the default
  if (!isRawValue(value)) return `invalid value for "${key}" in config file ${path}: expected a scalar or a list`;
  const setting = readSetting(spec, value, { kind: 'file', path, key });
  if ('error' in setting) return setting.error;
  result.settings.set(spec.name, setting);
  return undefined;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isRawValue(value: unknown): value is RawValue {
  const scalar = (item: unknown) => ['string', 'number', 'boolean'].includes(typeof item);
  return scalar(value) || (Array.isArray(value) && value.every(scalar));
}
