// Runs the engine's offline tool, `engine/bin/cairn-util`, as a child process with the runtime main runs on (Electron's
// own binary as Node in the app, node itself in browser mode and tests), as the supervisor runs members. A child and
// not an import: the tool opens lmdb environments and the engine's storage code, which main never loads, and a
// crash in it cannot take the app down.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runningUnderElectron, unpackedPath } from '../supervisor/engine-command.ts';

/** The command line prefix of cairn-util. */
export interface UtilCommand {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

/** What one run printed and how it ended. */
export interface UtilRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The tool in a checkout (`engine/bin/cairn-util`); packaging unpacks the same path. */
export const defaultUtilPath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'engine', 'bin', 'cairn-util');

/** Longest a run may take: a restore copies and hashes the whole snapshot (gigabytes take a while). */
const utilTimeoutMs = 30 * 60_000;

/** Most output kept from one run. */
const utilOutputBytesMax = 4 * 1024 * 1024;

/** The command that runs cairn-util. */
export function utilCommand(utilPath = defaultUtilPath, underElectron = runningUnderElectron()): UtilCommand {
  // etcd reads ETCD_* variables as flags; none from the user's environment belongs in an offline tool either.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('ETCD_')));
  if (underElectron) env.ELECTRON_RUN_AS_NODE = '1';
  return { command: process.execPath, args: [unpackedPath(utilPath)], env };
}

/** Runs cairn-util with `args`; resolves with its exit code and output, whatever the code. */
export function runUtil(util: UtilCommand, args: readonly string[]): Promise<UtilRun> {
  return new Promise((resolve, reject) => {
    execFile(util.command, [...util.args, ...args], { env: util.env, timeout: utilTimeoutMs, maxBuffer: utilOutputBytesMax }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      if (code === null) reject(new Error(`cairn-util ${args.slice(0, 2).join(' ')} did not finish: ${error!.message}`));
      else resolve({ code, stdout, stderr });
    });
  });
}

/** The "Error: ..." line cairn-util ends a failure with, or its last output line. */
export function utilErrorText(run: UtilRun): string {
  const lines = run.stderr.trim().split('\n');
  const error = lines.find((line) => line.startsWith('Error: '));
  return (error ?? lines[lines.length - 1] ?? `exit code ${run.code}`).replace(/^Error: /, '');
}
