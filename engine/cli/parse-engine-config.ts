// etcd's command line, environment and config file -> the member's config, or what to print instead. The order
// is etcd's: argv is read first (its syntax errors and --help stop everything), then --version, then either the
// config file (which replaces every other flag and variable) or the ETCD_* variables under the flags. Nothing
// here touches the process: the entry point passes argv and env in, prints what comes back and exits with
// the given status, and logs the warnings and notices once its logger exists.
import { readFileSync } from 'node:fs';
import { parseArgv } from './argv.ts';
import { readConfigFile } from './config-file.ts';
import { buildEngineConfig, type EngineConfig } from './engine-config.ts';
import { configFileVariable, readEnvironment } from './env-vars.ts';
import { FlagReader } from './flag-reader.ts';
import { parseFlagValue } from './flag-value.ts';
import { helpText } from './help-text.ts';
import { describeSource, type Setting } from './setting.ts';
import { validateEngineConfig } from './validate-config.ts';
import { versionText, type RuntimeInfo } from './version-text.ts';

/** What the entry point does with the command line. */
export type ConfigResult =
  | {
      action: 'run';
      config: EngineConfig;
      /** Problems that do not stop the member (ignored flags, conflicts, unsupported features), to log as warnings. */
      warnings: string[];
      /** Facts to log at info level (variables used, config file loaded). */
      notices: string[];
    }
  | { action: 'help' | 'version'; /** Print to stdout, then exit 0. */ text: string; exitCode: 0 }
  | {
      action: 'error';
      /** The problem, in etcd's words. */
      message: string;
      /** Print to stderr, then exit with `exitCode` (2: bad command-line syntax, 1: bad configuration). */
      text: string;
      exitCode: 1 | 2;
      warnings: string[];
    };

/** Optional inputs of parseEngineConfig. */
export interface ParseOptions {
  /** Reads the config file (default: node:fs, UTF-8). */
  readFile?: (path: string) => string;
  /** The command name shown in --help and hints (default 'cairn-engine'). */
  programName?: string;
  /** Shown by --version. */
  runtime?: RuntimeInfo;
}

/** Turns `argv` (without node and the script) and `env` into the member's config or an action. */
export function parseEngineConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, options: ParseOptions = {}): ConfigResult {
  const programName = options.programName ?? 'cairn-engine';
  const fail = (message: string, exitCode: 1 | 2, warnings: string[] = []): ConfigResult => ({
    action: 'error',
    message,
    text: `etcd: ${message}\nRun '${programName} --help' to see the flags Cairn accepts.\n`,
    exitCode,
    warnings,
  });

  const commandLine = parseArgv(argv);
  if (commandLine.kind === 'help') return { action: 'help', text: helpText(programName), exitCode: 0 };
  if (commandLine.kind === 'error') return fail(commandLine.message, commandLine.exitCode === 2 ? 2 : 1);
  if (commandLine.settings.get('version')?.value === true) return { action: 'version', text: versionText(options.runtime), exitCode: 0 };

  const configFile = (commandLine.settings.get('config-file')?.value as string | undefined) || env[configFileVariable] || '';
  const sources = configFile
    ? fromConfigFile(configFile, commandLine.settings, env, options.readFile ?? ((path) => readFileSync(path, 'utf8')))
    : fromCommandLine(commandLine.settings, env);
  if ('error' in sources) return fail(sources.error, 1);

  const warnings = [...sources.warnings, ...unsupportedWarnings(sources.settings)];
  const built = buildEngineConfig(new FlagReader(sources.settings), { fromFile: configFile !== '', configFile: configFile || undefined });
  if ('error' in built) return fail(built.error, 1, warnings);
  warnings.push(...built.warnings);
  const invalid = validateEngineConfig(built.config);
  if (invalid) return fail(invalid, 1, warnings);
  return { action: 'run', config: built.config, warnings, notices: sources.notices };
}

interface Sources {
  settings: Map<string, Setting>;
  warnings: string[];
  notices: string[];
}

function fromCommandLine(commandLine: Map<string, Setting>, env: Readonly<Record<string, string | undefined>>): Sources | { error: string } {
  const environment = readEnvironment(env, commandLine);
  if ('error' in environment) return environment;
  const settings = new Map([...environment.settings, ...commandLine]);
  return { settings, warnings: environment.warnings, notices: environment.notices };
}

function fromConfigFile(
  path: string,
  commandLine: Map<string, Setting>,
  env: Readonly<Record<string, string | undefined>>,
  readFile: (path: string) => string,
): Sources | { error: string } {
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    return { error: `cannot read config file ${path}: ${(error as Error).message}` };
  }
  const file = readConfigFile(path, text);
  if ('error' in file) return file;
  // As in etcd, a config file replaces every other flag and variable; say which ones were dropped.
  const ignoredFlags = [...commandLine.keys()].filter((name) => name !== 'config-file').map((name) => `--${name}`);
  const ignoredVariables = Object.keys(env)
    .filter((name) => name.startsWith('ETCD_') && name !== configFileVariable && env[name])
    .sort();
  const warnings = [...file.warnings];
  if (ignoredFlags.length + ignoredVariables.length > 0) {
    warnings.push(`config file ${path} is used, so these flags and environment variables are ignored: ${[...ignoredFlags, ...ignoredVariables].join(', ')}`);
  }
  const notices = [`loaded server configuration from ${path}; other configuration command line flags and environment variables will be ignored if provided`];
  return { settings: file.settings, warnings, notices };
}

/** A warning for every given flag of a feature Cairn does not have, unless it was set to its default. */
function unsupportedWarnings(settings: ReadonlyMap<string, Setting>): string[] {
  const warnings: string[] = [];
  for (const setting of settings.values()) {
    const { spec } = setting;
    if (!spec.unsupported) continue;
    const fallback = parseFlagValue(spec, spec.defaultValue);
    const isDefault = 'value' in fallback && JSON.stringify(fallback.value) === JSON.stringify(setting.value);
    if (isDefault && spec.kind !== 'ignored') continue;
    warnings.push(`${describeSource(setting)} is accepted for compatibility but ignored: ${spec.unsupported}`);
  }
  return warnings;
}
