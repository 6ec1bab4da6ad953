/**
 * /api/auth/*: first-run setup, sign-in and sign-out for the web app, and each user's own
 * password and API keys. Wire shapes are documented beside the routes; types in
 * server/auth/wire.ts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { HttpError } from '../errors';
import { clearSessionCookie, setSessionCookie } from '../auth/cookies';
import { assertCsrf } from '../auth/guard';
import { dummyPasswordHash, hashPassword, verifyPassword } from '../auth/passwords';
import type { Auth, AuthStore } from '../auth/service';
import { passwordStamp, type Attempt, type LockStarted } from '../auth/signin-throttle';
import { safeEqual } from '../auth/tokens';
import type { User } from '../auth/users';
import { keyJson, parse, requireUser, userJson } from '../auth/wire';
import {
  loginRequestSchema,
  newOwnKeyRequestSchema,
  passwordChangeRequestSchema,
  setupRequestSchema
} from '#protocol/portal/requests';
import { idText } from '#protocol/portal/decimal';

const idParams = z.object({ id: idText });

/** The attempt to report back on, or a 429 with Retry-After while the throttle holds. */
/** Another browser (or a second tab) finished the first-run setup first. */
const setupComplete = () =>
  new HttpError(409, 'setup is already complete', {}, { code: 'setup_complete' });

function beginAttempt(
  auth: Auth,
  reply: FastifyReply,
  username: string,
  ip: string,
  hash: string | undefined
): Attempt {
  const begun = auth.signInThrottle.begin(username, ip, hash && passwordStamp(hash));
  if ('attempt' in begun) return begun.attempt;
  const wait = begun.refusal.retryAfterSeconds;
  reply.header('Retry-After', String(wait));
  throw new HttpError(
    429,
    `too many failed sign-in attempts; try again in ${wait} s`,
    {},
    {
      code: 'sign_in_throttled',
      params: { seconds: wait }
    }
  );
}

/** Verifies with the attempt open, so a throw cannot leave it counted as pending. */
async function verifyAttempt(attempt: Attempt, password: string, hash: string): Promise<boolean> {
  try {
    return await verifyPassword(password, hash);
  } catch (error) {
    attempt.abandon();
    throw error;
  }
}

function auditLocks(store: AuthStore, req: FastifyRequest, target: string, locks: LockStarted[]) {
  for (const lock of locks)
    store.audit.record({
      actor: null,
      action: 'auth.login_throttled',
      target,
      detail: { ...lock },
      ip: req.ip
    });
}

function signIn(req: FastifyRequest, reply: FastifyReply, store: AuthStore, user: User) {
  const { token, session } = store.sessions.create(user.id);
  setSessionCookie(req, reply, token, session.expiresAt);
  return { user: userJson(user), csrfToken: session.csrfToken };
}

