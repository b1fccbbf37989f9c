// The cluster's downgrade job (etcd 3.5's membership.DowngradeInfo): whether a downgrade is enabled and to which
// version. It is set only by applying a DowngradeInfoSet entry, so every member holds the same record, and it
// lives in the 'cluster' bucket under etcd's key and JSON shape so that it survives restarts and travels with
// backend snapshots to lagging members.
import type { ReadTx, WriteTx } from '../storage/backend/backend.ts';

/** A downgrade job as applied from the log; `targetVersion` is "major.minor.0", '' when disabled. */
export interface DowngradeInfo {
  enabled: boolean;
  targetVersion: string;
}

/** A version as etcd's go-semver keeps it once the patch level is dropped (cluster versions are major.minor). */
export interface MinorVersion {
  major: bigint;
  minor: bigint;
}

const downgradeKey = Buffer.from('downgrade');
const disabled: DowngradeInfo = { enabled: false, targetVersion: '' };

/** The downgrade job recorded in the backend (disabled when none was ever set). */
export function readDowngradeInfo(tx: ReadTx): DowngradeInfo {
  const bytes = tx.get('cluster', downgradeKey);
  if (bytes === undefined) return disabled;
  const record = JSON.parse(Buffer.from(bytes).toString('utf8')) as { 'target-version'?: unknown; enabled?: unknown };
  // Checked right after reading: a record we cannot understand must not silently read as "no downgrade".
  if (typeof record.enabled !== 'boolean' || (record['target-version'] !== undefined && typeof record['target-version'] !== 'string')) {
    throw new Error(`corrupt downgrade record in the cluster bucket: ${Buffer.from(bytes).toString('utf8')}`);
  }
  return { enabled: record.enabled, targetVersion: (record['target-version'] as string | undefined) ?? '' };
}

/** Records the downgrade job (inside the apply transaction of its DowngradeInfoSet entry). */
export function writeDowngradeInfo(tx: WriteTx, info: DowngradeInfo): void {
  // etcd's JSON field names; etcd omits the target when it is empty (omitempty).
  const record = info.targetVersion === '' ? { enabled: info.enabled } : { 'target-version': info.targetVersion, enabled: info.enabled };
  tx.put('cluster', downgradeKey, Buffer.from(JSON.stringify(record)));
}

const numericIdentifier = /^[0-9]+$/;
const identifier = /^[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*$/;
const int64Max = (1n << 63n) - 1n;

/** Splits `text` at the first `delimiter`: [before, after]; after is '' without one (go-semver's splitOff). */
function splitOff(text: string, delimiter: string): [string, string] {
  const at = text.indexOf(delimiter);
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + 1)];
}

/** A dotted-tri version as go-semver's NewVersion parses it ("3.4.0", "3.4.1-rc.0+build"); undefined when it cannot. */
function parseSemver(text: string): MinorVersion | undefined {
  const [withoutMetadata, metadata] = splitOff(text, '+');
  const [core, preRelease] = splitOff(withoutMetadata, '-');
  const parts = core.split('.');
  if (parts.length !== 3) return undefined;
  if ((preRelease !== '' && !identifier.test(preRelease)) || (metadata !== '' && !identifier.test(metadata))) return undefined;
  // Go's strconv.ParseInt(v, 10, 64): digits only here (the signs were split off above), within int64.
  if (!parts.every((part) => numericIdentifier.test(part) && BigInt(part) <= int64Max)) return undefined;
  return { major: BigInt(parts[0]!), minor: BigInt(parts[1]!) };
}

/**
 * The downgrade target of a request (etcd's convertToClusterVersion): a full version, or "major.minor" (read as
 * "major.minor.0"); only major and minor count. Undefined when neither parses.
 */
export function parseDowngradeTarget(text: string): MinorVersion | undefined {
  return parseSemver(text) ?? parseSemver(`${text}.0`);
}

/** A major.minor version as etcd prints a cluster version ("3.4.0"). */
export function formatMinorVersion(version: MinorVersion): string {
  return `${version.major}.${version.minor}.0`;
}

/** The only version a cluster at `clusterVersion` may downgrade to: one minor version below (etcd's AllowedDowngradeVersion). */
export function allowedDowngradeVersion(clusterVersion: MinorVersion): MinorVersion {
  return { major: clusterVersion.major, minor: clusterVersion.minor - 1n };
}
