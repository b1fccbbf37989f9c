// Runs one engine member and ties its life to the supervisor's. The supervisor spawns this script with a pipe on
// stdin that carries one thing: the line "stop" (supervised-member.ts: memberStopRequest), a request to stop
// gracefully. When the supervisor dies in any way (even SIGKILL), the kernel closes the pipe and stdin ends,
// which is a stop request too. Either way the engine's own SIGTERM handler runs (emitted as an event, which works
// the same on Windows, where signals cannot be caught), and this process exits outright if that takes too long.
// No engine process outlives the app, and no engine change is needed.
// Usage: node member-launcher.mjs <engine entry script> <etcd flags...> (the same argv the engine gets).
import { pathToFileURL } from 'node:url';

/** How long the engine may take to stop once asked, in milliseconds. */
const stopGraceMs = 5_000;

/** The stop request line (kept equal to memberStopRequest in supervised-member.ts). */
const stopRequest = 'stop';

const [enginePath, ...flags] = process.argv.slice(2);
if (!enginePath) {
  process.stderr.write('member-launcher: missing the engine entry script\n');
  process.exit(2);
}

let stopping = false;
const stop = (reason) => {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`${JSON.stringify({ level: 'info', ts: new Date().toISOString(), caller: 'member-launcher', msg: `${reason}; stopping the member` })}\n`);
  setTimeout(() => process.exit(1), stopGraceMs).unref();
  // Before the engine has installed its handler (still starting) there is nothing to shut down gracefully.
  if (process.listenerCount('SIGTERM') > 0) process.emit('SIGTERM', 'SIGTERM');
  else process.exit(0);
};
let received = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  // Only the tail matters: the pipe carries nothing but stop requests.
  received = (received + chunk).slice(-64);
  if (received.split('\n').includes(stopRequest)) stop('asked to stop');
});
process.stdin.on('end', () => stop('the supervisor is gone (stdin closed)'));
process.stdin.on('close', () => stop('the supervisor is gone (stdin closed)'));
process.stdin.on('error', () => stop('the supervisor is gone (stdin failed)'));

// The engine's entry reads its flags from process.argv.slice(2), as when it is run directly.
process.argv = [process.argv[0], enginePath, ...flags];
await import(pathToFileURL(enginePath).href);
