// The TLS wizard of the local cluster: its current setting and certificate files, and the switch on or off with
// each step main reports (`maintenance.onDidProgress`, kind 'tls') shown as it happens.
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { Disposable, LocalTlsState } from '../../../electron/common/contract.ts';
import { api, describeError, unwrap } from '../api/index.ts';
import { useClusterStore } from './cluster.ts';
import { useUiStore } from './ui.ts';

/** One step of a switch, as main reported it. */
export interface TlsStep {
  text: string;
  state: 'running' | 'done' | 'failed';
}

let operationCounter = 0;

/** The local TLS store. */
export const useLocalTlsStore = defineStore('local-tls', () => {
  const ui = useUiStore();
  const state = shallowRef<LocalTlsState | null>(null);
  const loadError = ref<string | null>(null);
  const busy = ref(false);
  const steps = ref<TlsStep[]>([]);
  /** Why the last switch failed, in main's words; null when it did not fail. */
  const error = ref<string | null>(null);
  let subscription: Disposable | undefined;
  let operationId: string | null = null;

  async function load(): Promise<void> {
    try {
      state.value = await unwrap(api().localCluster.tls());
      loadError.value = null;
    } catch (failure) {
      loadError.value = describeError(failure);
    }
  }

  function follow(): void {
    subscription ??= api().maintenance.onDidProgress((update) => {
      if (update.kind !== 'tls' || update.operationId !== operationId) return;
      // Each report is a new step; the previous one is finished by then (or, on failure, the failure is the step).
      const finished = steps.value.map((step) => (step.state === 'running' ? { ...step, state: 'done' as const } : step));
      steps.value = [...finished, { text: update.step, state: update.phase === 'running' ? 'running' : update.phase }];
    });
  }

  /** Turns TLS on or off; resolves true when the cluster runs the new way. */
  async function switchTo(enabled: boolean): Promise<boolean> {
    follow();
    operationCounter++;
    operationId = `tls-${Date.now().toString(36)}-${operationCounter}`;
    busy.value = true;
    error.value = null;
    steps.value = [];
    try {
      state.value = await unwrap(api().localCluster.setTls({ enabled, operationId }));
      ui.notify('success', enabled ? 'The local cluster now requires TLS with a client certificate.' : 'The local cluster serves plain connections again.');
      return true;
    } catch (failure) {
      error.value = describeError(failure);
      return false;
    } finally {
      busy.value = false;
      operationId = null;
      void useClusterStore().refresh();
    }
  }

  return { state, loadError, busy, steps, error, load, switchTo };
});
