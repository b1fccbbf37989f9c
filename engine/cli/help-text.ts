// The --help text, laid out like etcd's: the usage lines, then each section's flags with their defaults in
// quotes and their descriptions indented beneath. Flags Cairn accepts without acting on them say so.
import { environmentName, flagSections, type FlagSpec } from './flag-spec.ts';
import { flagTable } from './flag-table.ts';

/** The full --help text for the command `programName`. */
export function helpText(programName: string): string {
  const lines = [
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
  ];
  for (const section of flagSections) {
    lines.push('', `${section}:`);
    for (const spec of flagTable.filter((candidate) => candidate.section === section)) lines.push(...describeFlag(spec));
    if (section === 'Unsafe feature') lines.push('', 'CAUTIOUS with unsafe flag! It may break the guarantees given by the consensus protocol!');
  }
  lines.push(
    '',
    `Every flag can also be set by an environment variable: ETCD_ and the flag name in upper case with underscores (--data-dir: ${environmentName('data-dir')}).`,
    'A flag given on the command line wins over its environment variable.',
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
