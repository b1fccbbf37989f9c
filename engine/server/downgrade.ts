// Maintenance.Downgrade, as etcd 3.5's EtcdServer.Downgrade: VALIDATE checks a target version, ENABLE records a
// downgrade job through the log, CANCEL clears it. Every answer carries the cluster version. Cairn members all run
// one version, so the job never completes by itself (etcd's leader cancels it once every member runs the target
// version); it stays recorded until it is cancelled.
import { Errors } from '../common/errors.ts';
import type { ReadTx } from '../storage/backend/backend.ts';
import type { InternalRaftRequest } from '../proto/generated/cairnpb/InternalRaftRequest.ts';
import { allowedDowngradeVersion, formatMinorVersion, parseDowngradeTarget, readDowngradeInfo, type MinorVersion } from './downgrade-info.ts';

/** DowngradeRequest.DowngradeAction. */
export enum DowngradeAction {
  Validate = 0,
  Enable = 1,
  Cancel = 2,
}

/** What the downgrade operations need from the member. */
export interface DowngradeHost {
  /** The applied state, read after the linearizable read point. */
  backend: ReadTx;
  /** The cluster version ("3.5.0"). */
  clusterVersion: string;
  /** Waits until this member has applied everything committed before the call (etcd's linearizableReadNotify). */
  linearizableRead(): Promise<void>;
  /** Proposes a request and resolves with its response once applied. */
  propose(request: InternalRaftRequest): Promise<unknown>;
}

/** Maintenance.Downgrade's answer (the edge fills the header). */
export interface DowngradeOutcome {
  header: object;
  version: string;
}

/** Runs one Downgrade request. */
export async function downgrade(host: DowngradeHost, action: number, version: string): Promise<DowngradeOutcome> {
  if (action === DowngradeAction.Validate) return validate(host, version);
  if (action === DowngradeAction.Enable) return enable(host, version);
  if (action === DowngradeAction.Cancel) return cancel(host);
  throw Errors.UnknownMethod;
}

function clusterVersionOf(host: DowngradeHost): MinorVersion {
  const parsed = parseDowngradeTarget(host.clusterVersion);
  // etcd answers this while the cluster version is not decided yet; Cairn's is fixed, so this is a guard only.
  if (parsed === undefined) throw Errors.ClusterVersionUnavailable;
  return parsed;
}

/** etcd's downgradeValidate: the target parses, is one minor below the cluster version, and no job runs yet. */
async function validate(host: DowngradeHost, version: string): Promise<DowngradeOutcome> {
  const target = parseDowngradeTarget(version);
  if (target === undefined) throw Errors.WrongDowngradeVersionFormat;
  // The job may have been enabled through another member a moment ago: read it at a linearizable point.
  await host.linearizableRead();
  const allowed = allowedDowngradeVersion(clusterVersionOf(host));
  if (target.major !== allowed.major || target.minor !== allowed.minor) throw Errors.InvalidDowngradeTargetVersion;
  if (readDowngradeInfo(host.backend).enabled) throw Errors.DowngradeInProcess;
  return { header: {}, version: host.clusterVersion };
}

/** etcd's downgradeEnable: validate, then replicate {enabled, target} through the log. */
async function enable(host: DowngradeHost, version: string): Promise<DowngradeOutcome> {
  await validate(host, version);
  const target = formatMinorVersion(parseDowngradeTarget(version)!);
  await host.propose({ downgrade_info_set: { enabled: true, ver: target } });
  return { header: {}, version: host.clusterVersion };
}

/** etcd's downgradeCancel: refuse when no job is enabled, else replicate {disabled}. */
async function cancel(host: DowngradeHost): Promise<DowngradeOutcome> {
  await host.linearizableRead();
  if (!readDowngradeInfo(host.backend).enabled) throw Errors.NoInflightDowngrade;
  await host.propose({ downgrade_info_set: { enabled: false, ver: '' } });
  return { header: {}, version: host.clusterVersion };
}
