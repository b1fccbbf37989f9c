// What `snapshot restore` is asked to build, checked before anything is written: the new cluster's members and
// IDs from --initial-cluster and --initial-cluster-token (computed as a member bootstrapping with the same flags
// computes them, so the restored members start with the IDs their flags imply), this member among them with
// exactly its advertised peer URLs (etcd's VerifyBootstrap), and data and WAL folders that do not exist yet.
import fs from 'node:fs';
import path from 'node:path';
import { parseInitialCluster } from '../cli/initial-cluster.ts';
import { parseUrlList } from '../cli/url-list.ts';
import { computeClusterId, computeMemberId } from '../server/ids.ts';

/** The flags of `snapshot restore`, with etcd's defaults already applied. */
export interface RestoreOptions {
  snapshotPath: string;
  name: string;
  /** Empty: `<name>.etcd`, as etcd. */
  dataDir: string;
  /** Empty: `<data-dir>/member/wal`. */
  walDir: string;
  initialCluster: string;
  initialClusterToken: string;
  initialAdvertisePeerUrls: string;
  skipHashCheck: boolean;
}

/** One member of the restored cluster. */
export interface RestoredMember {
  id: bigint;
  name: string;
  peerUrls: string[];
}

/** A checked restore: where to write and what membership to write. */
export interface RestorePlan {
  snapshotPath: string;
  dataDir: string;
  /** Undefined when the WAL lives in the data dir. */
  walDir: string | undefined;
  members: RestoredMember[];
  self: RestoredMember;
  clusterId: bigint;
  skipHashCheck: boolean;
}

/** A restore refused because of its flags or folders; the message is etcd's where etcd has one. */
export class RestoreConfigError extends Error {
  override name = 'RestoreConfigError';
}

/** Checks `options` and computes the new membership; throws RestoreConfigError. */
export function planRestore(options: RestoreOptions): RestorePlan {
  const parsed = parseInitialCluster(options.initialCluster);
  if ('error' in parsed) throw new RestoreConfigError(parsed.error);
  if (parsed.members.length === 0) throw new RestoreConfigError('--initial-cluster must name at least one member');
  const advertised = parseUrlList(options.initialAdvertisePeerUrls, 'advertise');
  if ('error' in advertised) throw new RestoreConfigError(advertised.error);
  const listed = parsed.members.find((member) => member.name === options.name);
  if (!listed) throw new RestoreConfigError(`couldn't find local name ${JSON.stringify(options.name)} in the initial cluster configuration`);
  const advertisedText = advertised.urls.join(',');
  const listedText = [...listed.peerUrls].sort().join(',');
  if (advertisedText !== listedText) throw new RestoreConfigError(`--initial-cluster has ${listedText} but missing from --initial-advertise-peer-urls=${advertisedText}`);

  const members = parsed.members.map((member) => ({ id: computeMemberId(member.peerUrls, options.initialClusterToken), name: member.name, peerUrls: member.peerUrls }));
  const ids = new Set(members.map((member) => member.id));
  if (ids.size !== members.length) throw new RestoreConfigError('--initial-cluster gives two members the same peer URLs');
  const dataDir = path.resolve(options.dataDir === '' ? `${options.name}.etcd` : options.dataDir);
  if (fs.existsSync(dataDir)) throw new RestoreConfigError(`data-dir ${JSON.stringify(options.dataDir === '' ? `${options.name}.etcd` : options.dataDir)} exists`);
  let walDir: string | undefined;
  if (options.walDir !== '') {
    walDir = path.resolve(options.walDir);
    if (fs.existsSync(walDir)) throw new RestoreConfigError(`wal-dir ${JSON.stringify(options.walDir)} exists`);
  }
  return {
    snapshotPath: options.snapshotPath,
    dataDir,
    walDir,
    members,
    self: members.find((member) => member.name === options.name)!,
    clusterId: computeClusterId([...ids]),
    skipHashCheck: options.skipHashCheck,
  };
}
