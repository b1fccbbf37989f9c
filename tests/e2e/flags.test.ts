// The command line of the target server binary (E2E_TARGET=cairn runs `cairn-engine`, E2E_TARGET=etcd runs
// /usr/bin/etcd with the same arguments): --version, --help, bad flags with etcd's messages and exit codes, ETCD_*
// environment variables, and --config-file with etcd's YAML, which overrides both flags and the environment.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MemberHandle } from '../support/processes.ts';
import { connect } from '../support/grpc-client.ts';
import { freePorts, loopbackHost } from '../support/ports.ts';
import { removeTempDir, trackTempDir } from '../support/child-cleanup.ts';
import { runTargetCommand, serverEnvironment, target, targetCommand, targetUnavailableReason } from './target.ts';

/** Free client and peer URLs on 127.0.0.1. */
async function freeUrls(): Promise<{ clientUrl: string; peerUrl: string }> {
  const [clientPort, peerPort] = await freePorts(2);
  return { clientUrl: `http://${loopbackHost}:${clientPort}`, peerUrl: `http://${loopbackHost}:${peerPort}` };
}

/** The URL flags every started member needs (name and data dir come from elsewhere in some tests). */
function urlFlags(name: string, urls: { clientUrl: string; peerUrl: string }): string[] {
  return [
    '--listen-client-urls', urls.clientUrl, '--advertise-client-urls', urls.clientUrl,
    '--listen-peer-urls', urls.peerUrl, '--initial-advertise-peer-urls', urls.peerUrl,
    '--initial-cluster', `${name}=${urls.peerUrl}`, '--initial-cluster-state', 'new',
  ];
}

/** Names of the members the running member reports over gRPC. */
async function memberNames(clientUrl: string): Promise<string[]> {
  const client = connect(clientUrl);
  try {
    return (await client.cluster.memberList()).members.map((member) => member.name);
  } finally {
    client.close();
  }
}

