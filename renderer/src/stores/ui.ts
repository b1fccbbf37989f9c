// UI state shared by every screen: which view is shown, notifications, and the one confirmation dialog.
// Confirmations are promises so a store can write `if (!(await ui.confirm(...))) return;` around any write.
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';

/** The screens of the app, in navigation order. */
export type ViewName = 'keys' | 'watch' | 'leases' | 'cluster' | 'maintenance' | 'snapshots' | 'auth' | 'connections';

/** A notification shown at the bottom right for a few seconds (errors stay until dismissed). */
export interface Toast {
  id: number;
  kind: 'info' | 'success' | 'error';
  message: string;
}

/** What a confirmation dialog asks. */
export interface ConfirmRequest {
  title: string;
  message: string;
  confirmLabel?: string;
  danger?: boolean;
  /** When set, the user must type this text before confirming (used for production writes). */
  typeToConfirm?: string;
  /** Extra lines shown in a monospace box, such as the keys a prefix delete will remove. */
  details?: string[];
}

interface PendingConfirm extends ConfirmRequest {
  resolve: (confirmed: boolean) => void;
}

const toastLifetimeMs = 4000;

/** The UI store. */
export const useUiStore = defineStore('ui', () => {
  const view = ref<ViewName>('keys');
  const toasts = ref<Toast[]>([]);
  const pendingConfirm = shallowRef<PendingConfirm | undefined>();
  let nextToastId = 1;

  function show(name: ViewName): void {
    view.value = name;
  }

  function notify(kind: Toast['kind'], message: string): void {
    const id = nextToastId++;
    toasts.value = [...toasts.value.slice(-2), { id, kind, message }];
    if (kind !== 'error') setTimeout(() => dismiss(id), toastLifetimeMs);
  }

  function dismiss(id: number): void {
    toasts.value = toasts.value.filter((toast) => toast.id !== id);
  }

  function confirm(request: ConfirmRequest): Promise<boolean> {
    // A second request while one is open answers the first with "no" rather than stacking dialogs.
    pendingConfirm.value?.resolve(false);
    return new Promise((resolve) => {
      pendingConfirm.value = { ...request, resolve };
    });
  }

  function answer(confirmed: boolean): void {
    const pending = pendingConfirm.value;
    pendingConfirm.value = undefined;
    pending?.resolve(confirmed);
  }

  return { view, toasts, pendingConfirm, show, notify, dismiss, confirm, answer };
});
