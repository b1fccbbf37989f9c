// Shared settings of the desktop suites' local clusters.
import type { SupervisionTimings } from '../../../electron/main/supervisor/supervised-member.ts';

/** Members of the local clusters these suites start: the app's default, three replicating members. */
export const testClusterSize = 3;

/** Supervision timings short enough for tests: quick polls, quick restarts. */
export const testTimings: Partial<SupervisionTimings> = {
  readyTimeoutMs: 30_000,
  readyPollMs: 50,
  healthPollMs: 500,
  stopGraceMs: 5_000,
  restartDelaysMs: [100, 200, 400],
};
