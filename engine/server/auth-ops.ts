// The Auth API of a member (etcd's v3_server.go auth methods): who a call comes from, the management
// operations proposed through the log, and the reads served from the local auth store. Passwords are hashed
// here, before proposing, so the log and the backend only ever hold bcrypt hashes; Authenticate checks the
// password here too, then proposes an entry whose apply mints the token (simple or JWT) on every member.
import { Errors } from '../common/errors.ts';
import type { Logger } from '../common/logger.ts';
import type { AuthInfo, AuthStore } from '../auth/auth-store.ts';
import { hashPassword, passwordMatches } from '../auth/password-hash.ts';
import type { TokenProvider } from '../auth/token-provider.ts';
import type { InternalRaftRequest } from '../proto/generated/cairnpb/InternalRaftRequest.ts';
import type { AuthUserAddRequest__Output } from '../proto/generated/etcdserverpb/AuthUserAddRequest.ts';
import type { AuthRoleGrantPermissionRequest__Output } from '../proto/generated/etcdserverpb/AuthRoleGrantPermissionRequest.ts';
import type { AuthRoleRevokePermissionRequest__Output } from '../proto/generated/etcdserverpb/AuthRoleRevokePermissionRequest.ts';
import type { Permission } from '../proto/generated/authpb/Permission.ts';
import type { AuthApi, Caller } from './server-api.ts';

/** What the auth operations need from the member. */
export interface AuthOpsHost {
  auth: AuthStore;
  tokens: TokenProvider;
  bcryptCost: number;
  logger: Logger;
  /** How long a request may wait for this member to apply the entry that minted its simple token. */
  requestTimeoutMs: number;
  /** Resolves true once this member has applied `index`, false after `timeoutMs`. */
  waitApplied(index: number, timeoutMs: number): Promise<boolean>;
  /** Proposes a request on behalf of `info` and resolves with its response once applied. */
  propose(request: InternalRaftRequest, info: AuthInfo | undefined): Promise<unknown>;
  /** Waits until this member has applied everything committed before the call (ReadIndex). */
  linearizableRead(): Promise<void>;
  /** Whether a verified client certificate's Common Name names the caller (etcd's ClientCertAuthEnabled). */
  certificateIdentity: boolean;
}

/** An empty response; the edge fills the header. */
const done = (): { header: object } => ({ header: {} });

/** The member's Auth API and the resolution of callers to users. */
export class AuthOps implements AuthApi {
  constructor(private readonly host: AuthOpsHost) {}

  /**
   * The user a call acts as: its token's user, else (with --client-cert-auth) the verified certificate's
   * Common Name; undefined for an anonymous call. A token that names nobody is refused, as etcd does, whether or
   * not auth is enabled. Simple tokens carry the current revision (they stay valid across auth changes); a JWT
   * carries the revision it was minted at. A simple token minted by an entry this member has not applied yet
   * (the client authenticated through a member further ahead) waits for that entry, as etcd's indexWaiter does.
   */
  async resolve(caller: Caller | undefined): Promise<AuthInfo | undefined> {
    const { auth, tokens } = this.host;
    if (caller?.token !== undefined && caller.token !== '') {
      const needed = tokens.indexNeeded(caller.token);
      if (needed > 0) await this.host.waitApplied(needed, this.host.requestTimeoutMs);
      const info = tokens.info(caller.token, auth.revision());
      if (info === undefined) {
        // etcd logs the token itself; it is a credential, so it stays out of the log here.
        this.host.logger.warn('invalid auth token', {});
        throw Errors.InvalidAuthToken;
      }
      return info;
    }
    // etcd reads the certificate only under --client-cert-auth (EtcdServer.AuthInfoFromCtx): a certificate that
    // --trusted-ca-file alone made the client present is verified but names nobody.
    if (caller?.commonName !== undefined && this.host.certificateIdentity) return { username: caller.commonName, revision: auth.revision() };
    return undefined;
  }

  usesCertificateIdentity(): boolean {
    return this.host.certificateIdentity;
  }

  /** Refuses a caller without the root role once auth is enabled. */
  async checkAdmin(caller: Caller | undefined): Promise<AuthInfo | undefined> {
    const info = await this.resolve(caller);
    this.host.auth.checkAdmin(info);
    return info;
  }

  isEnabled(): boolean {
    return this.host.auth.isEnabled();
  }

  /** Refuses a result computed with credentials the auth store moved past while it was computed (etcd's doSerialize). */
  checkFresh(info: AuthInfo | undefined): void {
    if (info !== undefined && info.revision !== 0 && info.revision !== this.host.auth.revision()) throw Errors.AuthOldRevision;
  }

  async authEnable(caller?: Caller): Promise<object> {
    await this.proposeAdmin({ auth_enable: {} }, caller);
    this.host.logger.info('enabled authentication', {});
    return done();
  }

  async authDisable(caller?: Caller): Promise<object> {
    await this.proposeAdmin({ auth_disable: {} }, caller);
    this.host.logger.info('disabled authentication', {});
    return done();
  }

  async authStatus(): Promise<{ header: object; enabled: boolean; authRevision: string }> {
    await this.host.linearizableRead();
    return { header: {}, enabled: this.host.auth.isEnabled(), authRevision: String(this.host.auth.revision()) };
  }