describe(`the ${target} server command line`, () => {
  const folders: string[] = [];
  const members: MemberHandle[] = [];

  after(async () => {
    for (const member of members) await member.stop();
    for (const folder of folders) removeTempDir(folder);
  });

  async function tempFolder(): Promise<string> {
    const folder = await mkdtemp(path.join(os.tmpdir(), `cairn-e2e-flags-${target}-`));
    trackTempDir(folder);
    folders.push(folder);
    return folder;
  }

  /** Starts the target with `args` and `env` (no ETCD_* from our own environment) and waits until it serves. */
  async function startMember(name: string, args: string[], env: NodeJS.ProcessEnv, urls: { clientUrl: string; peerUrl: string }, dataDir: string): Promise<MemberHandle> {
    assert.equal(targetUnavailableReason(), undefined);
    const command = targetCommand(args);
    const member = new MemberHandle({ kind: target, name, command: command.command, args: command.args, env: serverEnvironment(env), ...urls, dataDir });
    members.push(member);
    member.start();
    await member.waitReady(30_000);
    return member;
  }

  test('--version prints a first line "etcd Version: x.y.z" and exits 0 without starting', async () => {
    const result = await runTargetCommand(['--version']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout.split('\n')[0], /^etcd Version: \d+\.\d+\.\d+$/);
  });

  test('--help prints the usage and the flags and exits 0', async () => {
    const result = await runTargetCommand(['--help']);
    assert.equal(result.code, 0, result.stderr);
    // etcd writes the usage header to stderr and the flag list to stdout.
    const output = result.stderr + result.stdout;
    assert.match(output, /Usage:\s+etcd \[flags\]/);
    for (const flag of ['--name', '--data-dir', '--listen-client-urls', '--initial-cluster', '--config-file']) assert.ok(output.includes(flag), `--help mentions ${flag}`);
  });

  test('an unknown flag exits 2 with etcd\'s message naming the flag', async () => {
    const result = await runTargetCommand(['--no-such-flag']);
    assert.equal(result.code, 2, `exit code ${result.code}, stderr ${result.stderr}`);
    assert.match(result.stderr, /^flag provided but not defined: -no-such-flag$/m);
  });

  test('a flag with an invalid value or without its argument exits 2 naming the flag', async () => {
    const invalid = await runTargetCommand(['--heartbeat-interval', 'often']);
    assert.equal(invalid.code, 2, invalid.stderr);
    assert.match(invalid.stderr, /^invalid value "often" for flag -heartbeat-interval: parse error$/m);
    const missing = await runTargetCommand(['--name']);
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(missing.stderr, /^flag needs an argument: -name$/m);
  });

  test('a missing --config-file exits 1 naming the file', async () => {
    const file = path.join(await tempFolder(), 'absent.yaml');
    const result = await runTargetCommand(['--config-file', file]);
    assert.equal(result.code, 1, result.stderr);
    assert.ok(result.stderr.includes(`open ${file}: no such file or directory`), result.stderr);
  });

  test('ETCD_NAME and ETCD_DATA_DIR are honoured', { timeout: 45_000 }, async () => {
    const dataDir = path.join(await tempFolder(), 'from-env.data');
    const urls = await freeUrls();
    const member = await startMember('env-member', urlFlags('env-member', urls), { ETCD_NAME: 'env-member', ETCD_DATA_DIR: dataDir }, urls, dataDir);
    assert.deepEqual(await memberNames(member.clientUrl), ['env-member']);
    assert.ok(existsSync(path.join(dataDir, 'member', 'wal')), `the WAL is under ETCD_DATA_DIR ${dataDir}`);
    await member.stop();
  });

  test('a flag given both on the command line and as ETCD_* is refused with etcd\'s message, exit 1', async () => {
    // etcd 3.4 does not let the flag win: a shadowed variable is a fatal configuration error.
    const folder = await tempFolder();
    const urls = await freeUrls();
    const args = ['--name', 'flag-name', '--data-dir', path.join(folder, 'flag.data'), ...urlFlags('flag-name', urls)];
    const result = await runTargetCommand(args, { env: { ETCD_NAME: 'env-name' }, timeoutMs: 10_000 });
    assert.equal(result.timedOut, false, 'the member started instead of refusing the conflict');
    assert.equal(result.code, 1, result.stderr);
    assert.ok(result.stderr.includes('conflicting environment variable "ETCD_NAME" is shadowed by corresponding command-line flag ' +
      '(either unset environment variable or disable flag)'), result.stderr);
    assert.equal(existsSync(path.join(folder, 'flag.data')), false, 'nothing was written');
  });

  test('--config-file with etcd\'s YAML configures the member; other flags and ETCD_* are ignored', { timeout: 45_000 }, async () => {
    const folder = await tempFolder();
    const urls = await freeUrls();
    const dataDir = path.join(folder, 'file.data');
    const file = path.join(folder, 'etcd.conf.yml');
    await writeFile(file, [
      '# etcd configuration file, in the format of etcd.conf.yml.sample',
      'name: file-member',
      `data-dir: ${dataDir}`,
      `listen-client-urls: ${urls.clientUrl}`,
      `advertise-client-urls: ${urls.clientUrl}`,
      `listen-peer-urls: ${urls.peerUrl}`,
      `initial-advertise-peer-urls: ${urls.peerUrl}`,
      `initial-cluster: file-member=${urls.peerUrl}`,
      "initial-cluster-state: 'new'",
      "initial-cluster-token: 'file-token'",
      'heartbeat-interval: 100',
      'election-timeout: 1000',
      '',
    ].join('\n'));
    const ignoredDir = path.join(folder, 'ignored.data');
    const member = await startMember('file-member', ['--config-file', file, '--name', 'flag-name', '--data-dir', ignoredDir],
      { ETCD_NAME: 'env-name' }, urls, dataDir);
    assert.deepEqual(await memberNames(member.clientUrl), ['file-member']);
    assert.ok(existsSync(path.join(dataDir, 'member', 'wal')), 'the data dir comes from the file');
    assert.equal(existsSync(ignoredDir), false, 'the --data-dir flag is ignored');
    const client = connect(member.clientUrl);
    try {
      await client.kv.put({ key: 'configured', value: 'yes' });
      assert.equal((await client.kv.range({ key: 'configured' })).kvs[0]?.value.toString(), 'yes');
    } finally {
      client.close();
    }
    await member.stop();
  });
});
