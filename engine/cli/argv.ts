// The command line, read by the rules of Go's flag package that etcd uses: "-flag" and "--flag" alike,
// "--flag=value" or "--flag value", booleans only as "--flag" or "--flag=false" (a following word is not
// their value), "--" ends the flags, and the last occurrence of a flag wins. Parsing stops at the first
// problem, and, as with etcd, a syntax problem exits with status 2 while -h/--help wins if it comes first.
// Messages are Go's, word for word, and so name a flag with one dash however it was typed ("-name").
import { findFlag } from './flag-table.ts';
import { readSetting, type Setting } from './setting.ts';

/** The outcome of reading argv. */
export type ArgvResult =
  | { kind: 'help' }
  | { kind: 'error'; message: string; exitCode: number }
  | { kind: 'settings'; settings: Map<string, Setting> };

/** Reads `argv` (without the program name). */
export function parseArgv(argv: readonly string[]): ArgvResult {
  const settings = new Map<string, Setting>();
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index]!;
    if (argument.length < 2 || !argument.startsWith('-')) return positional(argument);
    if (argument === '--') {
      const next = argv[index + 1];
      return next === undefined ? { kind: 'settings', settings } : positional(next);
    }
    const body = argument.slice(argument.startsWith('--') ? 2 : 1);
    if (body === '' || body.startsWith('-') || body.startsWith('=')) return syntaxError(`bad flag syntax: ${argument}`);
    const equals = body.indexOf('=');
    const name = equals < 0 ? body : body.slice(0, equals);
    let value = equals < 0 ? undefined : body.slice(equals + 1);
    if (name === 'h' || name === 'help') return { kind: 'help' };
    const spec = findFlag(name);
    if (!spec) return syntaxError(`flag provided but not defined: -${name}`);
    if (spec.kind === 'bool' || spec.kind === 'ignored') {
      value ??= 'true';
    } else if (value === undefined) {
      // Go takes the next argument as the value even when it starts with a dash.
      if (index + 1 >= argv.length) return syntaxError(`flag needs an argument: -${name}`);
      value = argv[++index]!;
    }
    const setting = readSetting(spec, value, { kind: 'flag' });
    if ('error' in setting) return syntaxError(setting.error);
    settings.set(spec.name, setting);
  }
  return { kind: 'settings', settings };
}

function syntaxError(message: string): ArgvResult {
  return { kind: 'error', message, exitCode: 2 };
}

function positional(argument: string): ArgvResult {
  // etcd reports a stray word after its flags as a configuration error (status 1), not a syntax error.
  return { kind: 'error', message: `'${argument}' is not a valid flag`, exitCode: 1 };
}
