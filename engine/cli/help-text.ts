// The --help text, split as etcd splits it: the usage lines, which etcd also prints after every command-line
// syntax error and writes to stderr, and the flag list, which only --help prints and writes to stdout. The flag
// list is laid out like etcd's: each section's flags with their defaults in quotes and their descriptions indented
// beneath. Flags Cairn accepts without acting on them say so.
import { environmentName, flagSections, type FlagSpec } from './flag-spec.ts';
import { flagTable } from './flag-table.ts';

/** The usage lines for the command `programName`, ending in a blank line as etcd prints them. */
export function usageText(programName: string): string {
  return [
    'Usage:',
    '',
    `  ${programName} [flags]`,
    '    Start a Cairn member, an etcd-compatible server.',
    '',
    `  ${programName} --version`,
    '    Show the version of etcd this member is compatible with, and of Cairn.',
    '',
    `  ${programName} -h | --help`,
    '    Show the help information about the flags.',
    '',
    `  ${programName} --config-file`,
    '    Path to the server configuration file. Note that if a configuration file is provided, other command line flags and environment variables will be ignored.',
    '',
    '',
  ].join('\n');
}

/** The flag list that --help prints after the usage lines; it starts with a blank line, as etcd's does. */
export function flagListText(): string {
  const lines: string[] = [];
  for (const section of flagSections) {
    lines.push('', `${section}:`);
    for (const spec of flagTable.filter((candidate) => candidate.section === section)) lines.push(...describeFlag(spec));
    if (section === 'Unsafe feature') lines.push('', 'CAUTIOUS with unsafe flag! It may break the guarantees given by the consensus protocol!');
  }
  lines.push(
    '',
    `Every flag can also be set by an environment variable: ETCD_ and the flag name in upper case with underscores (--data-dir: ${environmentName('data-dir')}).`,
    'Setting a flag both on the command line and by its environment variable is an error.',
    '',
  );
  return lines.join('\n');
}

function describeFlag(spec: FlagSpec): string[] {
  const lines = [`  --${spec.name} '${spec.helpDefault ?? spec.defaultValue}'`];
  for (const line of spec.help.split('\n')) lines.push(`    ${line}`);
  if (spec.unsupported) lines.push(`    [Cairn: accepted for compatibility and ignored: ${spec.unsupported}.]`);
  return lines;
}
