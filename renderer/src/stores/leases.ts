// Leases of the active connection: the list with remaining TTLs (counted down on screen between refreshes),
// the keys attached to one lease, and grant / keep-alive / revoke.
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { LeaseDetail, LeaseInfo } from '../../../electron/common/contract.ts';
import { api, describeError, unwrap } from '../api/index.ts';
import { useConnectionsStore } from './connections.ts';
import { useUiStore } from './ui.ts';

/** The leases store. */
export const useLeasesStore = defineStore('leases', () => {
  const connections = useConnectionsStore();
  const ui = useUiStore();
  const leases = shallowRef<LeaseInfo[]>([]);
  /** When the list was fetched (ms since epoch), to count TTLs down without asking the server every second. */
  const fetchedAt = ref(0);
  const loading = ref(false);
  const error = ref<string | null>(null);
  const detail = shallowRef<LeaseDetail | null>(null);
  const detailError = ref<string | null>(null);

  async function refresh(): Promise<void> {
    loading.value = true;
    try {
      leases.value = (await unwrap(api().leases.list({ connectionId: connections.connectionId }))).leases;
      fetchedAt.value = Date.now();
      error.value = null;
    } catch (failure) {
      error.value = describeError(failure);
    } finally {
      loading.value = false;
    }
  }

  async function open(id: string): Promise<void> {
    detailError.value = null;
    try {
      detail.value = await unwrap(api().leases.timeToLive({ connectionId: connections.connectionId, id, keys: true }));
    } catch (failure) {
      detail.value = null;
      detailError.value = describeError(failure);
    }
  }

  async function grant(ttl: number): Promise<string | null> {
    const target = await connections.guardWrite(`Grant a lease of ${ttl} s.`);
    if (!target) return null;
    try {
      const granted = await unwrap(api().leases.grant({ ...target, ttl }));
      ui.notify('success', `Granted lease ${granted.id} for ${granted.ttl} s.`);
      await refresh();
      return granted.id;
    } catch (failure) {
      ui.notify('error', describeError(failure));
      return null;
    }
  }

  async function keepAlive(id: string): Promise<void> {
    try {
      const renewed = await unwrap(api().leases.keepAliveOnce({ connectionId: connections.connectionId, id }));
      ui.notify('success', `Lease ${id} renewed for ${renewed.ttl} s.`);
      await Promise.all([refresh(), detail.value?.id === id ? open(id) : Promise.resolve()]);
    } catch (failure) {
      ui.notify('error', describeError(failure));
    }
  }

  async function revoke(id: string): Promise<void> {
    const count = detail.value?.id === id ? detail.value.keys.length : null;
    const confirmed = await ui.confirm({
      title: 'Revoke lease',
      message: `Revoke lease ${id}? ${count === null ? 'Every key attached to it is deleted.' : `Its ${count} attached key${count === 1 ? ' is' : 's are'} deleted.`}`,
      confirmLabel: 'Revoke',
      danger: true,
    });
    const target = confirmed ? await connections.guardWrite(`Revoke lease ${id}.`) : null;
    if (!target) return;
    try {
      await unwrap(api().leases.revoke({ ...target, id }));
      ui.notify('success', `Revoked lease ${id}.`);
      if (detail.value?.id === id) detail.value = null;
      await refresh();
    } catch (failure) {
      ui.notify('error', describeError(failure));
    }
  }

  return { leases, fetchedAt, loading, error, detail, detailError, refresh, open, grant, keepAlive, revoke };
});
