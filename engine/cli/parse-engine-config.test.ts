import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ServerConfig } from '../server/server-config.ts';
import type { EngineConfig } from './engine-config.ts';
import { parseEngineConfig, type ConfigResult } from './parse-engine-config.ts';

type Run = Extract<ConfigResult, { action: 'run' }>;
type Failure = Extract<ConfigResult, { action: 'error' }>;

/** A fixed clock, so that error texts can be compared whole. */
const now = (): Date => new Date(2024, 0, 2, 3, 4, 5, 67);
const stamp = '2024-01-02 03:04:05.067000';

function run(argv: string[], env: Record<string, string> = {}): Run {
  const result = parseEngineConfig(argv, env);
  assert.equal(result.action, 'run', JSON.stringify(result));
  return result as Run;
}

function failure(argv: string[], env: Record<string, string> = {}): Failure {
  const result = parseEngineConfig(argv, env, { now });
  assert.equal(result.action, 'error', JSON.stringify(result));
  return result as Failure;
}

function withConfigFile(yaml: string, check: (file: string) => void): void {
  const directory = mkdtempSync(path.join(tmpdir(), 'cairn-cli-'));
  try {
    const file = path.join(directory, 'etcd.conf.yml');
    writeFileSync(file, yaml);
    check(file);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

test('defaults are etcd defaults', () => {
  const { config, warnings, notices } = run([]);
  assert.equal(config.name, 'default');
  assert.equal(config.dataDir, 'default.etcd');
  assert.equal(config.walDir, undefined);
  assert.deepEqual(config.clientUrls, ['http://localhost:2379']);
  assert.deepEqual(config.advertiseClientUrls, ['http://localhost:2379']);
  assert.deepEqual(config.peerUrls, ['http://localhost:2380']);
  assert.deepEqual(config.advertisePeerUrls, ['http://localhost:2380']);
  assert.deepEqual(config.initialCluster, [{ name: 'default', peerUrls: ['http://localhost:2380'] }]);
  assert.equal(config.initialClusterState, 'new');
  assert.equal(config.initialClusterToken, 'etcd-cluster');
  assert.equal(config.snapshotCount, 100000);
  assert.equal(config.heartbeatMs, 100);
  assert.equal(config.electionMs, 1000);
  assert.equal(config.quotaBackendBytes, 2 * 1024 * 1024 * 1024, '0 means the 2 GiB default');
  assert.equal(config.requestBytesMax, 1572864);
  assert.equal(config.txnOpsMax, 128);
  assert.equal(config.concurrentStreamsMax, 4294967295);
  assert.equal(config.autoCompactionMode, 'periodic');
  assert.equal(config.autoCompactionRetention, 0);
  assert.equal(config.strictReconfigCheck, true);
  assert.equal(config.forceNewCluster, false);
  assert.equal(config.initialCorruptCheck, false);
  assert.deepEqual([config.logger, config.logLevel, config.logOutputs], ['zap', 'info', ['stderr']]);
  assert.deepEqual([config.authToken, config.authTokenTtlSeconds, config.bcryptCost], ['simple', 300, 10]);
  assert.deepEqual([config.grpcKeepaliveMinTimeMs, config.grpcKeepaliveIntervalMs, config.grpcKeepaliveTimeoutMs], [5000, 7_200_000, 20_000]);
  assert.deepEqual(warnings, []);
  assert.deepEqual(notices, []);
});

test('the config is a ServerConfig as engine/server expects it', () => {
  const { config } = run(['--name', 'a']);
  const server: ServerConfig = config; // fails to type-check if the shapes drift apart
  const engine: EngineConfig = config;
  assert.equal(server.name, engine.name);
});

test('--flag value, --flag=value and -flag value are the same', () => {
  for (const argv of [['--name', 'infra1'], ['--name=infra1'], ['-name', 'infra1'], ['-name=infra1']]) {
    assert.equal(run(argv).config.name, 'infra1', argv.join(' '));
  }
});

test('booleans take --flag or --flag=true|false, never the next word', () => {
  assert.equal(run(['--force-new-cluster']).config.forceNewCluster, true);
  assert.equal(run(['--strict-reconfig-check=false']).config.strictReconfigCheck, false);
  assert.equal(run(['--strict-reconfig-check=0']).config.strictReconfigCheck, false);
  const stray = failure(['--strict-reconfig-check', 'false']);
  assert.equal(stray.message, "'false' is not a valid flag");
  assert.equal(stray.exitCode, 1);
  assert.equal(failure(['--force-new-cluster=yes']).message, 'invalid boolean value "yes" for -force-new-cluster: parse error');
});

test('the last occurrence of a flag wins and -- ends the flags', () => {
  assert.equal(run(['--name', 'a', '--name=b']).config.name, 'b');
  assert.equal(run(['--name', 'a', '--']).config.name, 'a');
  assert.equal(failure(['--', 'x']).message, "'x' is not a valid flag");
});

test('a value may start with a dash, as in Go', () => {
  assert.equal(run(['--initial-cluster-token', '-token-']).config.initialClusterToken, '-token-');
});

test('--name builds the data dir and the default initial cluster from the advertised peer URLs', () => {
  const { config } = run(['--name', 'infra1', '--initial-advertise-peer-urls', 'http://10.0.0.1:2380', '--listen-peer-urls', 'http://10.0.0.1:2380']);
  assert.equal(config.dataDir, 'infra1.etcd');
  assert.deepEqual(config.initialCluster, [{ name: 'infra1', peerUrls: ['http://10.0.0.1:2380'] }]);
});

test('a three-member initial cluster is parsed into members', () => {
  const cluster = 'infra0=http://10.0.1.10:2380,infra1=http://10.0.1.11:2380,infra2=http://10.0.1.12:2380';
  const { config } = run(['--name', 'infra1', '--initial-advertise-peer-urls', 'http://10.0.1.11:2380', '--initial-cluster', cluster, '--initial-cluster-state', 'existing']);
  assert.deepEqual(config.initialCluster.map((member) => member.name), ['infra0', 'infra1', 'infra2']);
  assert.equal(config.initialClusterState, 'existing');
});

test('numbers, durations and lists are parsed like Go flags', () => {
  const { config } = run([
    '--snapshot-count=0x10',
    '--grpc-keepalive-interval=1h30m',
    '--grpc-keepalive-timeout=1.5s',
    '--log-outputs=stdout,stderr,stdout',
    '--cipher-suites',
    'TLS_A, TLS_B',
    '--quota-backend-bytes=1024',
  ]);
  assert.equal(config.snapshotCount, 16);
  assert.equal(config.grpcKeepaliveIntervalMs, 5_400_000);
  assert.equal(config.grpcKeepaliveTimeoutMs, 1500);
  assert.deepEqual(config.logOutputs, ['stdout', 'stderr']);
  assert.deepEqual(config.cipherSuites, ['TLS_A', 'TLS_B']);
  assert.equal(config.quotaBackendBytes, 1024);
  assert.equal(failure(['--max-txn-ops=-1']).message, 'invalid value "-1" for flag -max-txn-ops: parse error');
  assert.equal(failure(['--max-concurrent-streams=4294967296']).message,
    'invalid value "4294967296" for flag -max-concurrent-streams: strconv.ParseUint: parsing "4294967296": value out of range');
  assert.equal(failure(['--grpc-keepalive-timeout=5']).message, 'invalid value "5" for flag -grpc-keepalive-timeout: parse error');
  assert.equal(failure(['--heartbeat-interval', 'often']).message, 'invalid value "often" for flag -heartbeat-interval: parse error');
});

test('URL lists are validated, de-duplicated and sorted', () => {
  const { config } = run(['--listen-client-urls', 'http://127.0.0.1:2379,http://0.0.0.0:2379,http://127.0.0.1:2379', '--advertise-client-urls', 'http://node1.example:2379']);
  assert.deepEqual(config.clientUrls, ['http://0.0.0.0:2379', 'http://127.0.0.1:2379']);
  assert.deepEqual(config.advertiseClientUrls, ['http://node1.example:2379']);
  const errors: Array<[string[], RegExp]> = [
    [['--listen-client-urls', 'localhost:2379', '--advertise-client-urls', 'http://a:1'], /URL scheme must be http, https, unix, or unixs: localhost:2379/],
    [['--listen-client-urls', 'ftp://127.0.0.1:2379', '--advertise-client-urls', 'http://a:1'], /URL scheme must be/],
    [['--listen-client-urls', 'http://127.0.0.1:2379/', '--advertise-client-urls', 'http://a:1'], /URL must not contain a path/],
    [['--listen-client-urls', 'http://127.0.0.1', '--advertise-client-urls', 'http://a:1'], /does not have the form "host:port"/],
    [['--listen-client-urls', 'http://node1.example:2379', '--advertise-client-urls', 'http://a:1'], /expected IP in URL for binding \(http:\/\/node1.example:2379\)/],
    [['--advertise-client-urls', 'http://:2379'], /unexpected empty host/],
  ];
  for (const [argv, expected] of errors) {
    const result = failure(argv);
    assert.match(result.message, expected, argv.join(' '));
    assert.equal(result.exitCode, 2, 'a flag value Go cannot set is a usage error');
  }
  assert.deepEqual(run(['--listen-peer-urls', 'http://[::1]:2380,http://[fe80::1]:0', '--initial-advertise-peer-urls=http://[::1]:2380']).config.peerUrls, [
    'http://[::1]:2380',
    'http://[fe80::1]:0',
  ]);
});

test('setting --listen-client-urls alone is refused, as etcd requires --advertise-client-urls then', () => {
  const result = failure(['--listen-client-urls', 'http://127.0.0.1:2379']);
  assert.equal(result.message, '--advertise-client-urls is required when --listen-client-urls is set explicitly');
  assert.equal(result.exitCode, 1);
});

test('ETCD_* variables set flags; an empty one is unset and warned about as etcd does', () => {
  const env = { ETCD_HEARTBEAT_INTERVAL: '50', ETCD_DATA_DIR: '/var/lib/etcd', ETCD_ELECTION_TIMEOUT: '', PATH: '/bin' };
  const { config, warnings, notices } = run(['--name', 'from-flag', '--initial-cluster', 'from-flag=http://localhost:2380'], env);
  assert.equal(config.name, 'from-flag');
  assert.equal(config.heartbeatMs, 50);
  assert.equal(config.dataDir, '/var/lib/etcd');
  assert.equal(config.electionMs, 1000, 'an empty variable counts as unset');
  assert.deepEqual(warnings, ['unrecognized environment variable ETCD_ELECTION_TIMEOUT=']);
  assert.deepEqual(notices, ['recognized and used environment variable ETCD_DATA_DIR=/var/lib/etcd', 'recognized and used environment variable ETCD_HEARTBEAT_INTERVAL=50']);
});

test('a flag given both on the command line and as ETCD_* is fatal with etcd\'s message, exit 1', () => {
  const message = 'conflicting environment variable "ETCD_NAME" is shadowed by corresponding command-line flag (either unset environment variable or disable flag)';
  const result = failure(['--name', 'from-flag'], { ETCD_NAMEE: 'x', ETCD_NAME: 'from-env', ETCD_DATA_DIR: '/d' });
  assert.equal(result.message, message);
  assert.equal(result.exitCode, 1);
  assert.equal(result.text, `${stamp} C | pkg/flags: ${message}\n`);
  assert.deepEqual(result.warnings, ['unrecognized environment variable ETCD_NAMEE=x'], 'variables before the conflict are still checked');
  assert.equal(failure(['--name', 'a'], { ETCD_NAME: '' }).message, message, 'even an empty variable conflicts');
  assert.equal(failure(['-name=a'], { ETCD_SNAPSHOT_COUNT: 'many', ETCD_NAME: 'b' }).message, message, 'the conflict is reported before a bad value');
  assert.equal(run(['--name', 'a'], { ETCDCTL_NAME: 'b' }).config.name, 'a', 'only ETCD_ plus a flag name counts');
});

test('unknown ETCD_* variables and ETCD_VERSION are warned about; non-ETCD variables are not', () => {
  const { warnings } = run([], { ETCD_NAMEE: 'x', ETCD_VERSION: '3.5', ETCDCTL_API: '3', HOME: '/root' });
  assert.deepEqual(warnings, ['cannot set special environment variable ETCD_VERSION=3.5', 'unrecognized environment variable ETCD_NAMEE=x']);
  assert.deepEqual(run(['--version=false'], { ETCD_VERSION: '1' }).warnings, ['cannot set special environment variable ETCD_VERSION=1'], 'not a conflict');
});

test('a bad ETCD_* value is a configuration error naming the variable; the last one in flag-name order is reported', () => {
  const result = failure([], { ETCD_SNAPSHOT_COUNT: 'many' });
  assert.equal(result.message, 'invalid value "many" for ETCD_SNAPSHOT_COUNT: parse error');
  assert.equal(result.exitCode, 1);
  assert.equal(result.text, `${stamp} E | etcdmain: error verifying flags, invalid value "many" for ETCD_SNAPSHOT_COUNT: parse error. See 'etcd --help'.\n`);
  assert.equal(failure([], { ETCD_SNAPSHOT_COUNT: 'many', ETCD_HEARTBEAT_INTERVAL: 'often' }).message, 'invalid value "many" for ETCD_SNAPSHOT_COUNT: parse error');
});

test('a config file sets flags; flags and variables are then ignored with a warning', () => {
  const yaml = [
    'name: infra0',
    'data-dir: /var/lib/etcd/infra0',
    'heartbeat-interval: 200',
    'election-timeout: 2000',
    'listen-client-urls: http://127.0.0.1:2379,http://10.0.0.1:2379',
    'advertise-client-urls: http://10.0.0.1:2379',
    'listen-peer-urls: http://10.0.0.1:2380',
    'initial-advertise-peer-urls: http://10.0.0.1:2380',
    'initial-cluster: infra0=http://10.0.0.1:2380,infra1=http://10.0.0.2:2380',
    "initial-cluster-state: 'new'",
    'strict-reconfig-check: false',
    'auto-compaction-mode: revision',
    "auto-compaction-retention: '1000'",
    'grpc-keepalive-min-time: 10000000000',
    'log-outputs: [stdout]',
    'wal-dir:',
    'client-transport-security:',
    '  cert-file: /tls/server.crt',
    '  key-file: /tls/server.key',
    '  client-cert-auth: true',
    'peer-transport-security:',
    '  trusted-ca-file: /tls/ca.crt',
    '  allowed-cn: etcd-peer',
    'not-a-key: 1',
    '',
  ].join('\n');
  withConfigFile(yaml, (file) => {
    const result = parseEngineConfig(['--config-file', file, '--name', 'ignored'], { ETCD_DATA_DIR: '/ignored' });
    assert.equal(result.action, 'run', JSON.stringify(result));
    const { config, warnings, notices } = result as Run;
    assert.equal(config.name, 'infra0');
    assert.equal(config.dataDir, '/var/lib/etcd/infra0');
    assert.equal(config.walDir, undefined);
    assert.deepEqual([config.heartbeatMs, config.electionMs], [200, 2000]);
    assert.deepEqual(config.clientUrls, ['http://10.0.0.1:2379', 'http://127.0.0.1:2379']);
    assert.equal(config.initialCluster.length, 2);
    assert.equal(config.strictReconfigCheck, false);
    assert.deepEqual([config.autoCompactionMode, config.autoCompactionRetention], ['revision', 1000]);
    assert.equal(config.grpcKeepaliveMinTimeMs, 10_000, 'YAML durations are nanoseconds, as in etcd');
    assert.deepEqual(config.logOutputs, ['stdout']);
    assert.deepEqual([config.clientTls.certificateFile, config.clientTls.keyFile, config.clientTls.clientCertificateAuth], ['/tls/server.crt', '/tls/server.key', true]);
    assert.equal(config.peerTls.trustedCaFile, '/tls/ca.crt');
    assert.deepEqual(config.peerTls.allowedCommonNames, ['etcd-peer']);
    assert.equal(config.configFile, file);
    assert.deepEqual(warnings, [
      `unknown key "not-a-key" in config file ${file} is ignored`,
      `config file ${file} is used, so these flags and environment variables are ignored: --name, ETCD_DATA_DIR`,
    ]);
    assert.match(notices[0]!, /loaded server configuration from/);
  });
});

test('ETCD_CONFIG_FILE names a config file too, and the file keeps etcd defaults for what it omits', () => {
  withConfigFile('name: solo\nlisten-client-urls: http://127.0.0.1:2379\n', (file) => {
    const { config } = run([], { ETCD_CONFIG_FILE: file });
    assert.equal(config.name, 'solo');
    assert.deepEqual(config.initialCluster, [{ name: 'solo', peerUrls: ['http://localhost:2380'] }]);
    assert.deepEqual(config.advertiseClientUrls, ['http://localhost:2379'], 'only the command line drops the default');
  });
});

test('config file problems are configuration errors', () => {
  withConfigFile('name: [unclosed\n', (file) => assert.match(failure(['--config-file', file]).message, /error parsing config file/));
  withConfigFile('name: [unclosed\n', (file) => {
    const lines = failure([], { ETCD_CONFIG_FILE: file }).text.split('\n');
    assert.equal(lines[0], `${stamp} I | etcdmain: Loading server configuration from ${JSON.stringify(file)}. Other configuration command line flags and environment variables will be ignored if provided.`);
    assert.match(lines[1]!, /^2024-01-02 03:04:05\.067000 E \| etcdmain: error verifying flags, error parsing config file .*\. See 'etcd --help'\.$/);
  });
  withConfigFile('heartbeat-interval: soon\n', (file) => assert.match(failure(['--config-file', file]).message, /invalid value "soon" for "heartbeat-interval" in config file/));
  withConfigFile('- a\n- b\n', (file) => assert.match(failure(['--config-file', file]).message, /must be a mapping/));
  const missing = failure(['--config-file', '/nonexistent/cairn.yml']);
  assert.equal(missing.message, 'open /nonexistent/cairn.yml: no such file or directory');
  assert.equal(missing.exitCode, 1);
  assert.equal(missing.text, [
    `${stamp} I | etcdmain: Loading server configuration from "/nonexistent/cairn.yml". Other configuration command line flags and environment variables will be ignored if provided.`,
    `${stamp} E | etcdmain: error verifying flags, open /nonexistent/cairn.yml: no such file or directory. See 'etcd --help'.`,
    '',
  ].join('\n'));
});

test('command-line syntax errors exit 2 with Go\'s message (one dash) and then the usage lines', () => {
  const result = failure(['--name', 'a', '--foo', 'bar']);
  assert.equal(result.message, 'flag provided but not defined: -foo');
  assert.equal(result.exitCode, 2);
  assert.ok(result.text.startsWith('flag provided but not defined: -foo\nUsage:\n\n  etcd [flags]\n'), result.text);
  assert.ok(result.text.endsWith('environment variables will be ignored.\n\n'), 'the usage ends with a blank line, as etcd prints it');
  assert.equal(failure(['--foo=1']).message, 'flag provided but not defined: -foo');
  assert.equal(failure(['-no-such-flag']).message, 'flag provided but not defined: -no-such-flag');
  assert.equal(failure(['--name']).message, 'flag needs an argument: -name');
  assert.equal(failure(['---name=x']).message, 'bad flag syntax: ---name=x');
  assert.equal(failure(['--=x']).message, 'bad flag syntax: --=x');
  assert.equal(failure(['--name']).exitCode, 2);
});

test('a stray word is a configuration error, exit 1, printed as etcd\'s capnslog line', () => {
  const result = failure(['--name', 'a', 'stray']);
  assert.equal(result.exitCode, 1);
  assert.equal(result.text, `${stamp} E | etcdmain: error verifying flags, 'stray' is not a valid flag. See 'etcd --help'.\n`);
  assert.equal(failure(['-']).message, "'-' is not a valid flag");
});

test('flags for features Cairn lacks are accepted with a warning, unless left at their default', () => {
  const { warnings } = run(['--enable-v2', '--enable-pprof=true', '--proxy', 'on', '--discovery', 'https://discovery.etcd.io/x', '--v', '--enable-grpc-gateway=false', '--backend-batch-limit=0']);
  assert.deepEqual(warnings, [
    '--enable-v2 is accepted for compatibility but ignored: Cairn serves the v3 API only; it has no v2 API and no v2 store',
    '--enable-pprof is accepted for compatibility but ignored: Cairn has no Go runtime to profile; run Node.js with --inspect instead',
    '--proxy is accepted for compatibility but ignored: Cairn has no v2 proxy',
    '--discovery is accepted for compatibility but ignored: Cairn bootstraps from --initial-cluster only; discovery services are not supported',
    '--v is accepted for compatibility but ignored: it is an etcd v0.4 flag that etcd ignores too',
  ]);
  assert.deepEqual(run(['--enable-v2=false']).warnings, []);
  assert.deepEqual(run([], { ETCD_ENABLE_PPROF: 'true' }).warnings, [
    'ETCD_ENABLE_PPROF is accepted for compatibility but ignored: Cairn has no Go runtime to profile; run Node.js with --inspect instead',
  ]);
});

test('validation errors use etcd messages and exit with status 1', () => {
  const cases: Array<[string[], string | RegExp]> = [
    [['--heartbeat-interval=0'], '--heartbeat-interval must be >0 (set to 0ms)'],
    [['--heartbeat-interval=300', '--election-timeout=1000'], '--election-timeout[1000ms] should be at least as 5 times as --heartbeat-interval[300ms]'],
    [['--heartbeat-interval=1000', '--election-timeout=1000'], /should be at least as 5 times/],
    [['--election-timeout=50001'], '--election-timeout[50001ms] is too long, and should be set less than 50000ms'],
    [['--name', 'infra9', '--initial-cluster', 'infra0=http://localhost:2380'], `couldn't find local name "infra9" in the initial cluster configuration`],
    [['--initial-cluster', 'default=http://10.0.0.1:2380'], '--initial-cluster has http://10.0.0.1:2380 but missing from --initial-advertise-peer-urls=http://localhost:2380'],
    [['--initial-cluster', 'a=http://10.0.0.1:2380,b=http://10.0.0.1:2380'], /gives peer URL http:\/\/10.0.0.1:2380 to both "a" and "b"/],
    [['--initial-cluster', 'default'], /invalid --initial-cluster entry "default": expected name=peer-url/],
    [['--auto-compaction-retention=1.5'], /error parsing CompactionRetention: time: missing unit/],
    [['--auto-compaction-mode=revision', '--auto-compaction-retention=1h'], /must be a number of revisions/],
    [['--logger=capnslog'], '--logger=capnslog is removed in v3.5'],
    [['--auth-token=oauth'], 'unknown token type: oauth'],
    [['--cert-file=/tls/a.crt'], '--cert-file and --key-file must be given together'],
    [['--peer-key-file=/tls/a.key'], '--peer-cert-file and --peer-key-file must be given together'],
    [['--tls-min-version=TLS1.3', '--tls-max-version=TLS1.2'], 'min version (TLS1.3) is greater than max version (TLS1.2)'],
    [['--tls-min-version=TLS1.3', '--cipher-suites=TLS_A'], 'cipher suites cannot be configured when only TLS1.3 is enabled'],
  ];
  for (const [argv, expected] of cases) {
    const result = failure(argv);
    if (typeof expected === 'string') assert.equal(result.message, expected, argv.join(' '));
    else assert.match(result.message, expected, argv.join(' '));
    assert.equal(result.exitCode, 1, argv.join(' '));
  }
});

test('choice flags list their valid values (a usage error, as Go rejects the value)', () => {
  const result = failure(['--initial-cluster-state', 'old']);
  assert.equal(result.message, `invalid value "old" for flag -initial-cluster-state: valid values are 'new' or 'existing'`);
  assert.equal(result.exitCode, 2);
  assert.match(failure(['--log-level=verbose']).message, /valid values are 'debug', 'info', 'warn', 'error', 'panic' or 'fatal'/);
  assert.match(failure(['--auto-compaction-mode=hourly']).message, /valid values are 'periodic' or 'revision'/);
});

test('a forced new cluster skips the initial-cluster membership check', () => {
  assert.equal(run(['--name', 'x', '--initial-cluster', 'y=http://localhost:2380', '--force-new-cluster']).config.forceNewCluster, true);
});

test('periodic compaction retention counts hours for plain numbers, else reads a duration', () => {
  assert.equal(run(['--auto-compaction-retention=1']).config.autoCompactionRetention, 3_600_000);
  assert.equal(run(['--auto-compaction-retention=30m']).config.autoCompactionRetention, 1_800_000);
  assert.equal(run(['--auto-compaction-mode=revision', '--auto-compaction-retention=1000']).config.autoCompactionRetention, 1000);
});

test('quota, bcrypt cost and --debug adjustments come with warnings', () => {
  const negative = run(['--quota-backend-bytes=-1']);
  assert.equal(negative.config.quotaBackendBytes, Number.POSITIVE_INFINITY);
  assert.match(negative.warnings[0]!, /space quota is disabled/);
  assert.match(run(['--quota-backend-bytes=17179869184']).warnings[0]!, /exceeds the maximum recommended value/);
  const bcrypt = run(['--bcrypt-cost=40']);
  assert.equal(bcrypt.config.bcryptCost, 10);
  assert.match(bcrypt.warnings[0]!, /--bcrypt-cost 40 is outside 4..31/);
  const debug = run(['--debug']);
  assert.equal(debug.config.logLevel, 'debug');
  assert.match(debug.warnings[0]!, /--debug is deprecated/);
  const journal = run(['--log-outputs=systemd/journal']);
  assert.deepEqual(journal.config.logOutputs, ['stderr']);
  assert.match(journal.warnings[0]!, /systemd\/journal/);
  assert.match(run(['--listen-metrics-urls=unix://localhost:1']).warnings[0]!, /unix sockets/);
});

test('--help and -h print etcd-style help; help wins only when it comes before an error', () => {
  for (const argv of [['--help'], ['-h'], ['-help'], ['--help=false'], ['--name', 'a', '--help', '--foo']]) {
    const result = parseEngineConfig(argv, {});
    assert.equal(result.action, 'help', argv.join(' '));
  }
  assert.equal(parseEngineConfig(['--foo', '--help'], {}).action, 'error');
  const help = parseEngineConfig(['--help'], {});
  assert.ok(help.action === 'help');
  assert.equal(help.exitCode, 0);
  // etcd writes the usage lines to stderr and the flag list to stdout.
  assert.ok(help.usage.startsWith('Usage:\n\n  etcd [flags]\n'), help.usage);
  assert.ok(help.usage.includes('  etcd --config-file\n'));
  assert.ok(!help.usage.includes('Member:'));
  assert.ok(help.flagList.startsWith('\nMember:\n'), 'the flag list starts with a blank line, as etcd\'s');
  assert.equal(help.text, help.usage + help.flagList);
  for (const expected of ['Member:', 'Clustering:', 'Security:', 'Logging:', "  --name 'default'", "  --data-dir '${name}.etcd'", "  --initial-cluster 'default=http://localhost:2380'", "  --max-concurrent-streams 'math.MaxUint32'", "  --log-level 'info'"]) {
    assert.ok(help.flagList.includes(expected), `help lacks ${expected}`);
  }
  assert.match(help.flagList, / {2}--enable-v2 'false'\n.*\n.*accepted for compatibility and ignored/);
  const named = parseEngineConfig(['-h'], {}, { programName: 'cairn-engine' });
  assert.ok(named.action === 'help' && named.usage.includes('  cairn-engine [flags]'));
});

test('--version prints etcd Version lines and Cairn version; it needs a valid command line', () => {
  const result = parseEngineConfig(['--version'], {}, { runtime: { nodeVersion: 'v20.11.0', platform: 'linux', arch: 'x64' } });
  assert.equal(result.action, 'version');
  assert.ok(result.action === 'version');
  assert.match(result.text, /^etcd Version: 3\.5\.\d+\n/);
  assert.match(result.text, /\nGo OS\/Arch: linux\/amd64\n/);
  assert.match(result.text, /\nCairn Version: \d+\.\d+\.\d+\n/);
  assert.equal(parseEngineConfig(['--version', '--foo'], {}).action, 'error');
  assert.equal(parseEngineConfig(['--version=false'], {}).action, 'run');
  assert.match(run([], { ETCD_VERSION: '1' }).warnings[0]!, /cannot set special environment variable/);
});

test('--backend-batch-interval and --backend-batch-limit set the backend batching; 0 keeps etcd defaults', () => {
  const defaults = run([]).config;
  assert.equal(defaults.backendBatchIntervalMs, 100);
  assert.equal(defaults.backendBatchWritesMax, 10_000);
  const tuned = run(['--backend-batch-interval', '20ms', '--backend-batch-limit', '500']).config;
  assert.equal(tuned.backendBatchIntervalMs, 20);
  assert.equal(tuned.backendBatchWritesMax, 500);
});
