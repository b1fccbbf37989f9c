// The command line of cairn-util, read as etcdutl's (cobra/pflag) reads it: a command path of words, flags as
// "--flag value", "--flag=value" or (booleans) "--flag", flags and arguments in any order, "--" ends the flags.
// Only the commands and flags below exist; anything else is refused with cobra's words.

/** A flag of a command. */
interface FlagSpec {
  name: string;
  kind: 'string' | 'bool';
  defaultValue: string;
  usage: string;
  short?: string;
}

/** A command and its flags. */
export interface CommandSpec {
  path: 'snapshot restore' | 'snapshot status' | 'version';
  usage: string;
  short: string;
  flags: FlagSpec[];
}

const writeOut: FlagSpec = { name: 'write-out', short: 'w', kind: 'string', defaultValue: 'simple', usage: 'set the output format (fields, json, simple, table)' };

/** Every command cairn-util has. */
export const commands: CommandSpec[] = [
  {
    path: 'snapshot restore',
    usage: 'snapshot restore <filename> [options]',
    short: 'Restores an etcd member snapshot to an etcd directory',
    flags: [
      { name: 'data-dir', kind: 'string', defaultValue: '', usage: 'Path to the data directory' },
      { name: 'wal-dir', kind: 'string', defaultValue: '', usage: 'Path to the WAL directory (use --data-dir if none given)' },
      { name: 'initial-cluster', kind: 'string', defaultValue: 'default=http://localhost:2380', usage: 'Initial cluster configuration for restore bootstrap' },
      { name: 'initial-cluster-token', kind: 'string', defaultValue: 'etcd-cluster', usage: 'Initial cluster token for the etcd cluster during restore bootstrap' },
      { name: 'initial-advertise-peer-urls', kind: 'string', defaultValue: 'http://localhost:2380', usage: "List of this member's peer URLs to advertise to the rest of the cluster" },
      { name: 'name', kind: 'string', defaultValue: 'default', usage: 'Human-readable name for this member' },
      { name: 'skip-hash-check', kind: 'bool', defaultValue: 'false', usage: 'Ignore snapshot integrity hash value (required if copied from data directory)' },
    ],
  },
  { path: 'snapshot status', usage: 'snapshot status <filename>', short: 'Gets backend snapshot status of a given file', flags: [writeOut] },
  { path: 'version', usage: 'version', short: 'Prints the version of cairn-util', flags: [] },
];

/** What the command line asks for. */
export type ParsedCommand =
  | { kind: 'help'; text: string }
  | { kind: 'error'; message: string }
  | { kind: 'run'; command: CommandSpec; args: string[]; flags: Map<string, string> };

/** The help text of `command`, or of the whole tool. */
export function helpText(command?: CommandSpec): string {
  if (!command) {
    return ['cairn-util: offline tools for Cairn engine data (as etcdutl is for etcd)', '', 'Usage:', '  cairn-util [command]', '', 'Commands:',
      ...commands.map((each) => `  ${each.path.padEnd(18)} ${each.short}`), ''].join('\n');
  }
  const flags = command.flags.map((flag) => {
    const name = `${flag.short ? `-${flag.short}, ` : '    '}--${flag.name}${flag.kind === 'string' ? ' string' : ''}`;
    const fallback = flag.defaultValue !== '' && flag.kind === 'string' ? ` (default "${flag.defaultValue}")` : '';
    return `  ${name.padEnd(42)} ${flag.usage}${fallback}`;
  });
  return [command.short, '', 'Usage:', `  cairn-util ${command.usage}`, ...(flags.length > 0 ? ['', 'Flags:', ...flags] : []), ''].join('\n');
}

function findCommand(words: string[]): CommandSpec | undefined {
  return commands.find((command) => command.path === words.slice(0, command.path.split(' ').length).join(' '));
}

/** Reads `argv` (without the program name). */
export function parseUtilArgv(argv: readonly string[]): ParsedCommand {
  const words = argv.filter((argument) => !argument.startsWith('-'));
  const command = findCommand(words);
  const wantsHelp = argv.includes('--help') || argv.includes('-h');
  if (!command) {
    if (words.length === 0 || wantsHelp) return { kind: 'help', text: helpText() };
    return { kind: 'error', message: `unknown command "${words.join(' ')}" for "cairn-util"` };
  }
  if (wantsHelp) return { kind: 'help', text: helpText(command) };
  const flags = new Map(command.flags.map((flag) => [flag.name, flag.defaultValue]));
  const args: string[] = [];
  let pathWordsLeft = command.path.split(' ').length;
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index]!;
    if (argument === '--') {
      args.push(...argv.slice(index + 1));
      break;
    }
    if (!argument.startsWith('-') || argument === '-') {
      if (pathWordsLeft > 0) pathWordsLeft--;
      else args.push(argument);
      continue;
    }
    const body = argument.replace(/^--?/, '');
    const equals = body.indexOf('=');
    const name = equals < 0 ? body : body.slice(0, equals);
    const spec = command.flags.find((flag) => flag.name === name || (argument.startsWith('-') && !argument.startsWith('--') && flag.short === name));
    if (!spec) return { kind: 'error', message: `unknown flag: ${argument.startsWith('--') ? `--${name}` : `-${name}`}` };
    let value = equals < 0 ? undefined : body.slice(equals + 1);
    if (spec.kind === 'bool') {
      value ??= 'true';
      if (value !== 'true' && value !== 'false') return { kind: 'error', message: `invalid argument "${value}" for "--${spec.name}" flag: strconv.ParseBool: parsing "${value}": invalid syntax` };
    } else if (value === undefined) {
      if (index + 1 >= argv.length) return { kind: 'error', message: `flag needs an argument: --${spec.name}` };
      value = argv[++index]!;
    }
    flags.set(spec.name, value);
  }
  return { kind: 'run', command, args, flags };
}
