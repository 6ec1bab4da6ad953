/**
 * Typed calls for the account and administration pages: the caller's own password and
 * keys (/api/auth), users, groups, keys, grants and audit (/api/admin), and Ollama's
 * model management (/api/tags, show, copy, delete, blobs). Every call goes through
 * portalJson, so errors arrive as ApiError carrying the server's own message.
 */
import type {
  ApiKeyJson,
  AuditFilterQuery,
  AuditPage,
  CreatedKeyResponse,
  Grant,
  GroupChangesRequest,
  GroupJson,
  NewGroupRequest,
  NewOwnKeyRequest,
  NewUserKeyRequest,
  NewUserRequest,
  PasswordChangeRequest,
  PermissionMatrix,
  PermissionsRequest,
  UserChangesRequest,
  UserJson
} from '#protocol/portal/types';
import type {
  CopyRequest,
  DeleteRequest,
  ListResponse,
  ShowRequest,
  ShowResponse
} from '#protocol/ollama/types';
import { ApiError } from '#protocol/client';
import { portalFetch, portalJson } from './client';

export { PASSWORD_MIN } from '#protocol/portal/types';

export type AdminUser = UserJson & { groupIds: number[] };
export type AdminKey = ApiKeyJson & { username: string | null };

const id = (value: number) => encodeURIComponent(String(value));

// ---- The caller's own account -------------------------------------------------------

export async function changePassword(currentPassword: string, newPassword: string) {
  await portalJson<void>('/api/auth/password', {
    body: { currentPassword, newPassword } satisfies PasswordChangeRequest
  });
}

export async function listOwnKeys(): Promise<ApiKeyJson[]> {
  return (await portalJson<{ keys: ApiKeyJson[] }>('/api/auth/keys')).keys;
}

export function createOwnKey(name: string): Promise<CreatedKeyResponse> {
  return portalJson<CreatedKeyResponse>('/api/auth/keys', {
    body: { name } satisfies NewOwnKeyRequest
  });
}

export async function revokeOwnKey(keyId: number): Promise<ApiKeyJson> {
  const path = `/api/auth/keys/${id(keyId)}`;
  return (await portalJson<{ apiKey: ApiKeyJson }>(path, { method: 'DELETE' })).apiKey;
}

// ---- Users --------------------------------------------------------------------------

export async function listUsers(): Promise<AdminUser[]> {
  return (await portalJson<{ users: AdminUser[] }>('/api/admin/users')).users;
}

export async function createUser(user: NewUserRequest): Promise<UserJson> {
  return (await portalJson<{ user: UserJson }>('/api/admin/users', { body: user })).user;
}

export type UserChanges = UserChangesRequest;

export async function updateUser(userId: number, changes: UserChanges): Promise<UserJson> {
  const path = `/api/admin/users/${id(userId)}`;
  return (await portalJson<{ user: UserJson }>(path, { method: 'PATCH', body: changes })).user;
}

export async function deleteUser(userId: number): Promise<void> {
  await portalJson<void>(`/api/admin/users/${id(userId)}`, { method: 'DELETE' });
}

// ---- Everyone's API keys ------------------------------------------------------------

export async function listKeys(userId?: number): Promise<AdminKey[]> {
  const query = userId === undefined ? '' : `?userId=${id(userId)}`;
  return (await portalJson<{ keys: AdminKey[] }>(`/api/admin/keys${query}`)).keys;
}

/** rateLimitPerMin: null = the server default, 0 = unlimited. */
export function createUserKey(
  userId: number,
  name: string,
  rateLimitPerMin: number | null
): Promise<CreatedKeyResponse> {
  return portalJson<CreatedKeyResponse>(`/api/admin/users/${id(userId)}/keys`, {
    body: { name, rateLimitPerMin } satisfies NewUserKeyRequest
  });
}

export async function revokeKey(keyId: number): Promise<ApiKeyJson> {
  const path = `/api/admin/keys/${id(keyId)}`;
  return (await portalJson<{ apiKey: ApiKeyJson }>(path, { method: 'DELETE' })).apiKey;
}

