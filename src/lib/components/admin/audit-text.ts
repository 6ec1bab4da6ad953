/**
 * The audit page's wording, kept apart from the page so it is tested: each entry as a
 * sentence in the page's language (the catalogs have one per action, since word order
 * differs between languages), its detail with names in place of ids, and the filter
 * form turned into the query the server takes.
 */
import {
  AUDIT_ACTIONS,
  actorName,
  namedDetail,
  parsePermissionTarget,
  refName,
  type DeletedName
} from '#protocol/portal/audit';
import type { AuditEntry, AuditFilterQuery } from '#protocol/portal/types';

/** svelte-i18n's $t, narrowed to what is used here (tests pass a fake). */
export type Translate = (
  id: string,
  options?: { values?: Record<string, string | number> }
) => string;

type Values = Record<string, string | number>;

const KNOWN = new Set<string>(AUDIT_ACTIONS);

const deletedIn =
  (t: Translate): DeletedName =>
  (name) =>
    t('admin.audit.deleted', { values: { name } });

const text = (value: unknown): string =>
  typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);

const list = (items: unknown, t: Translate): string =>
  Array.isArray(items) && items.length
    ? items.map(text).join(t('admin.audit.separator'))
    : t('admin.audit.none');

function role(value: unknown, t: Translate): string {
  return value === 'admin' || value === 'user' ? t(`admin.users.roles.${value}`) : text(value);
}

/** What a user.update or group.update set, one phrase per field (ids already named). */
function changes(detail: Record<string, unknown>, t: Translate): string {
  const phrases = Object.entries(detail).flatMap(([field, value]) => {
    switch (field) {
      case 'via':
        return [];
      case 'disabled':
        return [t(value ? 'admin.audit.changes.disabled' : 'admin.audit.changes.enabled')];
      case 'passwordReset':
        return [t('admin.audit.changes.passwordReset')];
      case 'role':
        return [t('admin.audit.changes.role', { values: { value: role(value, t) } })];
      case 'memberIds':
        return [t('admin.audit.changes.members', { values: { value: list(value, t) } })];
      case 'username':
      case 'displayName':
      case 'name':
      case 'description':
        return [t(`admin.audit.changes.${field}`, { values: { value: text(value) } })];
      default:
        return [`${field}: ${text(value)}`];
    }
  });
  return phrases.length ? phrases.join(t('admin.audit.separator')) : t('admin.audit.none');
}

/** An API or widget key: its name (and owner) as it is now, else as recorded, and its prefix. */
function keyText(entry: AuditEntry, t: Translate): string {
  const prefix = entry.target ?? '';
  const name = entry.key?.name ?? entry.detail?.name;
  const owner = entry.key ? entry.key.owner : entry.detail?.owner;
  if (typeof name !== 'string') return prefix;
  return typeof owner === 'string'
    ? t('admin.audit.keyOwned', { values: { name, owner, prefix } })
    : t('admin.audit.keyNamed', { values: { name, prefix } });
}

function rateLimit(value: unknown, t: Translate): string {
  if (value === null || value === undefined) return t('admin.audit.limitDefault');
  if (value === 0) return t('admin.audit.limitNone');
  return t('admin.audit.limitPerMin', { values: { n: Number(value) } });
}

function rights(detail: Record<string, unknown>, t: Translate): string {
  if (detail.canUse && detail.canDownload) return t('admin.audit.rights.both');
  return t(detail.canDownload ? 'admin.audit.rights.download' : 'admin.audit.rights.use');
}

const REASONS: Record<string, string> = {
  'unknown user': 'unknownUser',
  'wrong password': 'wrongPassword',
  disabled: 'disabled'
};

