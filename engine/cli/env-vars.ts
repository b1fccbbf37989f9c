// ETCD_* environment variables, as etcd's flags.SetFlagsFromEnv reads them: every flag has one (ETCD_ plus the
// name in upper snake case) and empty values count as unset. A variable whose flag is also given on the command
// line is a fatal error, as in etcd 3.4, even when the variable is empty: the operator meant one of the two, and
// silently picking one would hide a stale setting. The steps run in etcd's order, so that a run with several
// problems reports the same one etcd would: variables are applied in flag-name order (the last bad value is the
// one reported), then every variable is checked in environment order (the first conflict stops the run, and
// unknown ETCD_* names are warned about), and only then does a bad value fail the run.
import { environmentName } from './flag-spec.ts';
import { flagTable } from './flag-table.ts';
import { readSetting, type Setting } from './setting.ts';

/** Settings taken from the environment, with what to tell the operator about it. */
export interface EnvironmentSettings {
  settings: Map<string, Setting>;
  warnings: string[];
  notices: string[];
}

/** Why the environment cannot be used: a variable shadowed by a flag, or a value its flag cannot take. */
export interface EnvironmentError {
  kind: 'conflict' | 'invalid';
  error: string;
  /** Warnings found before the error, which etcd prints before it stops. */
  warnings: string[];
}

/** The variable that names a config file; read separately because a config file disables all others. */
export const configFileVariable = environmentName('config-file');

/** The variable of --version, which etcd 3.5 refuses to take from the environment. */
const versionVariable = environmentName('version');

/** Flags in the order Go's FlagSet.VisitAll visits them: sorted by name. */
const flagsByName = [...flagTable].sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0));

const specByVariable = new Map(flagTable.map((spec) => [environmentName(spec.name), spec]));

/** Reads the ETCD_* variables of `env` for the flags not given in `commandLine`; any flag given in both is an error. */
export function readEnvironment(env: Readonly<Record<string, string | undefined>>, commandLine: ReadonlyMap<string, Setting>): EnvironmentSettings | EnvironmentError {
  const result: EnvironmentSettings = { settings: new Map(), warnings: [], notices: [] };
  const used = new Set<string>();
  const version = env[versionVariable];
  if (version !== undefined && version !== '') {
    // etcd 3.5 drops this variable before reading the others, so it neither sets --version nor conflicts with it.
    result.warnings.push(`cannot set special environment variable ${versionVariable}=${version}`);
    used.add(versionVariable);
  }
  let invalid: string | undefined;
  for (const spec of flagsByName) {
    const variable = environmentName(spec.name);
    const value = env[variable];
    if (used.has(variable) || commandLine.has(spec.name) || value === undefined || value === '') continue;
    used.add(variable);
    const setting = readSetting(spec, value, { kind: 'env', variable });
    if ('error' in setting) {
      invalid = setting.error; // Go keeps the last error and goes on, so the conflict check below still runs.
      continue;
    }
    result.settings.set(spec.name, setting);
    result.notices.push(`recognized and used environment variable ${variable}=${value}`);
  }
  for (const variable of Object.keys(env)) {
    if (used.has(variable) || env[variable] === undefined) continue;
    const spec = specByVariable.get(variable);
    if (spec && commandLine.has(spec.name)) {
      const error = `conflicting environment variable ${JSON.stringify(variable)} is shadowed by corresponding command-line flag (either unset environment variable or disable flag)`;
      return { kind: 'conflict', error, warnings: result.warnings };
    }
    if (variable.startsWith('ETCD_')) result.warnings.push(`unrecognized environment variable ${variable}=${env[variable]}`);
  }
  if (invalid !== undefined) return { kind: 'invalid', error: invalid, warnings: result.warnings };
  return result;
}
