// Runs one engine member and ties its life to the supervisor's: the supervisor spawns this script with a pipe
// on stdin and never writes to it. When the supervisor dies in any way (even SIGKILL), the kernel closes the
// pipe, stdin ends, and this process asks the engine to stop gracefully (its SIGTERM handler), then exits
// outright if that takes too long. No engine process outlives the app, and no engine change is needed.
// Usage: node member-launcher.mjs <engine entry script> <etcd flags...> (the same argv the engine gets).
import { pathToFileURL } from 'node:url';

/** How long the engine may take to stop after the supervisor is gone, in milliseconds. */
const orphanStopGraceMs = 5_000;

const [enginePath, ...flags] = process.argv.slice(2);
if (!enginePath) {
  process.stderr.write('member-launcher: missing the engine entry script\n');
  process.exit(2);
}

let orphaned = false;
const onSupervisorGone = () => {
  if (orphaned) return;
  orphaned = true;
  process.stderr.write('{"level":"warn","msg":"supervisor is gone (stdin closed); stopping the member"}\n');
  setTimeout(() => process.exit(1), orphanStopGraceMs).unref();
  process.kill(process.pid, 'SIGTERM');
};
process.stdin.on('end', onSupervisorGone);
process.stdin.on('close', onSupervisorGone);
process.stdin.on('error', onSupervisorGone);
process.stdin.resume();

// The engine's entry reads its flags from process.argv.slice(2), as when it is run directly.
process.argv = [process.argv[0], enginePath, ...flags];
await import(pathToFileURL(enginePath).href);
