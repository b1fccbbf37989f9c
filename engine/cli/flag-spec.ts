// The description of one etcd flag: how its value is read, its default as etcd prints it, where --help lists it,
// and, for flags of features Cairn does not have, why it is ignored. Every flag in the table either feeds the
// engine config or carries such a reason, so no flag is ever dropped without telling the operator.

/** How a flag's value is parsed. */
export type FlagKind =
  | 'string'
  | 'bool'
  | 'uint' // non-negative integer (Go uint / uint64)
  | 'uint32'
  | 'int' // signed integer (Go int64)
  | 'duration' // Go duration ("5s", "1h30m"), kept in milliseconds
  | 'listen-urls' // URLs this member binds to: the host must be an IP address or localhost
  | 'advertise-urls' // URLs others reach this member at: any host
  | 'list' // comma-separated strings
  | 'choice' // one of `choices`
  | 'ignored'; // an etcd v0.4 flag etcd still accepts and ignores

/** The --help sections, in etcd's order. */
export const flagSections = [
  'Member',
  'Clustering',
  'Security',
  'Auth',
  'Profiling and Monitoring',
  'Logging',
  'Experimental distributed tracing',
  'v2 Proxy (to be deprecated in v3.6)',
  'Experimental feature',
  'Unsafe feature',
] as const;

/** A --help section; 'Usage' flags are described in the usage lines, 'Ignored' ones are not listed. */
export type FlagSection = (typeof flagSections)[number] | 'Usage' | 'Ignored';

/** One flag. */
export interface FlagSpec {
  /** The name without dashes, exactly as etcd spells it. */
  name: string;
  kind: FlagKind;
  /** The default, written as it would be typed, and parsed like user input. */
  defaultValue: string;
  /** The default as --help shows it when that differs (etcd prints '${name}.etcd' for --data-dir). */
  helpDefault?: string;
  /** The accepted values of a 'choice' flag. */
  choices?: readonly string[];
  section: FlagSection;
  help: string;
  /**
   * Set for flags Cairn accepts for compatibility but does not act on: why. Setting such a flag to anything but
   * its default produces a warning with this reason.
   */
  unsupported?: string;
  /** The key in etcd's YAML config file; defaults to `name`; null when the file sets it elsewhere or not at all. */
  fileKey?: string | null;
}

/** A parsed flag value. */
export type FlagValue = string | boolean | number | string[];

/** The environment variable etcd reads for a flag: ETCD_ and the name in upper case, dashes as underscores. */
export function environmentName(flagName: string): string {
  return `ETCD_${flagName.toUpperCase().replaceAll('-', '_')}`;
}
