/**
 * Request bodies of the portal's own endpoints (/api/auth, /api/admin) as zod schemas,
 * the one place they are declared: the server validates with them, and each request type
 * is derived — `XRequest` is what a client may send (z.input), `ParsedXRequest` what the
 * server reads (z.output: names trimmed and NFC-normalized, patterns in their stored
 * spelling, defaults filled in). Path parameters stay with their routes; query strings
 * a page builds (the audit log's filters) are declared here too.
 *
 * Built when the module loads: only the server and tests import it at runtime (see
 * ../ollama/requests for why the app imports types only).
 */
import { z } from 'zod';
import {
  descriptionSchema,
  displayNameSchema,
  groupNameSchema,
  keyNameSchema,
  passwordSchema,
  patternSchema,
  usernameSchema
} from './fields';
import { PASSWORD_MAX } from './limits';
import { countText, idText } from './decimal';
import {
  MODEL_SOURCE_KINDS,
  SOURCE_URL_MAX,
  SOURCE_URL_PROBLEMS,
  checkModelSource
} from './model-source';

/* /api/auth */

/** POST /api/auth/setup: the first administrator. */
export const setupRequestSchema = z.object({
  username: usernameSchema,
  password: passwordSchema,
  displayName: displayNameSchema.optional(),
  setupToken: z.string().max(200).optional()
});

/** POST /api/auth/login. Only bounded: the account's own rules applied when it was made. */
export const loginRequestSchema = z.object({
  username: z.string().max(256),
  password: z.string().max(PASSWORD_MAX)
});

/** POST /api/auth/password */
export const passwordChangeRequestSchema = z.object({
  currentPassword: z.string().max(PASSWORD_MAX),
  newPassword: passwordSchema
});

/** POST /api/auth/keys: a key of one's own. */
export const newOwnKeyRequestSchema = z.object({ name: keyNameSchema });

/* /api/admin */

const role = z.enum(['admin', 'user']);
/** Requests per minute; null = the server default, 0 = unlimited. */
const rateLimit = z.number().int().min(0).max(1_000_000).nullable();
const ids = z.array(z.number().int().positive()).max(10_000);

/** POST /api/admin/users */
export const newUserRequestSchema = z.object({
  username: usernameSchema,
  password: passwordSchema,
  displayName: displayNameSchema.optional(),
  role: role.default('user')
});

/** PATCH /api/admin/users/:id; a password given here resets it. */
export const userChangesRequestSchema = z.object({
  username: usernameSchema.optional(),
  displayName: displayNameSchema.optional(),
  role: role.optional(),
  disabled: z.boolean().optional(),
  password: passwordSchema.optional()
});

/** POST /api/admin/groups */
export const newGroupRequestSchema = z.object({
  name: groupNameSchema,
  description: descriptionSchema.optional(),
  memberIds: ids.optional()
});

/** PATCH /api/admin/groups/:id; memberIds replaces the members. */
export const groupChangesRequestSchema = newGroupRequestSchema.partial();

/** POST /api/admin/users/:id/keys: a key made for a user. */
export const newUserKeyRequestSchema = z.object({
  name: keyNameSchema,
  rateLimitPerMin: rateLimit.optional()
});

/** PATCH /api/admin/keys/:id */
export const keyChangesRequestSchema = z.object({ rateLimitPerMin: rateLimit });

const grantSchema = z.object({
  subjectType: z.enum(['user', 'group']),
  subjectId: z.number().int().positive(),
  modelPattern: patternSchema,
  canUse: z.boolean(),
  canDownload: z.boolean().default(false)
});

/**
 * PUT /api/admin/permissions: one grant, or { grants } of up to 1000, read as a list. A
 * grant with canUse and canDownload both false removes it.
 */
export const permissionsRequestSchema = z.union([
  z.object({ grants: z.array(grantSchema).min(1).max(1000) }),
  grantSchema.transform((grant) => ({ grants: [grant] }))
]);

/** A model source, checked and normalized by the rules the app applies too (./model-source). */
const modelSourceSchema = z
  .object({ kind: z.enum(MODEL_SOURCE_KINDS), url: z.string().max(SOURCE_URL_MAX).optional() })
  .transform((value, ctx) => {
    const checked = checkModelSource(value);
    if (checked.ok) return checked.setting;
    ctx.addIssue({ code: 'custom', path: ['url'], message: SOURCE_URL_PROBLEMS[checked.problem] });
    return z.NEVER;
  });

/** PUT /api/admin/model-source: where the portal's users download models; null = Hugging Face. */
export const modelSourceRequestSchema = z.object({ modelSource: modelSourceSchema.nullable() });

/* Query strings: every value arrives as text. */

const instant = z.iso
  .datetime({ offset: true, error: 'must be an ISO 8601 date and time, e.g. 2025-01-31T00:00:00Z' })
  .transform((text) => Date.parse(text));

/**
 * GET /api/admin/audit and /api/admin/audit.csv: who (actorId), what (an action such as
 * "user.create", or a family such as "user"), and when (since ≤ time < until).
 */
export const auditFilterSchema = z.object({
  actorId: idText.optional(),
  action: z
    .string()
    .max(64)
    .regex(
      /^[a-z]+(\.[a-z_]+)?$/,
      'must be an action such as "user.create" or a family such as "user"'
    )
    .optional(),
  since: instant.optional(),
  until: instant.optional()
});

/** GET /api/admin/audit: a page of the filtered log, newest first, older than `before`. */
export const auditQuerySchema = auditFilterSchema.extend({
  limit: countText(1, 500).default(50),
  before: idText.optional()
});

export type SetupRequest = z.input<typeof setupRequestSchema>;
export type LoginRequest = z.input<typeof loginRequestSchema>;
export type PasswordChangeRequest = z.input<typeof passwordChangeRequestSchema>;
export type NewOwnKeyRequest = z.input<typeof newOwnKeyRequestSchema>;
export type NewUserRequest = z.input<typeof newUserRequestSchema>;
export type UserChangesRequest = z.input<typeof userChangesRequestSchema>;
export type NewGroupRequest = z.input<typeof newGroupRequestSchema>;
export type GroupChangesRequest = z.input<typeof groupChangesRequestSchema>;
export type NewUserKeyRequest = z.input<typeof newUserKeyRequestSchema>;
export type KeyChangesRequest = z.input<typeof keyChangesRequestSchema>;
export type PermissionsRequest = z.input<typeof permissionsRequestSchema>;
export type ModelSourceRequest = z.input<typeof modelSourceRequestSchema>;
export type AuditFilterQuery = z.input<typeof auditFilterSchema>;
export type ParsedAuditFilter = z.output<typeof auditFilterSchema>;
