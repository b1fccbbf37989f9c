// Shared settings of the desktop suites' local clusters.
import type { SupervisionTimings } from '../../../electron/main/supervisor/supervised-member.ts';

/**
 * Members of the local clusters these suites start. The app's default is 3, but the engine serves single-member
 * clusters only until Raft replication between processes lands; then set this to 3 (or run with
 * CAIRN_DESKTOP_CLUSTER_SIZE=3) and every supervisor test runs against three replicating members.
 */
export const testClusterSize = Number(process.env.CAIRN_DESKTOP_CLUSTER_SIZE ?? 1);

/** Supervision timings short enough for tests: quick polls, quick restarts. */
export const testTimings: Partial<SupervisionTimings> = {
  readyTimeoutMs: 30_000,
  readyPollMs: 50,
  healthPollMs: 500,
  stopGraceMs: 5_000,
  restartDelaysMs: [100, 200, 400],
};
