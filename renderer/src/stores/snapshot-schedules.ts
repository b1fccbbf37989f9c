// Scheduled snapshots: every connection's schedule as main runs it (next run, last outcome), kept live through
// `maintenance.onDidChangeSchedule`, and saving or deleting the active connection's schedule.
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { Disposable, SnapshotSchedule, SnapshotScheduleState } from '../../../electron/common/contract.ts';
import { api, describeError, unwrap } from '../api/index.ts';
import { useSnapshotsStore } from './snapshots.ts';
import { useUiStore } from './ui.ts';

/** The snapshot schedules store. */
export const useSnapshotSchedulesStore = defineStore('snapshot-schedules', () => {
  const ui = useUiStore();
  const byConnection = shallowRef<Record<string, SnapshotScheduleState>>({});
  const error = ref<string | null>(null);
  const saving = ref(false);
  let subscription: Disposable | undefined;

  function remember(state: SnapshotScheduleState): void {
    const previous = byConnection.value[state.connectionId];
    byConnection.value = { ...byConnection.value, [state.connectionId]: state };
    // A finished run added (and retention may have deleted) snapshots: the list below should show it.
    if (previous?.running && !state.running) void useSnapshotsStore().refresh();
  }

  async function load(): Promise<void> {
    subscription ??= api().maintenance.onDidChangeSchedule(remember);
    try {
      const states = await unwrap(api().maintenance.schedules());
      byConnection.value = Object.fromEntries(states.map((state) => [state.connectionId, state]));
      error.value = null;
    } catch (failure) {
      error.value = describeError(failure);
    }
  }

  /** Saves (or with null deletes) a connection's schedule; resolves true when main accepted it. */
  async function save(connectionId: string, schedule: SnapshotSchedule | null): Promise<boolean> {
    saving.value = true;
    try {
      const state = await unwrap(api().maintenance.setSchedule({ connectionId, schedule }));
      if (state) remember(state);
      else {
        const { [connectionId]: _removed, ...rest } = byConnection.value;
        byConnection.value = rest;
      }
      ui.notify('success', schedule?.enabled ? 'Snapshot schedule saved.' : schedule ? 'Snapshot schedule paused.' : 'Snapshot schedule removed.');
      return true;
    } catch (failure) {
      ui.notify('error', `The schedule was not saved: ${describeError(failure)}`);
      return false;
    } finally {
      saving.value = false;
    }
  }

  return { byConnection, error, saving, load, save };
});
