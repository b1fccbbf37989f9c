// ETCD_* environment variables, as etcd's flags.SetFlagsFromEnv reads them: every flag has one (ETCD_ plus the
// name in upper snake case), empty values count as unset, and a flag given on the command line wins. etcd
// stops when a variable and a flag conflict; Cairn keeps the flag and warns, so one stale variable in a
// desktop session cannot keep the member from starting.
import { environmentName } from './flag-spec.ts';
import { flagTable } from './flag-table.ts';
import { readSetting, type Setting } from './setting.ts';

/** Settings taken from the environment, with what to tell the operator about it. */
export interface EnvironmentSettings {
  settings: Map<string, Setting>;
  warnings: string[];
  notices: string[];
}

/** The variable that names a config file; read separately because a config file disables all others. */
export const configFileVariable = environmentName('config-file');

const specByVariable = new Map(flagTable.map((spec) => [environmentName(spec.name), spec]));

/** Reads ETCD_* variables of `env` for the flags not already given in `commandLine`. */
export function readEnvironment(env: Readonly<Record<string, string | undefined>>, commandLine: ReadonlyMap<string, Setting>): EnvironmentSettings | { error: string } {
  const result: EnvironmentSettings = { settings: new Map(), warnings: [], notices: [] };
  for (const variable of Object.keys(env).sort()) {
    const value = env[variable];
    if (!variable.startsWith('ETCD_') || variable === configFileVariable || value === undefined || value === '') continue;
    const spec = specByVariable.get(variable);
    if (!spec) {
      result.warnings.push(`unrecognized environment variable ${variable}=${value}`);
    } else if (spec.name === 'version') {
      result.warnings.push(`cannot set special environment variable ${variable}=${value}`);
    } else if (commandLine.has(spec.name)) {
      result.warnings.push(`conflicting environment variable ${variable} is shadowed by corresponding command-line flag (either unset environment variable or disable flag)`);
    } else {
      const setting = readSetting(spec, value, { kind: 'env', variable });
      if ('error' in setting) return setting;
      result.settings.set(spec.name, setting);
      result.notices.push(`recognized and used environment variable ${variable}=${value}`);
    }
  }
  return result;
}
