/**
 * /api/admin/*: users, groups, everyone's API keys, model grants and the audit log
 * (./audit). The guard admits administrators only (everyone while sign-in is off). Every
 * change is written to the audit log; request bodies are validated with zod and a bad
 * field is a 400 that names it. Response shapes: server/auth/wire.ts.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { HttpError } from '../errors';
import type { AuditInput } from '../auth/audit';
import { hashPassword } from '../auth/passwords';
import type { Grant } from '../auth/permissions';
import type { Auth, AuthStore } from '../auth/service';
import { groupJson, keyJson, parse, userJson } from '../auth/wire';
import type { ModelStore } from '../store/model-store';
import {
  groupChangesRequestSchema,
  keyChangesRequestSchema,
  newGroupRequestSchema,
  newUserKeyRequestSchema,
  newUserRequestSchema,
  permissionsRequestSchema,
  userChangesRequestSchema
} from '#protocol/portal/requests';
import { permissionTarget } from '#protocol/portal/audit';
import { registerAuditRoutes } from './audit';
import { idText } from '#protocol/portal/decimal';

const idParams = z.object({ id: idText });
const memberParams = idParams.extend({ userId: idText });
const keyQuery = z.object({ userId: idText.optional() });

export function auditor(auth: Auth) {
  return async (req: FastifyRequest, entry: Omit<AuditInput, 'actor' | 'ip'>) => {
    const store = await auth.store();
    store.audit.record({ ...entry, actor: req.principal?.user ?? null, ip: req.ip });
  };
}

/** The server must keep an enabled admin, or nobody could manage it any more. */
function assertKeepsAnAdmin(
  store: AuthStore,
  userId: number,
  after: { role?: string; disabled?: boolean } | 'deleted'
) {
  const user = store.users.byId(userId);
  if (!user || user.role !== 'admin' || user.disabled) return;
  const losesAdmin =
    after === 'deleted' ||
    (after.role !== undefined && after.role !== 'admin') ||
    after.disabled === true;
  if (losesAdmin && store.users.activeAdminCount() <= 1)
    throw new HttpError(
      409,
      'cannot remove the last enabled administrator',
      {},
      {
        code: 'last_admin'
      }
    );
}