  async authenticate(name: string, password: string): Promise<{ header: object; token: string }> {
    const { auth } = this.host;
    await this.host.linearizableRead();
    // A password change applied between the check and the token's apply would let the old password in:
    // compare revisions and check again, as etcd does.
    for (;;) {
      const checkedRevision = auth.revision();
      if (!auth.isEnabled()) throw Errors.AuthNotEnabled;
      const user = auth.user(name);
      // etcd answers a password for a certificate-only user with its own error, after the user lookup.
      if (user?.noPassword) throw Errors.NoPasswordUser;
      if (user === undefined || !(await passwordMatches(password, user.passwordHash))) {
        this.host.logger.warn('invalid authentication was requested', { user: name });
        throw Errors.AuthFailed;
      }
      const response = (await this.host.propose({ authenticate: { name, password: '', simple_token: this.host.tokens.newPrefix() } }, undefined)) as { token: string };
      if (checkedRevision === auth.revision()) return { header: {}, token: response.token };
      this.host.logger.info('revision when password checked became stale; retrying', {});
    }
  }

  async userAdd(request: AuthUserAddRequest__Output, caller?: Caller): Promise<object> {
    const noPassword = request.options?.no_password ?? false;
    // Hash before proposing: the log carries the hash (base64, as etcd 3.5's hashedPassword), never the password.
    const hashed = noPassword ? '' : Buffer.from(await hashPassword(request.password, this.host.bcryptCost)).toString('base64');
    await this.proposeAdmin({ auth_user_add: { name: request.name, password: '', options: { no_password: noPassword }, hashedPassword: hashed } }, caller);
    return done();
  }

  async userGet(name: string, caller?: Caller): Promise<{ header: object; roles: string[] }> {
    await this.host.linearizableRead();
    const info = await this.resolve(caller);
    // A user may read its own record without the root role.
    if (info?.username !== name) this.host.auth.checkAdmin(info);
    const user = this.host.auth.user(name);
    if (user === undefined) throw Errors.UserNotFound;
    return { header: {}, roles: user.roles };
  }

  async userList(caller?: Caller): Promise<{ header: object; users: string[] }> {
    await this.host.linearizableRead();
    await this.checkAdmin(caller);
    return { header: {}, users: this.host.auth.users().map((user) => user.name) };
  }

  async userDelete(name: string, caller?: Caller): Promise<object> {
    await this.proposeAdmin({ auth_user_delete: { name } }, caller);
    return done();
  }

  async userChangePassword(name: string, password: string, caller?: Caller): Promise<object> {
    const hashed = Buffer.from(await hashPassword(password, this.host.bcryptCost)).toString('base64');
    await this.proposeAdmin({ auth_user_change_password: { name, password: '', hashedPassword: hashed } }, caller);
    return done();
  }

  async userGrantRole(user: string, role: string, caller?: Caller): Promise<object> {
    await this.proposeAdmin({ auth_user_grant_role: { user, role } }, caller);
    return done();
  }

  async userRevokeRole(name: string, role: string, caller?: Caller): Promise<object> {
    await this.proposeAdmin({ auth_user_revoke_role: { name, role } }, caller);
    return done();
  }

  async roleAdd(name: string, caller?: Caller): Promise<object> {
    await this.proposeAdmin({ auth_role_add: { name } }, caller);
    return done();
  }

  async roleGet(name: string, caller?: Caller): Promise<{ header: object; perm: Permission[] }> {
    await this.host.linearizableRead();
    const info = await this.resolve(caller);
    // A user may read the roles it has without the root role.
    if (info === undefined || !this.host.auth.hasRole(info.username, name)) this.host.auth.checkAdmin(info);
    const role = this.host.auth.role(name);
    if (role === undefined) throw Errors.RoleNotFound;
    return {
      header: {},
      perm: role.permissions.map((permission) => ({ permType: permission.type, key: Buffer.from(permission.key), range_end: Buffer.from(permission.rangeEnd) })),
    };
  }

  async roleList(caller?: Caller): Promise<{ header: object; roles: string[] }> {
    await this.host.linearizableRead();
    await this.checkAdmin(caller);
    return { header: {}, roles: this.host.auth.roles().map((role) => role.name) };
  }

  async roleDelete(role: string, caller?: Caller): Promise<object> {
    await this.proposeAdmin({ auth_role_delete: { role } }, caller);
    return done();
  }

  async roleGrantPermission(request: AuthRoleGrantPermissionRequest__Output, caller?: Caller): Promise<object> {
    await this.proposeAdmin({ auth_role_grant_permission: request }, caller);
    return done();
  }

  async roleRevokePermission(request: AuthRoleRevokePermissionRequest__Output, caller?: Caller): Promise<object> {
    await this.proposeAdmin({ auth_role_revoke_permission: request }, caller);
    return done();
  }

  /** Proposes a management request: refused at once without the root role, and checked again on apply. */
  private async proposeAdmin(request: InternalRaftRequest, caller: Caller | undefined): Promise<void> {
    const info = await this.checkAdmin(caller);
    await this.host.propose(request, info);
  }
}
