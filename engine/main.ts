// The cairn-engine command: etcd's flags in, a running member out. Logs go to stderr as JSON lines, as
// etcd's zap logger writes them; SIGTERM and SIGINT stop the member gracefully.
import { createLogger } from './common/logger.ts';
import { cairnVersion } from './common/version.ts';
import { parseEngineConfig } from './cli/parse-engine-config.ts';
import { startMember } from './embed/start-member.ts';

/** Runs the engine with `argv` (without node and the script); resolves when the member has stopped. */
export async function main(argv: string[]): Promise<void> {
  const result = parseEngineConfig(argv, process.env, {
    runtime: { nodeVersion: process.version, platform: process.platform, arch: process.arch },
  });
  const line = (text: string): string => (text.endsWith('\n') ? text : `${text}\n`);
  if (result.action === 'help') {
    // As etcd: the usage lines on stderr, the flag list on stdout.
    process.stderr.write(line(result.usage));
    process.stdout.write(line(result.flagList));
    return process.exit(result.exitCode);
  }
  if (result.action === 'version') {
    process.stdout.write(line(result.text));
    return process.exit(result.exitCode);
  }
  if (result.action === 'error') {
    for (const warning of result.warnings) process.stderr.write(line(warning));
    process.stderr.write(line(result.text));
    return process.exit(result.exitCode);
  }
  const { config, warnings, notices } = result;
  const logger = createLogger({ sink: (line) => process.stderr.write(`${line}\n`), level: config.logLevel, onFatal: () => process.exit(1) });
  for (const warning of warnings) logger.warn(warning, { caller: 'cli' });
  for (const notice of notices) logger.info(notice, { caller: 'cli' });
  logger.info('starting Cairn engine', { 'cairn-version': cairnVersion, 'node-version': process.version, name: config.name, 'data-dir': config.dataDir });
  let member;
  try {
    member = await startMember(config, { logger, metricsUrls: config.metricsUrls });
  } catch (error) {
    logger.error('failed to start member', { error: (error as Error).message });
    return process.exit(1);
  }
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info('received signal; shutting down', { signal });
    member.stop().then(
      () => process.exit(0),
      (error: Error) => {
        logger.error('failed to stop cleanly', { error: error.message });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
