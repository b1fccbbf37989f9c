// etcd's command line, environment and config file -> the member's config, or what to print instead. The order
// is etcd's: argv is read first (its syntax errors and --help stop everything), then --version, then either the
// config file (which replaces every other flag and variable) or the ETCD_* variables under the flags. Nothing
// here touches the process: the entry point passes argv and env in, prints what comes back and exits with
// the given status, and logs the warnings and notices once its logger exists. What is printed on failure is what
// etcd 3.4 prints, so that scripts and operators used to etcd read the same lines: Go's flag package message and
// the usage lines for a syntax error (status 2), and capnslog lines for a configuration error (status 1).
import { readFileSync } from 'node:fs';
import { parseArgv } from './argv.ts';
import { capnslogLine } from './capnslog-line.ts';
import { readConfigFile } from './config-file.ts';
import { buildEngineConfig, type EngineConfig } from './engine-config.ts';
import { configFileVariable, readEnvironment } from './env-vars.ts';
import { FlagReader } from './flag-reader.ts';
import { parseFlagValue } from './flag-value.ts';
import { goPathError } from './go-path-error.ts';
import { flagListText, usageText } from './help-text.ts';
import { describeSource, type Setting } from './setting.ts';
import { validateEngineConfig } from './validate-config.ts';
import { versionText, type RuntimeInfo } from './version-text.ts';

/** What the entry point does with the command line. */
export type ConfigResult =
  | {
      action: 'run';
      config: EngineConfig;
      /** Problems that do not stop the member (ignored flags, unknown variables, unsupported features), to log as warnings. */
      warnings: string[];
      /** Facts to log at info level (variables used, config file loaded). */
      notices: string[];
    }
  | {
      action: 'help';
      /** The usage lines, which etcd writes to stderr. */
      usage: string;
      /** The flag list, which etcd writes to stdout. */
      flagList: string;
      /** The usage lines and then the flag list, for an entry point that prints all of the help to stdout. */
      text: string;
      exitCode: 0;
    }
  | { action: 'version'; /** Print to stdout, then exit 0. */ text: string; exitCode: 0 }
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
  /** The command name shown in the usage lines and error hints (default 'etcd', since Cairn stands in for it). */
  programName?: string;
  /** Shown by --version. */
  runtime?: RuntimeInfo;
  /** The time stamped on error lines (default: the current time). */
  now?: () => Date;
}

/** How a failure is reported: a Go flag syntax error, an etcd configuration error, or a shadowed ETCD_* variable. */
type FailureKind = 'syntax' | 'configuration' | 'conflict';

/** Turns `argv` (without node and the script) and `env` into the member's config or an action. */
export function parseEngineConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, options: ParseOptions = {}): ConfigResult {
  const programName = options.programName ?? 'etcd';
  const commandLine = parseArgv(argv);
  if (commandLine.kind === 'help') {
    const usage = usageText(programName);
    const flagList = flagListText();
    return { action: 'help', usage, flagList, text: usage + flagList, exitCode: 0 };
  }
  if (commandLine.kind === 'error') {
    const kind = commandLine.exitCode === 2 ? 'syntax' : 'configuration';
    return failure(kind, commandLine.message, { programName, now: options.now });
  }
  if (commandLine.settings.get('version')?.value === true) return { action: 'version', text: versionText(options.runtime), exitCode: 0 };

  const configFile = (commandLine.settings.get('config-file')?.value as string | undefined) || env[configFileVariable] || '';
  const context: FailureContext = { programName, now: options.now, configFile: configFile || undefined };
  const sources = configFile
    ? fromConfigFile(configFile, commandLine.settings, env, options.readFile ?? ((path) => readFileSync(path, 'utf8')))
    : fromCommandLine(commandLine.settings, env);
  if ('error' in sources) return failure(sources.kind, sources.error, { ...context, warnings: sources.warnings });

  const warnings = [...sources.warnings, ...unsupportedWarnings(sources.settings)];
  const built = buildEngineConfig(new FlagReader(sources.settings), { fromFile: configFile !== '', configFile: configFile || undefined });
  if ('error' in built) return failure('configuration', built.error, { ...context, warnings });
  warnings.push(...built.warnings);
  const invalid = validateEngineConfig(built.config);
  if (invalid) return failure('configuration', invalid, { ...context, warnings });
  return { action: 'run', config: built.config, warnings, notices: sources.notices };
}

interface FailureContext {
  programName: string;
  now: (() => Date) | undefined;
  /** The config file in use, which etcd announces before it reports any configuration error. */
  configFile?: string;
  warnings?: string[];
}

/** The error result, with the text etcd 3.4 writes to stderr for this kind of failure. */
function failure(kind: FailureKind, message: string, context: FailureContext): ConfigResult {
  const now = (context.now ?? (() => new Date()))();
  let text: string;
  if (kind === 'syntax') {
    // Go's flag package prints its message, then etcd's usage function prints the usage lines.
    text = `${message}\n${usageText(context.programName)}`;
  } else if (kind === 'conflict') {
    text = `${capnslogLine(now, 'C', 'pkg/flags', message)}\n`;
  } else {
    const lines: string[] = [];
    if (context.configFile !== undefined) {
      const loading = `Loading server configuration from ${JSON.stringify(context.configFile)}. Other configuration command line flags and environment variables will be ignored if provided.`;
      lines.push(capnslogLine(now, 'I', 'etcdmain', loading));
    }
    lines.push(capnslogLine(now, 'E', 'etcdmain', `error verifying flags, ${message}. See '${context.programName} --help'.`));
    text = `${lines.join('\n')}\n`;
  }
  return { action: 'error', message, text, exitCode: kind === 'syntax' ? 2 : 1, warnings: context.warnings ?? [] };
}

interface Sources {
  settings: Map<string, Setting>;
  warnings: string[];
  notices: string[];
}

/** Why the sources cannot be used. */
interface SourcesError {
  kind: FailureKind;
  error: string;
  warnings: string[];
}

function fromCommandLine(commandLine: Map<string, Setting>, env: Readonly<Record<string, string | undefined>>): Sources | SourcesError {
  const environment = readEnvironment(env, commandLine);
  if ('error' in environment) return { ...environment, kind: environment.kind === 'conflict' ? 'conflict' : 'configuration' };
  const settings = new Map([...environment.settings, ...commandLine]);
  return { settings, warnings: environment.warnings, notices: environment.notices };
}

function fromConfigFile(
  path: string,
  commandLine: Map<string, Setting>,
  env: Readonly<Record<string, string | undefined>>,
  readFile: (path: string) => string,
): Sources | SourcesError {
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    return { kind: 'configuration', error: goPathError(error, path), warnings: [] };
  }
  const file = readConfigFile(path, text);
  if ('error' in file) return { kind: 'configuration', error: file.error, warnings: [] };
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
