import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, discardLogger, formatId, isLogLevel, LogPanicError, type LoggerOptions } from './logger.ts';

const fixedTimeMs = Date.UTC(2026, 10, 23, 12, 0, 0, 123);

function capture(options: Partial<LoggerOptions> = {}) {
  const lines: string[] = [];
  const logger = createLogger({ sink: (line) => lines.push(line), clock: () => fixedTimeMs, ...options });
  return { logger, lines, records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

test('a line has zap key order: level, ts, caller, msg, then fields', () => {
  const { logger, lines } = capture();
  logger.info('ready to serve client requests', { caller: 'server/etcd-server.ts:123', 'member-id': 'abc', count: 3 });
  assert.equal(
    lines[0],
    '{"level":"info","ts":"2026-11-23T12:00:00.123Z","caller":"server/etcd-server.ts:123","msg":"ready to serve client requests","member-id":"abc","count":3}',
  );
});

test('a line without a caller has no caller key', () => {
  const { logger, lines } = capture();
  logger.warn('x');
  assert.equal(lines[0], '{"level":"warn","ts":"2026-11-23T12:00:00.123Z","msg":"x"}');
});

test('lines below the level are dropped; the level can change at runtime for every child', () => {
  const { logger, records } = capture({ level: 'warn' });
  const child = logger.child({ component: 'raft' });
  logger.debug('d');
  logger.info('i');
  child.info('child info');
  logger.warn('w');
  child.error('e');
  assert.deepEqual(records().map((record) => record.msg), ['w', 'e']);
  assert.equal(logger.enabled('info'), false);
  logger.setLevel('debug');
  child.debug('now visible');
  assert.equal(child.level, 'debug');
  assert.deepEqual(records().map((record) => record.msg), ['w', 'e', 'now visible']);
});

test('the default level is info', () => {
  const { logger, lines } = capture();
  logger.debug('hidden');
  logger.info('shown');
  assert.equal(lines.length, 1);
  assert.equal(logger.level, 'info');
});

test('child fields come first, call fields override them, and a child caller is used', () => {
  const { logger, records } = capture();
  const child = logger.child({ caller: 'lease/lessor.ts', component: 'lessor', attempt: 1 });
  child.info('granted', { attempt: 2 });
  assert.deepEqual(records()[0], {
    level: 'info',
    ts: '2026-11-23T12:00:00.123Z',
    caller: 'lease/lessor.ts',
    msg: 'granted',
    component: 'lessor',
    attempt: 2,
  });
});

test('bigint fields print as etcd hex IDs, including negative int64 values', () => {
  const { logger, records } = capture();
  logger.info('ids', { 'member-id': 0x8e9e05c52164694dn, small: 255n, negative: -1n, list: [1n, 16n] });
  const record = records()[0]!;
  assert.equal(record['member-id'], '8e9e05c52164694d');
  assert.equal(record.small, 'ff');
  assert.equal(record.negative, 'ffffffffffffffff');
  assert.deepEqual(record.list, ['1', '10']);
  assert.equal(formatId(1n << 70n), (1n << 70n).toString(16));
});

test('errors, bytes, maps and sets serialise readably', () => {
  const { logger, records } = capture();
  logger.error('failed', { error: new Error('disk full'), key: new TextEncoder().encode('foo'), map: new Map([['a', 1]]), set: new Set([1, 2]) });
  const record = records()[0]!;
  assert.equal(record.error, 'disk full');
  assert.equal(record.key, 'foo');
  assert.deepEqual(record.map, { a: 1 });
  assert.deepEqual(record.set, [1, 2]);
});

test('fields cannot overwrite the level, ts or msg keys', () => {
  const { logger, records } = capture();
  logger.info('real', { level: 'fatal', msg: 'fake', ts: 0 });
  const record = records()[0]!;
  assert.equal(record.level, 'info');
  assert.equal(record.msg, 'real');
  assert.equal(record['field.level'], 'fatal');
  assert.equal(record['field.msg'], 'fake');
});

test('a field that cannot be serialised keeps the line and reports why', () => {
  const { logger, records } = capture();
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  logger.info('still here', { cycle });
  const record = records()[0]!;
  assert.equal(record.msg, 'still here');
  assert.equal(typeof record['logger-error'], 'string');
});

test('panic writes its line and throws; fatal writes, runs onFatal, then throws', () => {
  let fatalMessage = '';
  const { logger, records } = capture({ level: 'fatal', onFatal: (message) => (fatalMessage = message) });
  assert.throws(() => logger.panic('boom'), LogPanicError);
  assert.throws(() => logger.fatal('dead'), LogPanicError);
  assert.deepEqual(records().map((record) => [record.level, record.msg]), [['fatal', 'dead']]);
  assert.equal(fatalMessage, 'dead');
});

test('panic lines are written at the panic level', () => {
  const { logger, records } = capture();
  assert.throws(() => logger.panic('boom', { reason: 'x' }));
  assert.equal(records()[0]!.level, 'panic');
});

test('isLogLevel accepts exactly etcd levels; discardLogger writes nothing', () => {
  assert.ok(isLogLevel('warn'));
  assert.ok(!isLogLevel('warning'));
  assert.ok(!isLogLevel('INFO'));
  const logger = discardLogger();
  logger.error('nothing');
  assert.equal(logger.enabled('error'), false);
});
