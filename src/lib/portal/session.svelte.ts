/**
 * Whether this app was served by a Hearth portal, and who is signed in. A static copy of
 * the app on any web server has no portal: `available` stays false and every portal
 * feature (server models, weights from the LAN, admin) hides itself.
 */
import type { LoginRequest, SessionResponse, SetupRequest, UserJson } from '#protocol/portal/types';
import { ApiError } from '#protocol/client';
import { portalJson, setCsrfToken } from './client';

class PortalSession {
  /** null until the first check finishes. */
  available = $state<boolean | null>(null);
  authEnabled = $state(false);
  setupRequired = $state(false);
  setupTokenRequired = $state(false);
  user = $state<UserJson | null>(null);
  /** Signed in, or sign-in is off: the portal's API may be called. */
  canUse = $derived(this.available === true && (!this.authEnabled || this.user !== null));
  isAdmin = $derived(
    this.available === true &&
      (this.user?.role === 'admin' || (!this.authEnabled && this.user === null))
  );

  private checking: Promise<void> | null = null;

  /** Asks the server once (again with force); safe to call from every page. */
  check(force = false): Promise<void> {
    if (!this.checking || force) this.checking = this.load();
    return this.checking;
  }

  apply(session: SessionResponse): void {
    this.available = true;
    this.authEnabled = session.authEnabled;
    this.setupRequired = session.setupRequired;
    this.setupTokenRequired = session.setupTokenRequired;
    this.user = session.user;
    setCsrfToken(session.csrfToken);
  }

  async signIn(username: string, password: string): Promise<void> {
    const result = await portalJson<{ user: UserJson; csrfToken: string }>('/api/auth/login', {
      body: { username, password } satisfies LoginRequest
    });
    this.user = result.user;
    setCsrfToken(result.csrfToken);
    await this.check(true);
  }

  async setup(
    username: string,
    password: string,
    displayName?: string,
    setupToken?: string
  ): Promise<void> {
    const result = await portalJson<{ user: UserJson; csrfToken: string }>('/api/auth/setup', {
      body: { username, password, displayName, setupToken } satisfies SetupRequest
    });
    this.user = result.user;
    setCsrfToken(result.csrfToken);
    await this.check(true);
  }

  async signOut(): Promise<void> {
    await portalJson('/api/auth/logout', { method: 'POST', body: {} });
    this.user = null;
    setCsrfToken(null);
    await this.check(true);
  }

  private async load(): Promise<void> {
    try {
      this.apply(await portalJson<SessionResponse>('/api/auth/session'));
    } catch (error) {
      // Offline, or a plain static host: no portal. A portal that errors is still a portal.
      this.available = error instanceof ApiError && error.status >= 500;
    }
  }
}

export const portalSession = new PortalSession();
