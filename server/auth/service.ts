/**
 * Everything accounts-related, opened from one data directory: the database and the
 * repositories over it. Used by the server (through Auth below) and by `hearth admin`,
 * which writes to the same file directly, with or without a running server.
 */
import type { ServerConfig } from '../config';
import { AuditLog } from './audit';
import { ApiKeys, Sessions } from './credentials';
import { HearthDatabase, databasePath } from './db';
import { isLoopbackHost } from '../http/origins';
import { authMode, type AuthMode } from './mode';
import { randomToken } from './tokens';
import { Permissions } from './permissions';
import { RateLimiter } from './ratelimit';
import { PortalSettings } from './settings';
import { SignInThrottle } from './signin-throttle';
import { Groups, Users } from './users';
import { WidgetKeys } from '../widget/keys';

export class AuthStore {
  readonly users: Users;
  readonly groups: Groups;
  readonly sessions: Sessions;
  readonly keys: ApiKeys;
  readonly permissions: Permissions;
  readonly audit: AuditLog;
  readonly widgets: WidgetKeys;
  readonly settings: PortalSettings;

  constructor(readonly db: HearthDatabase) {
    this.users = new Users(db);
    this.groups = new Groups(db);
    this.sessions = new Sessions(db);
    this.keys = new ApiKeys(db);
    this.permissions = new Permissions(db);
    this.audit = new AuditLog(db);
    this.widgets = new WidgetKeys(db);
    this.settings = new PortalSettings(db);
  }

  static async open(dataDir: string): Promise<AuthStore> {
    return new AuthStore(await HearthDatabase.open(databasePath(dataDir)));
  }

  close(): void {
    this.db.close();
  }
}

/**
 * The server's handle on accounts. With sign-in on, the database opens at start-up (a
 * broken file stops the server with a clear message). With sign-in off it opens only
 * when an /api/auth or /api/admin route first needs it, so a plain local server never
 * creates hearth.db.
 */
export class Auth {
  readonly mode: AuthMode;
  readonly limiter = new RateLimiter();
  /** Password guessing: per account and per client address (see signin-throttle.ts). */
  readonly signInThrottle = new SignInThrottle();
  /**
   * What the first administrator must type to claim a server that others on the network
   * can already reach: printed on the server's console at start, so only whoever runs
   * the process can complete setup. None on loopback, where only this machine connects.
   */
  readonly setupToken: string | null;
  private opening: Promise<AuthStore> | undefined;

  constructor(
    readonly config: Pick<
      ServerConfig,
      'auth' | 'host' | 'dataDir' | 'rateLimitPerMin' | 'setupToken'
    >
  ) {
    this.mode = authMode(config);
    this.setupToken =
      config.setupToken ?? (this.enabled && !isLoopbackHost(config.host) ? randomToken(9) : null);
  }

  get enabled(): boolean {
    return this.mode === 'on';
  }

  store(): Promise<AuthStore> {
    this.opening ??= AuthStore.open(this.config.dataDir);
    return this.opening;
  }

  async close(): Promise<void> {
    if (!this.opening) return;
    const store = await this.opening.catch(() => undefined);
    store?.close();
  }
}
