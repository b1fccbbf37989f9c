// Mounting screens in specs the way App.vue shows them: inside KeepAlive (a screen loads in onActivated, which
// KeepAlive also calls on the first mount), attached to the document so dialogs, focus and Teleport behave as in
// the app, over the test's Pinia. Every mounted screen is unmounted by `unmountScreens` (call it in afterEach).
import { mount, type VueWrapper } from '@vue/test-utils';
import { defineComponent, h, KeepAlive, type Component } from 'vue';
import ClusterView from '../views/ClusterView.vue';
import { settle, type TestApp } from './setup.ts';

const mounted = new Set<VueWrapper>();

/** Mounts `screen` kept alive, with `beside` (such as the app-wide ConfirmDialog) next to it, and lets it load. */
export async function mountScreen(app: TestApp, screen: Component, beside: readonly Component[] = []): Promise<VueWrapper> {
  const root = defineComponent({ render: () => [h(KeepAlive, null, [h(screen)]), ...beside.map((component) => h(component))] });
  const wrapper = mount(root, { global: { plugins: [app.pinia] }, attachTo: document.body });
  mounted.add(wrapper);
  await settle();
  return wrapper;
}

/** The Cluster screen of the active connection (the local cluster unless the test selected another). */
export function mountCluster(app: TestApp): Promise<VueWrapper> {
  return mountScreen(app, ClusterView);
}

/** Unmounts every screen the test mounted (and removes it from the document). */
export function unmountScreens(): void {
  mounted.forEach((wrapper) => wrapper.unmount());
  mounted.clear();
}
