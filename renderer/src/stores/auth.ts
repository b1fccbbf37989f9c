// Users, roles and permissions of the active connection, and turning authentication on or off.
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { AuthStatus, Permission, RoleInfo, UserInfo } from '../../../electron/common/contract.ts';
import { api, describeError, unwrap } from '../api/index.ts';
import { utf8Bytes } from '../lib/bytes.ts';
import { useConnectionsStore, type WriteTarget } from './connections.ts';
import { useUiStore } from './ui.ts';

/** The auth store. */
export const useAuthStore = defineStore('auth', () => {
  const connections = useConnectionsStore();
  const ui = useUiStore();
  const status = shallowRef<AuthStatus | null>(null);
  const users = shallowRef<UserInfo[]>([]);
  const roles = shallowRef<RoleInfo[]>([]);
  const loading = ref(false);
  const error = ref<string | null>(null);
  const on = () => ({ connectionId: connections.connectionId });

  async function refresh(): Promise<void> {
    loading.value = true;
    error.value = null;
    try {
      status.value = await unwrap(api().auth.status(on()));
      const [userNames, roleNames] = await Promise.all([unwrap(api().auth.listUsers(on())), unwrap(api().auth.listRoles(on()))]);
      users.value = await Promise.all(userNames.map((name) => unwrap(api().auth.getUser({ ...on(), name }))));
      roles.value = await Promise.all(roleNames.map((name) => unwrap(api().auth.getRole({ ...on(), name }))));
    } catch (failure) {
      error.value = describeError(failure);
    } finally {
      loading.value = false;
    }
  }

  /**
   * Runs one auth change after the production guard (the action gets the arguments the call must carry), then
   * reloads; resolves whether it succeeded.
   */
  async function change(description: string, action: (target: WriteTarget) => Promise<unknown>): Promise<boolean> {
    const target = await connections.guardWrite(description);
    if (!target) return false;
    try {
      await action(target);
      ui.notify('success', description);
      return true;
    } catch (failure) {
      ui.notify('error', describeError(failure));
      return false;
    } finally {
      await refresh();
    }
  }

  async function setEnabled(enabled: boolean): Promise<void> {
    if (enabled) {
      const confirmed = await ui.confirm({
        title: 'Enable authentication',
        message: 'Once enabled, every client must log in. Make sure a user "root" with the role "root" exists, and that this connection has its password, or you will lock yourself out.',
        confirmLabel: 'Enable authentication',
        danger: true,
      });
      if (!confirmed) return;
    }
    await change(enabled ? 'Authentication enabled.' : 'Authentication disabled.', (target) => unwrap(enabled ? api().auth.enable(target) : api().auth.disable(target)));
  }

  const addUser = (name: string, password: string) => change(`Added user ${name}.`, (target) => unwrap(api().auth.addUser({ ...target, name, ...(password ? { password } : { noPassword: true }) })));
  const changePassword = (name: string, password: string) => change(`Changed the password of ${name}.`, (target) => unwrap(api().auth.changePassword({ ...target, name, password })));
  const grantRole = (user: string, role: string) => change(`Granted role ${role} to ${user}.`, (target) => unwrap(api().auth.grantRole({ ...target, user, role })));
  const revokeRole = (user: string, role: string) => change(`Revoked role ${role} from ${user}.`, (target) => unwrap(api().auth.revokeRole({ ...target, user, role })));
  const addRole = (name: string) => change(`Added role ${name}.`, (target) => unwrap(api().auth.addRole({ ...target, name })));

  async function deleteUser(name: string): Promise<void> {
    if (await ui.confirm({ title: 'Delete user', message: `Delete user ${name}?`, confirmLabel: 'Delete', danger: true })) {
      await change(`Deleted user ${name}.`, (target) => unwrap(api().auth.deleteUser({ ...target, name })));
    }
  }

  async function deleteRole(name: string): Promise<void> {
    if (await ui.confirm({ title: 'Delete role', message: `Delete role ${name}? Users holding it lose its permissions.`, confirmLabel: 'Delete', danger: true })) {
      await change(`Deleted role ${name}.`, (target) => unwrap(api().auth.deleteRole({ ...target, name })));
    }
  }

  const grantPermission = (role: string, type: Permission['type'], key: string, prefix: boolean) =>
    change(`Granted ${type} on ${key}${prefix ? '*' : ''} to ${role}.`, (target) => unwrap(api().auth.grantPermission({ ...target, role, type, key: utf8Bytes(key), prefix })));
  const revokePermission = (role: string, permission: Permission) =>
    change(`Revoked a permission of ${role}.`, (target) => unwrap(api().auth.revokePermission({ ...target, role, key: permission.key, rangeEnd: permission.rangeEnd })));

  return { status, users, roles, loading, error, refresh, setEnabled, addUser, changePassword, grantRole, revokeRole, addRole, deleteUser, deleteRole, grantPermission, revokePermission };
});