export function registerAuthRoutes(app: FastifyInstance, auth: Auth): void {
  // Computed now so the first sign-in for an unknown name is not slower than the rest.
  if (auth.enabled) void dummyPasswordHash();

  // → { authEnabled, setupRequired, setupTokenRequired, user: UserJson | null, csrfToken: string | null }
  app.get('/api/auth/session', async (req) => {
    const store = await auth.store();
    const principal = req.principal;
    return {
      authEnabled: auth.enabled,
      setupRequired: !store.users.adminExists(),
      setupTokenRequired: auth.setupToken !== null,
      user: principal ? userJson(principal.user) : null,
      csrfToken: principal?.via === 'session' ? principal.session!.csrfToken : null
    };
  });

  // { username, password, displayName?, setupToken? } → 201 { user, csrfToken } + session cookie; 409 once an admin exists.
  app.post('/api/auth/setup', async (req, reply) => {
    const { setupToken, ...body } = parse(setupRequestSchema, req.body);
    const store = await auth.store();
    if (store.users.adminExists()) throw setupComplete();
    if (auth.setupToken !== null && !safeEqual(setupToken ?? '', auth.setupToken)) {
      throw new HttpError(
        403,
        "wrong setup token: it is printed in the server's console at start",
        {},
        { code: 'wrong_setup_token' }
      );
    }
    const passwordHash = await hashPassword(body.password);
    // Checked again inside the write: two racing first visitors cannot both become admin.
    const user = store.db.transaction(() => {
      if (store.users.adminExists()) throw setupComplete();
      return store.users.create({ ...body, role: 'admin', passwordHash });
    });
    store.audit.record({ actor: user, action: 'auth.setup', target: user.username, ip: req.ip });
    return reply.code(201).send(signIn(req, reply, store, user));
  });

  // { username, password } → { user, csrfToken } + session cookie; 401 "invalid username or password".
  app.post('/api/auth/login', async (req, reply) => {
    const body = parse(loginRequestSchema, req.body);
    const store = await auth.store();
    const username = body.username.normalize('NFC').trim();
    const user = store.users.byUsername(username);
    const stored = user ? store.users.passwordHash(user.id) : undefined;
    // Unknown users are checked against a dummy hash: same work, same time, same answer.
    const hash = stored ?? (await dummyPasswordHash());
    // Unknown names are throttled alike, so a 429 says nothing about which accounts exist.
    const attempt = beginAttempt(auth, reply, username, req.ip, stored);
    const passwordOk = await verifyAttempt(attempt, body.password, hash);
    if (!user || !passwordOk || user.disabled) {
      // A disabled account's right password is no guess to slow down, nor a success.
      let locks: LockStarted[] = [];
      if (passwordOk) attempt.abandon();
      else locks = attempt.failed();
      const target = body.username.slice(0, 64);
      store.audit.record({
        actor: null,
        action: 'auth.login_failed',
        target,
        detail: { reason: !user ? 'unknown user' : !passwordOk ? 'wrong password' : 'disabled' },
        ip: req.ip
      });
      auditLocks(store, req, target, locks);
      throw new HttpError(401, 'invalid username or password', {}, { code: 'invalid_credentials' });
    }
    attempt.succeeded();
    store.audit.record({ actor: user, action: 'auth.login', target: user.username, ip: req.ip });
    return signIn(req, reply, store, user);
  });

  // → 204; clears the cookie. A live session must send its CSRF token.
  app.post('/api/auth/logout', async (req, reply) => {
    const store = await auth.store();
    const principal = req.principal;
    if (principal?.via === 'session') {
      assertCsrf(req, principal);
      store.sessions.delete(principal.session!.id);
      store.audit.record({ actor: principal.user, action: 'auth.logout', ip: req.ip });
    }
    clearSessionCookie(req, reply);
    return reply.code(204).send();
  });

  // { currentPassword, newPassword } → 204; signs out the user's other sessions.
  app.post('/api/auth/password', async (req, reply) => {
    const user = requireUser(req);
    const body = parse(passwordChangeRequestSchema, req.body);
    const store = await auth.store();
    // A stolen session must not become unlimited guessing of the current password.
    const stored = store.users.passwordHash(user.id) ?? '';
    const attempt = beginAttempt(auth, reply, user.username, req.ip, stored || undefined);
    const ok = await verifyAttempt(attempt, body.currentPassword, stored);
    if (!ok) {
      auditLocks(store, req, user.username, attempt.failed());
      throw new HttpError(
        400,
        'current password is incorrect',
        {},
        {
          code: 'wrong_current_password'
        }
      );
    }
    attempt.succeeded();
    store.users.update(user.id, { passwordHash: await hashPassword(body.newPassword) });
    store.sessions.deleteForUser(user.id, req.principal?.session?.id);
    store.audit.record({ actor: user, action: 'auth.password', target: user.username, ip: req.ip });
    return reply.code(204).send();
  });

  // → { keys: ApiKeyJson[] } (the caller's own, revoked ones included)
  app.get('/api/auth/keys', async (req) => {
    const user = requireUser(req);
    const store = await auth.store();
    return { keys: store.keys.list(user.id).map(keyJson) };
  });

  // { name } → 201 { key: "hk_…" (shown this once), apiKey: ApiKeyJson }
  app.post('/api/auth/keys', async (req, reply) => {
    const user = requireUser(req);
    const body = parse(newOwnKeyRequestSchema, req.body);
    const store = await auth.store();
    const { key, apiKey } = store.keys.create(user.id, body.name);
    store.audit.record({
      actor: user,
      action: 'key.create',
      target: apiKey.prefix,
      detail: { name: apiKey.name, owner: user.username },
      ip: req.ip
    });
    return reply.code(201).send({ key, apiKey: keyJson(apiKey) });
  });

  // → { apiKey: ApiKeyJson } (revokedAt set); 404 for a key that is not the caller's.
  app.delete('/api/auth/keys/:id', async (req) => {
    const user = requireUser(req);
    const { id } = parse(idParams, req.params);
    const store = await auth.store();
    const apiKey = store.keys.revoke(id, user.id);
    store.audit.record({ actor: user, action: 'key.revoke', target: apiKey.prefix, ip: req.ip });
    return { apiKey: keyJson(apiKey) };
  });
}