// ---- Groups -------------------------------------------------------------------------

export async function listGroups(): Promise<GroupJson[]> {
  return (await portalJson<{ groups: GroupJson[] }>('/api/admin/groups')).groups;
}

export async function createGroup(group: NewGroupRequest): Promise<GroupJson> {
  return (await portalJson<{ group: GroupJson }>('/api/admin/groups', { body: group })).group;
}

export async function updateGroup(
  groupId: number,
  changes: GroupChangesRequest
): Promise<GroupJson> {
  const path = `/api/admin/groups/${id(groupId)}`;
  return (await portalJson<{ group: GroupJson }>(path, { method: 'PATCH', body: changes })).group;
}

export async function deleteGroup(groupId: number): Promise<void> {
  await portalJson<void>(`/api/admin/groups/${id(groupId)}`, { method: 'DELETE' });
}

// ---- Permissions and audit ----------------------------------------------------------

export function getPermissions(): Promise<PermissionMatrix> {
  return portalJson<PermissionMatrix>('/api/admin/permissions');
}

/** The server takes at most this many grants per request, all or nothing. */
export const GRANTS_PER_REQUEST = 1000;

export async function putPermissions(grants: Grant[]): Promise<PermissionMatrix> {
  let matrix: PermissionMatrix | undefined;
  for (let i = 0; i < grants.length; i += GRANTS_PER_REQUEST) {
    matrix = await portalJson<PermissionMatrix>('/api/admin/permissions', {
      method: 'PUT',
      body: { grants: grants.slice(i, i + GRANTS_PER_REQUEST) } satisfies PermissionsRequest
    });
  }
  return matrix ?? getPermissions();
}

/** The filters as a query string (only those set), the same for the page and the export. */
function auditQuery(filter: AuditFilterQuery, extra: Record<string, string> = {}): string {
  const query = new URLSearchParams(extra);
  for (const [name, value] of Object.entries(filter)) if (value) query.set(name, value);
  return query.toString();
}

export function auditPage(
  limit: number,
  before?: number | null,
  filter: AuditFilterQuery = {}
): Promise<AuditPage> {
  const extra = { limit: String(limit), ...(before ? { before: String(before) } : {}) };
  return portalJson<AuditPage>(`/api/admin/audit?${auditQuery(filter, extra)}`);
}

/** A plain link downloads it: the session cookie goes along, and a GET needs no CSRF token. */
export function auditCsvHref(filter: AuditFilterQuery = {}): string {
  const query = auditQuery(filter);
  return `/api/admin/audit.csv${query ? `?${query}` : ''}`;
}

// ---- Server models ------------------------------------------------------------------

export async function listServerModels(): Promise<ListResponse['models']> {
  return (await portalJson<ListResponse>('/api/tags')).models;
}

export function showModel(model: string): Promise<ShowResponse> {
  return portalJson<ShowResponse>('/api/show', { body: { model } satisfies ShowRequest });
}

export async function copyModel(source: string, destination: string): Promise<void> {
  await portalFetch('/api/copy', { body: { source, destination } satisfies CopyRequest });
}

export async function deleteModel(model: string): Promise<void> {
  await portalFetch('/api/delete', { method: 'DELETE', body: { model } satisfies DeleteRequest });
}

/** The context length a GGUF declares ("<arch>.context_length" in model_info). */
export function contextLengthOf(show: ShowResponse): number | null {
  for (const [key, value] of Object.entries(show.model_info ?? {})) {
    if (key.endsWith('.context_length') && typeof value === 'number') return value;
  }
  return null;
}

export async function hasBlob(digest: string): Promise<boolean> {
  const response = await portalFetch(`/api/blobs/${encodeURIComponent(digest)}`, {
    method: 'HEAD'
  });
  if (response.status === 404) return false;
  if (!response.ok) throw new ApiError(response.status, `${response.status} checking blob`);
  return true;
}
