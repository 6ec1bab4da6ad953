/**
 * The audit page's wording with the real catalogs: each entry reads as a sentence with
 * names (deleted ones marked) in English and Chinese, every action the server records
 * has a sentence in both, the two catalogs have the same keys and placeholders, and the
 * filter form becomes the query the server takes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { get } from 'svelte/store';
import { afterEach, describe, expect, it } from 'vitest';
import { locale, t } from '$lib/i18n';
import { AUDIT_ACTIONS } from '#protocol/portal/audit';
import type { AuditEntry } from '#protocol/portal/types';
import {
  actionChoices,
  auditDetail,
  auditFilter,
  auditSentence
} from '../../src/lib/components/admin/audit-text';

const root = path.resolve(import.meta.dirname, '../..');
const catalog = (code: string, name: string) =>
  JSON.parse(fs.readFileSync(path.join(root, 'src/lib/i18n', code, `${name}.json`), 'utf8'));

/** "a.b.c" → text, for every leaf. */
function flatten(object: Record<string, unknown>, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(object)) {
    if (value && typeof value === 'object')
      for (const [k, v] of flatten(value as Record<string, unknown>, `${prefix}${key}.`))
        out.set(k, v);
    else out.set(`${prefix}${key}`, String(value));
  }
  return out;
}

/** The arguments a plain message takes (these sections use no plural or select). */
const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

function entry(fields: Partial<AuditEntry>): AuditEntry {
  return {
    id: 1,
    at: '2025-01-31T09:00:00.000Z',
    actor: { id: 1, username: 'root', displayName: '', deleted: false },
    action: 'auth.login',
    target: null,
    detail: null,
    ip: '127.0.0.1',
    subject: null,
    members: null,
    key: null,
    ...fields
  };
}

const say = (fields: Partial<AuditEntry>) => auditSentence(entry(fields), get(t));

afterEach(() => {
  locale.set('en');
});

describe('catalogs', () => {
  it.each(['admin', 'bench'])('%s: English and Chinese have the same keys', (name) => {
    const en = flatten(catalog('en', name));
    expect([...flatten(catalog('zh-CN', name)).keys()].sort()).toEqual([...en.keys()].sort());
  });

  it('gives the audit and bench messages the same placeholders in both languages', () => {
    const en = flatten({ audit: catalog('en', 'admin').audit, bench: catalog('en', 'bench') });
    const zh = flatten({
      audit: catalog('zh-CN', 'admin').audit,
      bench: catalog('zh-CN', 'bench')
    });
    for (const [key, text] of en)
      expect(placeholders(zh.get(key)!), key).toEqual(placeholders(text));
  });

  it('has a sentence and a family name for every action, in both languages', () => {
    for (const code of ['en', 'zh-CN']) {
      const admin = flatten(catalog(code, 'admin'));
      for (const action of AUDIT_ACTIONS) {
        expect(admin.has(`audit.actions.${action}`), `${code} ${action}`).toBe(true);
        expect(admin.has(`audit.families.${action.split('.')[0]}`), `${code} ${action}`).toBe(true);
      }
    }
  });

  it('knows every action the server records', () => {
    const recorded = new Set<string>();
    const walk = (dir: string): string[] =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const full = path.join(dir, e.name);
        return e.isDirectory() ? walk(full) : e.name.endsWith('.ts') ? [full] : [];
      });
    for (const file of walk(path.join(root, 'server'))) {
      // Actions are written as literals on an `action:` line, or in policy.ts's model routes.
      for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
        const literals = [...line.matchAll(/'([a-z]+\.[a-z_]*[a-z])'/g)].map((m) => m[1]);
        if (/\baction\b/.test(line)) literals.forEach((a) => recorded.add(a));
        else literals.filter((a) => a.startsWith('model.')).forEach((a) => recorded.add(a));
      }
    }
    expect(recorded).toContain('permission.remove');
    expect(recorded.size).toBeGreaterThan(20);
    expect([...recorded].filter((a) => !(AUDIT_ACTIONS as readonly string[]).includes(a))).toEqual(
      []
    );
  });
});

