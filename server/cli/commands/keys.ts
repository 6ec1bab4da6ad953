/**
 * `hearth keys create|list|revoke`: API keys managed on the database file directly (see
 * accounts.ts), so an admin on the server machine can hand a program its first key with
 * no web UI and no key to start from. Keys made here authenticate at once against a
 * running server, and a revoked one is refused on its next request.
 *
 * Only `create` ever prints a secret, once, alone on stdout (`KEY=$(hearth keys create …)`);
 * everything else — listings, confirmations, the audit log — names a key by its id and
 * "hk_…" prefix.
 */
import { keyNameSchema } from '../../auth/names';
import type { ApiKey } from '../../auth/credentials';
import type { AuthStore } from '../../auth/service';
import type { User } from '../../auth/users';
import { CliError } from '../client';
import { humanTime, renderTable } from '../format';
import { requireUser, validated, withStore, type Write } from './accounts';

/** Confirmations go to stderr so that stdout of `create` is the key and nothing else. */
const note = (text: string) => void process.stderr.write(text);

export async function createKey(name: string, owner: string, write: Write): Promise<void> {
  const keyName = validated(keyNameSchema, name);
  await withStore(async (store) => {
    const user = requireUser(store, owner);
    const { key, apiKey } = store.keys.create(user.id, keyName);
    store.audit.record({
      actor: null,
      action: 'key.create',
      target: apiKey.prefix,
      detail: { name: apiKey.name, owner: user.username, via: 'cli' }
    });
    write(`${key}\n`);
    note(
      `Created API key '${apiKey.name}' (id ${apiKey.id}, ${apiKey.prefix}) for '${user.username}'. ` +
        'It is shown only this once: store it now.\n'
    );
    if (user.disabled)
      note(`Note: '${user.username}' is disabled; the key works once the account is enabled.\n`);
  });
}

export async function listKeys(owner: string | undefined, write: Write): Promise<void> {
  await withStore(async (store) => {
    const user = owner === undefined ? undefined : requireUser(store, owner);
    const names = new Map(store.users.list().map((u) => [u.id, u.username]));
    const keys = store.keys.list(user?.id);
    const when = (ms: number | null) => (ms === null ? 'Never' : humanTime(new Date(ms)));
    const rows = keys.map((key) => [
      String(key.id),
      key.name,
      names.get(key.userId) ?? '?',
      key.prefix,
      when(key.createdAt),
      when(key.lastUsedAt),
      key.revokedAt === null ? 'active' : 'revoked'
    ]);
    write(renderTable(['ID', 'NAME', 'USER', 'PREFIX', 'CREATED', 'LAST USED', 'STATUS'], rows));
  });
}

/**
 * The key a person means by ID, NAME or "hk_…" prefix. Names are only unique per user,
 * so a name needs --user; a revoked key is matched by name only when no live one is.
 */
function findKey(store: AuthStore, ref: string, user: User | undefined): ApiKey {
  const keys = store.keys.list(user?.id);
  const byPrefix = keys.filter((key) => key.prefix === ref);
  if (byPrefix.length === 1) return byPrefix[0];
  if (/^\d+$/.test(ref)) {
    const byId = keys.find((key) => key.id === Number(ref));
    if (byId) return byId;
  }
  if (user) {
    const named = keys.filter((key) => key.name === ref.normalize('NFC').trim());
    const live = named.filter((key) => key.revokedAt === null);
    const candidates = live.length > 0 ? live : named;
    if (candidates.length === 1) return candidates[0];
    if (candidates.length > 1)
      throw new CliError(
        `'${user.username}' has ${candidates.length} keys named '${ref}'; revoke one by its ID (see "hearth keys list")`
      );
  } else if (!/^\d+$/.test(ref) && !ref.startsWith('hk_')) {
    throw new CliError(`to revoke a key by name, say whose it is with --user`);
  }
  const owner = user ? ` of '${user.username}'` : '';
  throw new CliError(`API key '${ref}'${owner} not found`);
}

export async function revokeKey(
  ref: string,
  owner: string | undefined,
  write: Write
): Promise<void> {
  await withStore(async (store) => {
    const user = owner === undefined ? undefined : requireUser(store, owner);
    const key = findKey(store, ref.trim(), user);
    if (key.revokedAt !== null) {
      write(`API key '${key.name}' (id ${key.id}, ${key.prefix}) was already revoked.\n`);
      return;
    }
    store.keys.revoke(key.id);
    const username = store.users.byId(key.userId)?.username;
    store.audit.record({
      actor: null,
      action: 'key.revoke',
      target: key.prefix,
      detail: { name: key.name, owner: username, via: 'cli' }
    });
    write(`Revoked API key '${key.name}' (id ${key.id}, ${key.prefix}) of '${username}'.\n`);
  });
}
