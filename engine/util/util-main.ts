// The cairn-util command: offline tools for a Cairn engine's data, as etcdutl is for etcd's. `snapshot restore`
// builds a new member data directory from a snapshot file; `snapshot status` prints a snapshot's hash, revision,
// key count and size. Logs go to stderr as JSON lines; failures print "Error: <message>" and exit with etcdctl's
// codes (1 for an error, 128 for wrong arguments).
import { createLogger } from '../common/logger.ts';
import { cairnVersion } from '../common/version.ts';
import { helpText, parseUtilArgv } from './util-argv.ts';
import { restoreSnapshot } from './snapshot-restore.ts';
import { snapshotStatus } from './snapshot-status.ts';
import { formatStatus, statusFormats, type StatusFormat } from './status-output.ts';

/** etcdctl's exit codes (ctlv3/command/error.go). */
export const exitError = 1;
export const exitBadArgs = 128;

/** Where the command writes. */
export interface UtilIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processIo: UtilIo = { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) };

/** Runs cairn-util with `argv` (without node and the script); resolves with the exit code. */
export async function runUtil(argv: readonly string[], io: UtilIo = processIo): Promise<number> {
  const parsed = parseUtilArgv(argv);
  if (parsed.kind === 'help') {
    io.stdout(parsed.text);
    return 0;
  }
  if (parsed.kind === 'error') {
    io.stderr(`Error: ${parsed.message}\n`);
    return exitError;
  }
  const { command, args, flags } = parsed;
  const flag = (name: string): string => flags.get(name) ?? '';
  try {
    if (command.path === 'version') {
      io.stdout(`cairn-util version: ${cairnVersion}\n`);
      return 0;
    }
    if (command.path === 'snapshot status') {
      if (args.length !== 1) return badArgs(io, 'snapshot status requires exactly one argument', command);
      const format = flag('write-out');
      if (!(statusFormats as readonly string[]).includes(format)) throw new Error(`unsupported output format ${JSON.stringify(format)} (use ${statusFormats.join(', ')})`);
      io.stdout(`${formatStatus(await snapshotStatus(args[0]!), format as StatusFormat)}\n`);
      return 0;
    }
    if (args.length !== 1) return badArgs(io, 'snapshot restore requires exactly one argument', command);
    const logger = createLogger({ sink: (line) => io.stderr(`${line}\n`) });
    await restoreSnapshot({
      snapshotPath: args[0]!,
      name: flag('name'),
      dataDir: flag('data-dir'),
      walDir: flag('wal-dir'),
      initialCluster: flag('initial-cluster'),
      initialClusterToken: flag('initial-cluster-token'),
      initialAdvertisePeerUrls: flag('initial-advertise-peer-urls'),
      skipHashCheck: flag('skip-hash-check') === 'true',
    }, logger);
    return 0;
  } catch (error) {
    io.stderr(`Error: ${(error as Error).message}\n`);
    return exitError;
  }
}

function badArgs(io: UtilIo, message: string, command: Parameters<typeof helpText>[0]): number {
  io.stderr(`Error: ${message}\n\n${helpText(command)}`);
  return exitBadArgs;
}
