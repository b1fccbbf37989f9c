// Finds which process opened a TCP connection to us over loopback, from Linux's /proc: the connection's client
// end is a row of /proc/net/tcp (local 127.0.0.1:clientPort, remote 127.0.0.1:serverPort) that names a socket
// inode, and the process holding that inode has a /proc/<pid>/fd entry linking to `socket:[inode]`. The fault
// proxy uses it to tell which cluster member a peer connection comes from, whatever protocol the members speak,
// since every member connects from the same address.
import { readFile, readdir, readlink } from 'node:fs/promises';

/** Lookups tried before giving up, and the pause between them: a fresh connection can take a moment to show. */
const attemptsMax = 3;
const retryPauseMs = 20;

/** /proc/net/tcp writes IPv4 addresses as little-endian hex, then the port as big-endian hex. */
function procAddress(port: number): string {
  return `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The same address as an IPv4-mapped IPv6 address in /proc/net/tcp6. */
function procAddress6(port: number): string {
  return `0000000000000000FFFF00000100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
}

async function readTable(path: string): Promise<string[][]> {
  try {
    return (await readFile(path, 'utf8')).trim().split('\n').slice(1).map((line) => line.trim().split(/\s+/));
  } catch {
    return [];
  }
}

/** The socket inode of the client end of the loopback connection clientPort -> serverPort, if it exists. */
export async function clientSocketInode(clientPort: number, serverPort: number): Promise<string | undefined> {
  const tables = [
    { rows: await readTable('/proc/net/tcp'), local: procAddress(clientPort), remote: procAddress(serverPort) },
    { rows: await readTable('/proc/net/tcp6'), local: procAddress6(clientPort), remote: procAddress6(serverPort) },
  ];
  for (const { rows, local, remote } of tables) {
    const row = rows.find((columns) => columns[1] === local && columns[2] === remote);
    if (row !== undefined && row[9] !== '0') return row[9];
  }
  return undefined;
}

async function holdsInode(pid: number, inode: string): Promise<boolean> {
  let fds: string[];
  try {
    fds = await readdir(`/proc/${pid}/fd`);
  } catch {
    return false;
  }
  const target = `socket:[${inode}]`;
  for (const fd of fds) {
    try {
      if ((await readlink(`/proc/${pid}/fd/${fd}`)) === target) return true;
    } catch {
      // The descriptor was closed while we looked: not the one we want.
    }
  }
  return false;
}

/**
 * The pid among `candidates` that holds the client end of the loopback connection clientPort -> serverPort, or
 * undefined when none does (another process, or the connection is already gone).
 */
export async function findSocketOwner(clientPort: number, serverPort: number, candidates: readonly number[]): Promise<number | undefined> {
  for (let attempt = 0; attempt < attemptsMax; attempt += 1) {
    const inode = await clientSocketInode(clientPort, serverPort);
    if (inode !== undefined) {
      for (const pid of candidates) if (await holdsInode(pid, inode)) return pid;
      return undefined;
    }
    await new Promise((resolve) => setTimeout(resolve, retryPauseMs));
  }
  return undefined;
}