/** The values one action's sentence needs beyond actor and target. */
function actionValues(entry: AuditEntry, t: Translate): Values {
  const detail = entry.detail ?? {};
  const deleted = deletedIn(t);
  const [family] = entry.action.split('.');
  if (family === 'key' || family === 'widget')
    return {
      key: keyText(entry, t),
      limit: rateLimit(detail.rateLimitPerMin, t),
      origins: list(detail.origins, t),
      models: list(detail.models, t)
    };
  if (family === 'permission') {
    const { subject } = entry;
    return {
      subject: subject
        ? t(`admin.audit.subject.${subject.type}`, { values: { name: refName(subject, deleted) } })
        : '',
      pattern: parsePermissionTarget(entry.target)?.pattern ?? entry.target ?? '',
      rights: rights(detail, t)
    };
  }
  if (family === 'model') return { status: text(detail.status) };
  switch (entry.action) {
    case 'settings.model_source': {
      // Recorded as set: { kind, url? }, or {} for "back to the default".
      const kind = text(detail.kind);
      const url = text(detail.url);
      return { source: kind ? (url ? `${kind} ${url}` : kind) : t('admin.audit.defaultSource') };
    }
    case 'user.create':
      return { role: role(detail.role, t) };
    case 'user.update':
    case 'group.update':
      return { changes: changes(namedDetail(entry, deleted) ?? {}, t) };
    case 'group.create':
      return {
        members: list(
          entry.members?.map((ref) => refName(ref, deleted)),
          t
        )
      };
    case 'group.member_add':
    case 'group.member_remove':
      return { user: entry.subject ? refName(entry.subject, deleted) : text(detail.userId) };
    case 'auth.login_failed': {
      const reason = REASONS[text(detail.reason)];
      return { reason: reason ? t(`admin.audit.reasons.${reason}`) : text(detail.reason) };
    }
    case 'auth.login_throttled':
      return {
        seconds: Number(detail.retryAfterSeconds) || 0,
        failures: Number(detail.failures) || 0,
        scope: t(
          detail.scope === 'address' ? 'admin.audit.scopes.address' : 'admin.audit.scopes.account'
        )
      };
    default:
      return {};
  }
}

/** Who did it: the account, or the command line, or nobody signed in. */
export function actorText(entry: AuditEntry, t: Translate): string {
  if (entry.actor) return actorName(entry.actor, deletedIn(t));
  return t(entry.detail?.via === 'cli' ? 'admin.audit.cli' : 'admin.audit.anonymous');
}

/** The entry as one sentence; an action this page does not know still reads sensibly. */
export function auditSentence(entry: AuditEntry, t: Translate): string {
  const key = KNOWN.has(entry.action) ? entry.action : 'other';
  return t(`admin.audit.actions.${key}`, {
    values: {
      actor: actorText(entry, t),
      action: entry.action,
      target: entry.target ?? '',
      ...actionValues(entry, t)
    }
  });
}

/** The recorded detail, names in place of ids, as "field: value" text (never markup). */
export function auditDetail(entry: AuditEntry, t: Translate): string {
  return Object.entries(namedDetail(entry, deletedIn(t)) ?? {})
    .map(
      ([field, value]) =>
        `${field}: ${Array.isArray(value) ? value.map(text).join(', ') : text(value)}`
    )
    .join(' · ');
}

/** The filter form as the page holds it: dates as <input type="date"> gives them. */
export interface AuditForm {
  actorId: string;
  action: string;
  from: string;
  to: string;
}

/** "2025-01-31" (plus some days) as the instant that day starts in the browser's time zone. */
function dayStart(day: string, plusDays = 0): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return undefined;
  // setFullYear, not the Date constructor, which reads years below 100 as 19xx.
  const date = new Date(0);
  date.setFullYear(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + plusDays);
  date.setHours(0, 0, 0, 0);
  return date.toISOString();
}

/** The days are the reader's own and both are included: "to" runs until the next day starts. */
export function auditFilter(form: AuditForm): AuditFilterQuery {
  return {
    actorId: form.actorId || undefined,
    action: form.action || undefined,
    since: dayStart(form.from),
    until: dayStart(form.to, 1)
  };
}

/** The action filter's choices: each family, then its actions. */
export function actionChoices(): Array<{ family: string; actions: string[] }> {
  const families = new Map<string, string[]>();
  for (const action of AUDIT_ACTIONS) {
    const family = action.split('.')[0];
    families.set(family, [...(families.get(family) ?? []), action]);
  }
  return [...families].map(([family, actions]) => ({ family, actions }));
}
