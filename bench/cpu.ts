// CPU time of server processes, from /proc/<pid>/stat: the server's own cost per request, a steadier figure than
// throughput on shared cores (a client that competes with the server for the CPUs slows both).
import { readFile } from 'node:fs/promises';

/** Clock ticks per second of /proc's utime and stime (USER_HZ: 100 on every Linux architecture we run on). */
const ticksPerSecond = 100;

/** User + system CPU milliseconds a process has used so far (all its threads). */
export async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces and parentheses: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const userTicks = Number(fields[11]);
  const systemTicks = Number(fields[12]);
  return ((userTicks + systemTicks) * 1000) / ticksPerSecond;
}

/** CPU milliseconds used by all of `pids` together. */
export async function totalCpuMs(pids: readonly number[]): Promise<number> {
  const each = await Promise.all(pids.map(cpuMs));
  return each.reduce((sum, value) => sum + value, 0);
}
