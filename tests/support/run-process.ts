// Runs a short-lived command to completion, capturing its output, with a deadline after which it is killed.
import { spawn } from 'node:child_process';
import { trackChild } from './child-cleanup.ts';

/** What a finished command printed and how it ended. */
export interface ProcessResult {
  stdout: string;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The command outlived its deadline and was killed. */
  timedOut: boolean;
}

/** Options of runProcess. */
export interface RunProcessOptions {
  env: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed; stdin is closed at once when absent. */
  input?: string;
  timeoutMs: number;
}

/** Runs `command` with `args`; resolves once it exits, whatever its exit code. */
export function runProcess(command: string, args: readonly string[], options: RunProcessOptions): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
    trackChild(child);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code, signal, timedOut });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}
