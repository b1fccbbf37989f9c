// A flag value together with where it came from, so that errors and warnings can name the exact flag,
// environment variable or config-file key the operator has to fix.
import type { FlagSpec, FlagValue } from './flag-spec.ts';
import { parseFlagValue, type RawValue } from './flag-value.ts';

/** Where a value was given. */
export type SettingSource = { kind: 'flag' } | { kind: 'env'; variable: string } | { kind: 'file'; path: string; key: string };

/** One flag's parsed value and its source. */
export interface Setting {
  spec: FlagSpec;
  value: FlagValue;
  source: SettingSource;
}

/** Parses `raw` for `spec`; on failure returns the error message in etcd's (or Go's flag package's) wording for that source. */
export function readSetting(spec: FlagSpec, raw: RawValue, source: SettingSource): Setting | { error: string } {
  const parsed = parseFlagValue(spec, raw);
  if ('value' in parsed) return { spec, value: parsed.value, source };
  const shown = JSON.stringify(typeof raw === 'string' ? raw : String(raw));
  switch (source.kind) {
    case 'flag':
      // Go's flag package words a boolean differently from every other kind of flag.
      return spec.kind === 'bool'
        ? { error: `invalid boolean value ${shown} for -${spec.name}: ${parsed.error}` }
        : { error: `invalid value ${shown} for flag -${spec.name}: ${parsed.error}` };
    case 'env':
      return { error: `invalid value ${shown} for ${source.variable}: ${parsed.error}` };
    case 'file':
      return { error: `invalid value ${shown} for "${source.key}" in config file ${source.path}: ${parsed.error}` };
  }
}

/** How a source is named in messages: "--name", "ETCD_NAME" or "name in /path/etcd.yml". */
export function describeSource(setting: Setting): string {
  switch (setting.source.kind) {
    case 'flag':
      return `--${setting.spec.name}`;
    case 'env':
      return setting.source.variable;
    case 'file':
      return `"${setting.source.key}" in ${setting.source.path}`;
  }
}
