// One Cairn per user-data folder: two would both supervise the same local cluster data. The lock is a file
// holding the owner's pid, created exclusively; a lock whose process is gone (crash, kill -9) is taken over.
import fs from 'node:fs';
import path from 'node:path';

/** A held lock; release it on exit. */
export interface InstanceLock {
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock of `directory`, or returns the pid of the live process holding it. */
export function acquireInstanceLock(directory: string): InstanceLock | { heldBy: number } {
  fs.mkdirSync(directory, { recursive: true });
  const file = path.join(directory, 'cairn.lock');
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      return { release: () => fs.rmSync(file, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number.parseInt(fs.readFileSync(file, 'utf8'), 10);
      if (Number.isInteger(owner) && owner !== process.pid && alive(owner)) return { heldBy: owner };
      fs.rmSync(file, { force: true });
    }
  }
  throw new Error(`could not take the lock ${file}`);
}