export function registerAdminRoutes(app: FastifyInstance, auth: Auth, models: ModelStore): void {
  const audit = auditor(auth);

  // → { users: (UserJson & { groupIds: number[] })[] }
  app.get('/api/admin/users', async () => {
    const store = await auth.store();
    return {
      users: store.users
        .list()
        .map((user) => ({ ...userJson(user), groupIds: store.users.groupIdsOf(user.id) }))
    };
  });

  // { username, password, displayName?, role? = "user" } → 201 { user }
  app.post('/api/admin/users', async (req, reply) => {
    const body = parse(newUserRequestSchema, req.body);
    const store = await auth.store();
    const passwordHash = await hashPassword(body.password);
    const user = store.users.create({ ...body, passwordHash });
    await audit(req, { action: 'user.create', target: user.username, detail: { role: user.role } });
    return reply.code(201).send({ user: userJson(user) });
  });

  // { username?, displayName?, role?, disabled?, password? } → { user }
  app.patch('/api/admin/users/:id', async (req) => {
    const { id } = parse(idParams, req.params);
    const body = parse(userChangesRequestSchema, req.body);
    const store = await auth.store();
    assertKeepsAnAdmin(store, id, body);
    const passwordHash =
      body.password === undefined ? undefined : await hashPassword(body.password);
    const user = store.db.transaction(() => {
      assertKeepsAnAdmin(store, id, body);
      const updated = store.users.update(id, { ...body, passwordHash });
      // A disabled account or a reset password ends every session of that user.
      if (body.disabled || passwordHash) store.sessions.deleteForUser(id);
      return updated;
    });
    const { password, ...changed } = body;
    await audit(req, {
      action: 'user.update',
      target: user.username,
      detail: { ...changed, ...(password === undefined ? {} : { passwordReset: true }) }
    });
    return { user: userJson(user) };
  });

  // → 204
  app.delete('/api/admin/users/:id', async (req, reply) => {
    const { id } = parse(idParams, req.params);
    const store = await auth.store();
    if (req.principal?.user.id === id)
      throw new HttpError(
        409,
        'you cannot delete your own account',
        {},
        {
          code: 'delete_self'
        }
      );
    const user = store.users.byId(id);
    if (!user) throw new HttpError(404, `user ${id} not found`);
    store.db.transaction(() => {
      assertKeepsAnAdmin(store, id, 'deleted');
      store.users.delete(id);
    });
    await audit(req, { action: 'user.delete', target: user.username });
    return reply.code(204).send();
  });

  // { name, rateLimitPerMin? } → 201 { key: "hk_…" (shown once), apiKey } — a key made for a user.
  app.post('/api/admin/users/:id/keys', async (req, reply) => {
    const { id } = parse(idParams, req.params);
    const body = parse(newUserKeyRequestSchema, req.body);
    const store = await auth.store();
    const user = store.users.byId(id);
    if (!user) throw new HttpError(404, `user ${id} not found`);
    const { key, apiKey } = store.keys.create(id, body.name, body.rateLimitPerMin ?? null);
    await audit(req, {
      action: 'key.create',
      target: apiKey.prefix,
      detail: { name: apiKey.name, owner: user.username }
    });
    return reply.code(201).send({ key, apiKey: keyJson(apiKey) });
  });

  // → { groups: GroupJson[] }
  app.get('/api/admin/groups', async () => {
    const store = await auth.store();
    return { groups: store.groups.list().map(groupJson) };
  });

  // { name, description?, memberIds? } → 201 { group }
  app.post('/api/admin/groups', async (req, reply) => {
    const body = parse(newGroupRequestSchema, req.body);
    const store = await auth.store();
    const group = store.db.transaction(() => {
      const created = store.groups.create(body.name, body.description);
      return body.memberIds ? store.groups.setMembers(created.id, body.memberIds) : created;
    });
    await audit(req, {
      action: 'group.create',
      target: group.name,
      detail: { memberIds: group.memberIds }
    });
    return reply.code(201).send({ group: groupJson(group) });
  });

  // { name?, description?, memberIds? (replaces the members) } → { group }
  app.patch('/api/admin/groups/:id', async (req) => {
    const { id } = parse(idParams, req.params);
    const body = parse(groupChangesRequestSchema, req.body);
    const store = await auth.store();
    const group = store.db.transaction(() => {
      const updated = store.groups.update(id, body);
      return body.memberIds ? store.groups.setMembers(id, body.memberIds) : updated;
    });
    await audit(req, { action: 'group.update', target: group.name, detail: body });
    return { group: groupJson(group) };
  });

  // → 204 (its grants go with it)
  app.delete('/api/admin/groups/:id', async (req, reply) => {
    const { id } = parse(idParams, req.params);
    const store = await auth.store();
    const group = store.groups.byId(id);
    if (!group) throw new HttpError(404, `group ${id} not found`);
    store.groups.delete(id);
    await audit(req, { action: 'group.delete', target: group.name });
    return reply.code(204).send();
  });

  // → { group }
  app.put('/api/admin/groups/:id/members/:userId', async (req) => {
    const { id, userId } = parse(memberParams, req.params);
    const store = await auth.store();
    const group = store.groups.addMember(id, userId);
    await audit(req, { action: 'group.member_add', target: group.name, detail: { userId } });
    return { group: groupJson(group) };
  });

  // → { group }
  app.delete('/api/admin/groups/:id/members/:userId', async (req) => {
    const { id, userId } = parse(memberParams, req.params);
    const store = await auth.store();
    const group = store.groups.removeMember(id, userId);
    await audit(req, { action: 'group.member_remove', target: group.name, detail: { userId } });
    return { group: groupJson(group) };
  });

  // ?userId= → { keys: (ApiKeyJson & { username })[] }
  app.get('/api/admin/keys', async (req) => {
    const { userId } = parse(keyQuery, req.query);
    const store = await auth.store();
    const names = new Map(store.users.list().map((u) => [u.id, u.username]));
    return {
      keys: store.keys
        .list(userId)
        .map((key) => ({ ...keyJson(key), username: names.get(key.userId) ?? null }))
    };
  });

  // { rateLimitPerMin: number | null (null = server default, 0 = unlimited) } → { apiKey }
  app.patch('/api/admin/keys/:id', async (req) => {
    const { id } = parse(idParams, req.params);
    const body = parse(keyChangesRequestSchema, req.body);
    const store = await auth.store();
    const apiKey = store.keys.setRateLimit(id, body.rateLimitPerMin);
    await audit(req, { action: 'key.update', target: apiKey.prefix, detail: body });
    return { apiKey: keyJson(apiKey) };
  });

  // → { apiKey } (revokedAt set; effective on the key's next request)
  app.delete('/api/admin/keys/:id', async (req) => {
    const { id } = parse(idParams, req.params);
    const store = await auth.store();
    const apiKey = store.keys.revoke(id);
    await audit(req, { action: 'key.revoke', target: apiKey.prefix });
    return { apiKey: keyJson(apiKey) };
  });

  registerPermissionRoutes(app, auth, models, audit);
  registerAuditRoutes(app, auth);
}

