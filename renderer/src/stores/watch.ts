// The watch tail: one watch on a key or prefix, its events in a bounded buffer (newest first) so a burst of
// thousands of events per second never grows memory or freezes rendering, pause/resume without losing the
// stream (events arriving while paused are held, also bounded), a filter, and clear notice of compaction.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { Disposable, WatchEvent, WatchStateChange } from '../../../electron/common/contract.ts';
import { api, describeError, unwrap } from '../api/index.ts';
import { displayText, utf8Bytes } from '../lib/bytes.ts';
import { useConnectionsStore } from './connections.ts';
import { useStatusStore } from './status.ts';

/** Events kept on screen; older ones are dropped (and counted) so memory stays bounded. */
export const watchRowsMax = 5000;

/** One row of the tail. */
export interface WatchRow {
  seq: number;
  type: WatchEvent['type'];
  key: string;
  revision: number;
  value: string;
  valueTruncated: boolean;
  prevValue: string | null;
  receivedAt: number;
}

/** Settings of a watch as the user enters them. */
export interface WatchRequest {
  key: string;
  prefix: boolean;
  startRevision: number | null;
  prevKv: boolean;
}

/** Turns events into display rows; values become preview text (binary shown escaped, never raw). */
export function toRows(events: readonly WatchEvent[], firstSeq: number, receivedAt: number): WatchRow[] {
  return events.map((event, index) => ({
    seq: firstSeq + index,
    type: event.type,
    key: displayText(event.kv.key),
    revision: event.kv.modRevision,
    value: event.type === 'delete' ? '' : displayText(event.kv.value),
    valueTruncated: event.kv.valueTruncated,
    prevValue: event.prevKv ? displayText(event.prevKv.value) : null,
    receivedAt,
  }));
}

/** Adds rows at the front of a newest-first buffer, dropping the oldest past `max`; returns how many were dropped. */
export function pushBounded(buffer: WatchRow[], rows: readonly WatchRow[], max: number): { buffer: WatchRow[]; dropped: number } {
  const combined = [...rows].reverse().concat(buffer);
  const dropped = Math.max(0, combined.length - max);
  return { buffer: dropped > 0 ? combined.slice(0, max) : combined, dropped };
}

/** The watch store. */
export const useWatchStore = defineStore('watch', () => {
  const connections = useConnectionsStore();
  const request = ref<WatchRequest>({ key: '', prefix: true, startRevision: null, prevKv: true });
  const watchId = ref<string | null>(null);
  const state = ref<'idle' | 'starting' | WatchStateChange['state']>('idle');
  const endReason = ref<string | null>(null);
  const rows = shallowRef<WatchRow[]>([]);
  const held = shallowRef<WatchRow[]>([]);
  const paused = ref(false);
  const filter = ref('');
  const dropped = ref(0);
  const received = ref(0);
  const lastRevision = ref<number | null>(null);
  const error = ref<string | null>(null);
  let nextSeq = 1;
  let subscriptions: Disposable[] = [];
  /** The connection the running watch is on (the user may switch while it runs). */
  let watchConnectionId: string | null = null;

  const visibleRows = computed(() => {
    const text = filter.value.trim().toLowerCase();
    if (text === '') return rows.value;
    return rows.value.filter((row) => row.key.toLowerCase().includes(text) || row.value.toLowerCase().includes(text));
  });

  function subscribe(): void {
    if (subscriptions.length > 0) return;
    subscriptions = [
      api().watch.onDidReceive((batch) => {
        if (batch.watchId !== watchId.value) return;
        const fresh = toRows(batch.events, nextSeq, Date.now());
        nextSeq += fresh.length;
        received.value += batch.events.length;
        dropped.value += batch.dropped;
        lastRevision.value = batch.revision;
        // The status bar moves with the tail instead of waiting for its next refresh.
        if (watchConnectionId !== null) useStatusStore().observeRevision(watchConnectionId, batch.revision);
        const target = paused.value ? held : rows;
        const result = pushBounded(target.value, fresh, watchRowsMax);
        target.value = result.buffer;
        dropped.value += result.dropped;
      }),
      api().watch.onDidChangeState((change) => {
        if (change.watchId !== watchId.value) return;
        state.value = change.state;
        if (change.state === 'ended') endReason.value = describeEnd(change);
      }),
    ];
  }

  async function start(): Promise<void> {
    await stop();
    subscribe();
    error.value = null;
    endReason.value = null;
    state.value = 'starting';
    const settings = request.value;
    const connectionId = connections.connectionId;
    try {
      const started = await unwrap(api().watch.start({
        connectionId,
        key: utf8Bytes(settings.key),
        prefix: settings.prefix,
        prevKv: settings.prevKv,
        ...(settings.startRevision ? { startRevision: settings.startRevision } : {}),
      }));
      watchId.value = started.watchId;
      watchConnectionId = connectionId;
      if (state.value === 'starting') state.value = 'live';
    } catch (failure) {
      state.value = 'idle';
      error.value = describeError(failure);
    }
  }

  async function stop(): Promise<void> {
    const id = watchId.value;
    watchId.value = null;
    if (state.value !== 'idle') state.value = 'ended';
    if (id) await api().watch.stop({ watchId: id });
  }

  function togglePause(): void {
    paused.value = !paused.value;
    if (!paused.value && held.value.length > 0) {
      // Held rows are newest first already; put them back in arrival order so pushBounded keeps the order.
      const result = pushBounded(rows.value, [...held.value].reverse(), watchRowsMax);
      rows.value = result.buffer;
      dropped.value += result.dropped;
      held.value = [];
    }
  }

  function clear(): void {
    rows.value = [];
    held.value = [];
    dropped.value = 0;
    received.value = 0;
  }

  return { request, watchId, state, endReason, rows, held, paused, filter, dropped, received, lastRevision, error, visibleRows, start, stop, togglePause, clear };
});

function describeEnd(change: WatchStateChange): string {
  if (change.reason === 'compacted') {
    return `History before revision ${change.compactRevision} was compacted, so the watch could not start there. Start again from revision ${change.compactRevision} or later.`;
  }
  if (change.reason === 'stopped') return 'Stopped.';
  return change.message ?? `The watch ended (${change.reason ?? 'unknown reason'}).`;
}
