// How to run an engine member with the runtime main runs on. Under Electron, process.execPath is the Electron
// binary, which behaves as plain Node with ELECTRON_RUN_AS_NODE=1, so the packaged app needs no system Node;
// under Node (browser mode, tests) it is node itself. Every member runs through member-launcher.mjs.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The command line prefix of a member, before its etcd flags. */
export interface EngineCommand {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

/** The launcher script that ties a member's life to ours. */
export const memberLauncherPath = path.join(path.dirname(fileURLToPath(import.meta.url)), 'member-launcher.mjs');

/** The engine entry script in a checkout (`engine/bin/cairn-engine`); packaging unpacks the same path. */
export const defaultEnginePath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'engine', 'bin', 'cairn-engine');

/**
 * The path of a file as a child process must see it: in the packaged app, files listed in asarUnpack live under
 * app.asar.unpacked, and a child process (plain Node semantics) cannot read or resolve modules inside app.asar.
 */
export function unpackedPath(file: string): string {
  return file.replace(/app\.asar([\\/])/, 'app.asar.unpacked$1');
}

/** True when this process is Electron's main process (not Electron running as Node). */
export function runningUnderElectron(): boolean {
  return typeof process.versions.electron === 'string' && process.env.ELECTRON_RUN_AS_NODE === undefined;
}

/** The command that runs one member. */
export function engineCommand(enginePath = defaultEnginePath, underElectron = runningUnderElectron()): EngineCommand {
  // etcd reads ETCD_* variables as flags: one in the user's environment must not change the local cluster.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('ETCD_')));
  if (underElectron) env.ELECTRON_RUN_AS_NODE = '1';
  return { command: process.execPath, args: [unpackedPath(memberLauncherPath), unpackedPath(enginePath)], env };
}