/*
 * Permissions come in a matrix-friendly shape: subjects (users and groups) as rows,
 * model patterns as columns, grants as the cells that are set, plus the server's model
 * names so the UI can offer them as columns.
 */
async function matrix(store: AuthStore, models: ModelStore) {
  const grants = store.permissions.list();
  const subjects = [
    ...store.groups.list().map((g) => ({ type: 'group' as const, id: g.id, name: g.name })),
    ...store.users
      .list()
      .map((u) => ({ type: 'user' as const, id: u.id, name: u.username, role: u.role }))
  ];
  return {
    subjects,
    patterns: [...new Set(grants.map((g) => g.modelPattern))].sort(),
    models: (await models.list()).map((m) => m.name).sort(),
    grants
  };
}

function assertSubjectExists(store: AuthStore, grant: Grant): void {
  const exists =
    grant.subjectType === 'user'
      ? store.users.byId(grant.subjectId)
      : store.groups.byId(grant.subjectId);
  if (!exists) throw new HttpError(400, `${grant.subjectType} ${grant.subjectId} not found`);
}

function registerPermissionRoutes(
  app: FastifyInstance,
  auth: Auth,
  models: ModelStore,
  audit: ReturnType<typeof auditor>
): void {
  // → { subjects: [{type, id, name, role?}], patterns: string[], models: string[], grants: Grant[] }
  app.get('/api/admin/permissions', async () => matrix(await auth.store(), models));

  // Grant | { grants: Grant[] } → the matrix above. A grant with canUse and canDownload
  // both false removes it. All or nothing: one bad grant changes nothing.
  app.put('/api/admin/permissions', async (req) => {
    const { grants } = parse(permissionsRequestSchema, req.body);
    const store = await auth.store();
    store.db.transaction(() => {
      for (const grant of grants) {
        assertSubjectExists(store, grant);
        store.permissions.set(grant);
      }
    });
    for (const grant of grants) {
      await audit(req, {
        action: grant.canUse || grant.canDownload ? 'permission.set' : 'permission.remove',
        target: permissionTarget(grant.subjectType, grant.subjectId, grant.modelPattern),
        detail: { canUse: grant.canUse, canDownload: grant.canDownload }
      });
    }
    return matrix(store, models);
  });
}
