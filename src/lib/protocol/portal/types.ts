/**
 * Wire types of Hearth's own portal endpoints — accounts (/api/auth), administration
 * (/api/admin), live status (/api/status) and weights for browsers (/api/portal) —
 * declared once here for the server, the web app and the widget. Times are ISO strings.
 * Responses are plain interfaces; request types are derived from the server's schemas.
 */
import type { Options, ProcessModel } from '#protocol/ollama/types';
import type { ModelSourceSetting } from './model-source';

export type UserRole = 'admin' | 'user';

export { PASSWORD_MAX, PASSWORD_MIN } from './limits';

/** Request types, derived from the schemas the server validates with (./requests). */
export type {
  AuditFilterQuery,
  GroupChangesRequest,
  KeyChangesRequest,
  LoginRequest,
  ModelSourceRequest,
  NewGroupRequest,
  NewOwnKeyRequest,
  NewUserKeyRequest,
  NewUserRequest,
  PasswordChangeRequest,
  PermissionsRequest,
  SetupRequest,
  UserChangesRequest
} from './requests';

export interface UserJson {
  id: number;
  username: string;
  displayName: string;
  role: UserRole;
  disabled: boolean;
  createdAt: string;
}

export interface ApiKeyJson {
  id: number;
  userId: number;
  name: string;
  /** The visible start of the key ("hk_1a2b3c4d"); the key itself is shown once, at creation. */
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  /** Requests per minute; null = the server default, 0 = unlimited. */
  rateLimitPerMin: number | null;
}

export interface GroupJson {
  id: number;
  name: string;
  description: string;
  createdAt: string;
  memberIds: number[];
}

export type SubjectType = 'user' | 'group';

/** One permission: who (a user or group) may use / download which models (exact name or glob). */
export interface Grant {
  subjectType: SubjectType;
  subjectId: number;
  modelPattern: string;
  canUse: boolean;
  canDownload: boolean;
}

/** GET /api/auth/session */
export interface SessionResponse {
  authEnabled: boolean;
  setupRequired: boolean;
  /** Setup must quote the token the server printed at start (servers reachable from the network). */
  setupTokenRequired: boolean;
  user: UserJson | null;
  csrfToken: string | null;
}

/** POST /api/auth/keys and POST /api/admin/users/:id/keys: `key` is shown this once. */
export interface CreatedKeyResponse {
  key: string;
  apiKey: ApiKeyJson;
}

/** GET /api/admin/permissions: rows are subjects, columns are patterns and models. */
export interface PermissionMatrix {
  subjects: Array<{ type: SubjectType; id: number; name: string; role?: UserRole }>;
  patterns: string[];
  models: string[];
  grants: Grant[];
}

/** Who did it, named as the account is now; as recorded once it has been deleted. */
export interface AuditActor {
  id: number;
  username: string;
  displayName: string;
  deleted: boolean;
}

/** A user or group an entry refers to by id, named as it is now; name is null once deleted. */
export interface AuditRef {
  type: SubjectType;
  id: number;
  name: string | null;
}

/** An API or widget key an entry names by its prefix (target), as the key is now. */
export interface AuditKeyRef {
  name: string;
  /** The API key's owner; null for widget keys and for keys whose owner is gone. */
  owner: string | null;
}

/**
 * One entry: what was recorded (target and detail unchanged), plus names looked up when
 * the log is read for what it refers to by id or key prefix.
 */
export interface AuditEntry {
  id: number;
  at: string;
  actor: AuditActor | null;
  action: string;
  target: string | null;
  detail: Record<string, unknown> | null;
  ip: string | null;
  /** permission.*: the grant's user or group; group.member_*: the member (detail.userId). */
  subject: AuditRef | null;
  /** detail.memberIds (group.create, group.update), in order. */
  members: AuditRef[] | null;
  /** key.*, widget.*: the key target names by its prefix; null when no key has it. */
  key: AuditKeyRef | null;
}

/** GET /api/admin/audit?limit&before&actorId&action&since&until */
export interface AuditPage {
  entries: AuditEntry[];
  nextBefore: number | null;
}

export interface SchedulerModelStats {
  name: string;
  /** Slots generating or embedding right now. */
  active: number;
  slots: number;
  contextLength: number;
  /** ISO time, or null while in use / loading. */
  expiresAt: string | null;
  state: 'loading' | 'ready';
}

export interface SchedulerStats {
  /** Requests holding a slot (streams in progress). */
  activeStreams: number;
  /** Requests waiting for a slot. */
  queueDepth: number;
  maxQueue: number;
  numParallel: number;
  maxLoadedModels: number;
  models: SchedulerModelStats[];
}

export interface FailedLoad {
  name: string;
  error: string;
  /** ISO time of the latest failure. */
  at: string;
}

/** GET /api/status, and each event of GET /api/status/stream. */
export interface StatusSnapshot {
  time: string;
  uptime_s: number;
  version: string;
  scheduler: SchedulerStats;
  /** Loaded models, as /api/ps lists them. */
  loaded: ProcessModel[];
  failed_loads: FailedLoad[];
  /** process.memoryUsage() in bytes (rss, heapTotal, heapUsed, external, arrayBuffers). */
  memory: Record<string, number>;
  /** Decode speed per model over the last 5 minutes; idle models are absent. */
  tokens_per_second: Record<string, number>;
  /** Requests answered in the last 60 s. */
  requests_per_minute: number;
  /** 1, 5 and 15 minute load averages. */
  load_average: number[];
  cpus: number;
  /**
   * Where models run: llama.cpp's llama-server (one process per model, whose memory is
   * not in `memory` but in `resident_bytes`), or node-llama-cpp inside the server.
   */
  runner?: { kind: 'llama-server' | 'in-process'; resident_bytes: number };
}

export interface GgufWeights {
  format: 'gguf';
  name: string;
  /** sha256 of the GGUF file, hex. */
  digest: string;
  size: number;
  quantization: string;
  family: string;
  parameter_size: string;
  context_length: number | null;
  /** No chat template in the GGUF or the manifest: prompt it as plain text completion. */
  completionOnly: boolean;
  embedding: boolean;
  /** Same-origin path of the blob; supports Range. */
  url: string;
  /** The model's own defaults (its Modelfile's PARAMETER lines), so a tab answers as the server would. */
  parameters?: Options;
}

/** Also a web-llm ModelRecord (model, model_id, model_lib, required_features). */
export interface MlcWeights {
  format: 'mlc';
  name: string;
  size: number;
  quantization: string | null;
  context_length: number | null;
  model: string;
  model_id: string;
  model_lib: string;
  required_features?: string[];
}

export type PortalWeights = GgufWeights | MlcWeights;

export type { ModelSourceKind, ModelSourceSetting } from './model-source';

/** GET /api/portal/weights */
export interface PortalWeightsResponse {
  models: PortalWeights[];
  /** Where this portal's users download catalog models unless they choose; absent from older portals. */
  modelSource?: ModelSourceSetting | null;
}

/** GET and PUT /api/admin/model-source: the default for the portal's users (null: Hugging Face). */
export interface ModelSourceResponse {
  modelSource: ModelSourceSetting | null;
}
