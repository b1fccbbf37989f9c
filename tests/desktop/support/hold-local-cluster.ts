// A stand-in for the app's main process: starts a local cluster in the folder given as argv[2], prints the
// members' pids as one JSON line, then waits to be killed. The supervisor test SIGKILLs it and checks that the
// members exit on their own.
import { LocalCluster } from '../../../electron/main/supervisor/local-cluster.ts';
import { testClusterSize, testTimings } from './test-cluster.ts';

const root = process.argv[2];
if (!root) throw new Error('usage: hold-local-cluster.ts <folder>');
const cluster = new LocalCluster({ rootDir: `${root}/local-cluster`, logDir: `${root}/logs`, size: testClusterSize, timings: testTimings });
await cluster.start();
process.stdout.write(`${JSON.stringify({ pids: cluster.pids() })}\n`);
setInterval(() => undefined, 60_000);