describe('auditSentence', () => {
  it('names members and subjects, marking those deleted since', () => {
    const members = [
      { type: 'user' as const, id: 2, name: 'alicia' },
      { type: 'user' as const, id: 3, name: null }
    ];
    const staff = {
      action: 'group.create',
      target: 'staff',
      detail: { memberIds: [2, 3] },
      members
    };
    expect(say(staff)).toBe('root created group staff with members alicia, #3 (deleted)');
    expect(
      say({
        action: 'permission.set',
        target: 'user:3 stories',
        detail: { canUse: true, canDownload: true },
        subject: { type: 'user', id: 3, name: null }
      })
    ).toBe('root let user #3 (deleted) use and download stories');
    expect(
      say({
        action: 'group.member_add',
        target: 'staff',
        detail: { userId: 2 },
        subject: { type: 'user', id: 2, name: 'alicia' }
      })
    ).toBe('root added alicia to group staff');
    locale.set('zh-CN');
    expect(say(staff)).toBe('root 创建了用户组 staff，成员：alicia、#3（已删除）');
  });

  it('names the actor by display name, as recorded once deleted, or as the command line', () => {
    expect(say({ actor: { id: 2, username: 'zhang', displayName: '张伟', deleted: false } })).toBe(
      '张伟 (zhang) signed in'
    );
    expect(say({ actor: { id: 4, username: 'dave', displayName: '', deleted: true } })).toBe(
      'dave (deleted) signed in'
    );
    expect(
      say({
        actor: null,
        action: 'user.create',
        target: 'ops',
        detail: { role: 'admin', via: 'cli' }
      })
    ).toBe('The command line created user ops (Administrator)');
  });

  it('names keys as they are now, else as recorded', () => {
    const key = { action: 'key.revoke', target: 'hk_1a2b3c4d' };
    expect(say({ ...key, key: { name: 'laptop', owner: 'alicia' } })).toBe(
      'root revoked API key “laptop” of alicia (hk_1a2b3c4d)'
    );
    expect(say({ ...key, action: 'key.create', detail: { name: 'ci', owner: 'bob' } })).toBe(
      'root created API key “ci” of bob (hk_1a2b3c4d)'
    );
    expect(say(key)).toBe('root revoked API key hk_1a2b3c4d');
    expect(
      say({
        ...key,
        action: 'key.update',
        detail: { rateLimitPerMin: 0 },
        key: { name: 'ci', owner: null }
      })
    ).toBe('root set the rate limit of API key “ci” (hk_1a2b3c4d) to unlimited');
  });

  it('says what changed, why a sign-in failed, and reads an unknown action plainly', () => {
    expect(
      say({ action: 'user.update', target: 'bob', detail: { disabled: true, role: 'admin' } })
    ).toBe('root changed user bob: disabled the account, role to Administrator');
    expect(
      say({
        actor: null,
        action: 'auth.login_failed',
        target: 'bob',
        detail: { reason: 'wrong password' }
      })
    ).toBe('Failed sign-in as “bob”: wrong password');
    expect(
      say({
        actor: null,
        action: 'auth.login_throttled',
        target: 'bob',
        detail: { scope: 'address', retryAfterSeconds: 2, failures: 30 }
      })
    ).toBe('Sign-in as “bob” locked for 2 s after 30 failures from this address');
    expect(say({ action: 'model.delete', target: 'stories:latest', detail: { status: 200 } })).toBe(
      'root deleted model stories:latest (HTTP 200)'
    );
    expect(say({ action: 'backup.run', target: 'nightly' })).toBe('root: backup.run nightly');
  });
});

describe('auditDetail', () => {
  it('says which model source an administrator set for browsers, or that it went back to the default', () => {
    expect(
      say({
        action: 'settings.model_source',
        detail: { kind: 'hf-mirror', url: 'https://hf-mirror.com' }
      })
    ).toBe('root set the model source for browsers to hf-mirror https://hf-mirror.com');
    locale.set('zh-CN');
    expect(say({ action: 'settings.model_source', detail: {} })).toBe(
      'root 将浏览器的模型来源设为 默认（Hugging Face）'
    );
  });

  it('shows the recorded detail with names in place of user ids', () => {
    const detail = auditDetail(
      entry({
        action: 'group.update',
        detail: { name: 'ops', memberIds: [2, 3] },
        members: [
          { type: 'user', id: 2, name: 'alicia' },
          { type: 'user', id: 3, name: null }
        ]
      }),
      get(t)
    );
    expect(detail).toBe('name: ops · memberIds: alicia, #3 (deleted)');
    expect(
      say({
        action: 'group.update',
        target: 'ops',
        detail: { memberIds: [2, 3] },
        members: [
          { type: 'user', id: 2, name: 'alicia' },
          { type: 'user', id: 3, name: null }
        ]
      })
    ).toBe('root changed group ops: members to alicia, #3 (deleted)');
    expect(auditDetail(entry({}), get(t))).toBe('');
  });
});

describe('auditFilter', () => {
  it('sends only what is set, the days as local midnights, "to" included', () => {
    expect(auditFilter({ actorId: '', action: '', from: '', to: '' })).toEqual({
      actorId: undefined,
      action: undefined,
      since: undefined,
      until: undefined
    });
    expect(
      auditFilter({ actorId: '7', action: 'user', from: '2025-01-30', to: '2025-01-31' })
    ).toEqual({
      actorId: '7',
      action: 'user',
      since: new Date(2025, 0, 30).toISOString(),
      until: new Date(2025, 1, 1).toISOString()
    });
  });

  it('offers each family, then its actions', () => {
    const choices = actionChoices();
    expect(choices.map((c) => c.family)).toEqual([
      'auth',
      'user',
      'key',
      'group',
      'permission',
      'widget',
      'model',
      'settings'
    ]);
    expect(choices.flatMap((c) => c.actions)).toEqual([...AUDIT_ACTIONS]);
  });
});
