// Makes sure no server started by a test outlives the test process. Three layers, because each covers a way of
// dying the others miss: an 'exit' hook kills children synchronously on any normal or failed exit; SIGINT/SIGTERM
// handlers turn those signals into a normal exit; and a tiny watchdog shell, which reads child pids (and temp
// dirs) from a pipe, kills (and removes) them when the pipe closes, as it also does when we are SIGKILLed.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';

const livePids = new Set<number>();
const tempDirs = new Set<string>();
const exitHooks: Array<(failed: boolean) => void> = [];
let watchdog: ChildProcess | undefined;
let installed = false;

// The watchdog ignores the terminal's signals so it survives a Ctrl-C long enough to clean up after us. Lines:
// "+pid" / "-pid" register and forget a child, "d/path" registers a temp dir. When its stdin closes (we died), it
// kills the remaining children, gives them a moment to exit, then removes the temp dirs.
const watchdogScript = [
  "trap '' INT TERM HUP",
  'pids=" "',
  'dirs=""',
  'while IFS= read -r line; do',
  '  case "$line" in',
  '    +*) pids="$pids${line#+} " ;;',
  '    -*) pids=$(printf "%s" "$pids" | sed "s/ ${line#-} / /") ;;',
  '    d*) dirs="$dirs${line#d}',
  '" ;;',
  '  esac',
  'done',
  'for pid in $pids; do kill -KILL "$pid" 2>/dev/null; done',
  'sleep 0.2',
  'printf "%s" "$dirs" | while IFS= read -r dir; do [ -n "$dir" ] && rm -rf -- "$dir"; done',
].join('\n');

function tellWatchdog(line: string): void {
  if (!watchdog) {
    watchdog = spawn('sh', ['-c', watchdogScript], { stdio: ['pipe', 'ignore', 'ignore'] });
    watchdog.unref();
    (watchdog.stdin as unknown as { unref?: () => void }).unref?.();
    watchdog.stdin?.on('error', () => undefined);
  }
  watchdog.stdin?.write(`${line}\n`);
}

function killAllNow(): void {
  for (const pid of livePids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone: nothing to clean up.
    }
  }
  livePids.clear();
  for (const directory of tempDirs) rmSync(directory, { recursive: true, force: true });
  tempDirs.clear();
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', (code) => {
    const failed = code !== 0 || (process.exitCode !== undefined && process.exitCode !== 0);
    for (const hook of exitHooks) hook(failed);
    killAllNow();
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAllNow();
      process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
    });
  }
}

/** Registers a running child: it is killed when this process exits, however it exits. */
export function trackChild(child: ChildProcess): void {
  install();
  const pid = child.pid;
  if (pid === undefined) return;
  livePids.add(pid);
  tellWatchdog(`+${pid}`);
  child.once('exit', () => {
    livePids.delete(pid);
    tellWatchdog(`-${pid}`);
  });
}

/** Registers a temporary directory to remove when this process exits, if nobody removed it before. */
export function trackTempDir(directory: string): void {
  install();
  tempDirs.add(directory);
  tellWatchdog(`d${directory}`);
}

/** Removes a temporary directory now and forgets it. */
export function removeTempDir(directory: string): void {
  rmSync(directory, { recursive: true, force: true });
  tempDirs.delete(directory);
}

/** Runs `hook(failed)` at process exit, before children are killed (used to dump server logs on failure). */
export function onProcessExit(hook: (failed: boolean) => void): void {
  install();
  exitHooks.push(hook);
}
