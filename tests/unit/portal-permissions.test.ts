/** The permission matrix's draft: what Save sends, and how columns and rows are laid out. */
import { describe, expect, it } from 'vitest';
import {
  cellKey,
  cellsOf,
  changedGrants,
  columnsOf,
  grantsOf,
  matchesFilter,
  normalizeNewPattern,
  orderedSubjects
} from '../../src/lib/components/admin/permission-draft';
import type { Grant } from '#protocol/portal/types';

const grant = (over: Partial<Grant>): Grant => ({
  subjectType: 'group',
  subjectId: 1,
  modelPattern: 'qwen*',
  canUse: true,
  canDownload: false,
  ...over
});

describe('permission draft', () => {
  it('sends only cells that changed, removals as both flags false', () => {
    const original = cellsOf([
      grant({}),
      grant({
        subjectType: 'user',
        subjectId: 7,
        modelPattern: 'stories:latest',
        canDownload: true
      })
    ]);
    const draft = structuredClone(original);
    // unchanged edit, a new grant, a removal, and a toggle back to the original value
    draft[cellKey('group', 1, 'qwen*')] = { canUse: true, canDownload: false };
    draft[cellKey('group', 2, 'stories:latest')] = { canUse: true, canDownload: true };
    draft[cellKey('user', 7, 'stories:latest')] = { canUse: false, canDownload: false };
    draft[cellKey('user', 9, 'x')] = { canUse: false, canDownload: false };
    const changed = changedGrants(original, draft);
    expect(changed).toHaveLength(2);
    expect(changed).toEqual(
      expect.arrayContaining([
        grant({ subjectId: 2, modelPattern: 'stories:latest', canDownload: true }),
        grant({
          subjectType: 'user',
          subjectId: 7,
          modelPattern: 'stories:latest',
          canUse: false
        })
      ])
    );
    expect(changedGrants(original, structuredClone(original))).toEqual([]);
  });

  it('keeps a pattern containing a colon or slash intact', () => {
    const draft = { [cellKey('user', 3, 'team/coder:7b')]: { canUse: true, canDownload: false } };
    expect(changedGrants({}, draft)[0]).toMatchObject({
      subjectType: 'user',
      subjectId: 3,
      modelPattern: 'team/coder:7b'
    });
  });

  it('reads the grants back out of the cells, leaving out cells turned fully off', () => {
    const kept = grant({ subjectType: 'user', subjectId: 3, modelPattern: 'team/coder:7b' });
    const cells = cellsOf([kept, grant({})]);
    cells[cellKey('group', 1, 'qwen*')] = { canUse: false, canDownload: false };
    expect(grantsOf(cells)).toEqual([kept]);
  });

  it('puts patterns first, then added ones, then models, without duplicates', () => {
    const columns = columnsOf(
      { patterns: ['qwen*', 'stories:latest', 'llama'], models: ['a:latest', 'stories:latest'] },
      ['deepseek*', 'qwen*', 'a:latest']
    );
    expect(columns).toEqual([
      { pattern: 'qwen*', isModel: false },
      { pattern: 'llama', isModel: false },
      { pattern: 'deepseek*', isModel: false },
      { pattern: 'a:latest', isModel: true },
      { pattern: 'stories:latest', isModel: true }
    ]);
  });

  it('orders groups before users and filters case-insensitively', () => {
    const ordered = orderedSubjects([
      { type: 'user', id: 1, name: 'zhang' },
      { type: 'group', id: 2, name: 'radiology' },
      { type: 'user', id: 3, name: 'admin', role: 'admin' },
      { type: 'group', id: 4, name: 'cardiology' },
      { type: 'group', id: 5, name: 'ward10' },
      { type: 'group', id: 6, name: 'ward2' }
    ]);
    expect(ordered.map((s) => s.name)).toEqual([
      'cardiology',
      'radiology',
      'ward2',
      'ward10',
      'admin',
      'zhang'
    ]);
    expect(matchesFilter('Qwen2.5:7B', 'qwen')).toBe(true);
    expect(matchesFilter('llama', ' ')).toBe(true);
    expect(matchesFilter('llama', 'qwen')).toBe(false);
  });

  it('normalizes a new pattern the way the server stores it', () => {
    expect(normalizeNewPattern('  Qwen* ')).toEqual({ pattern: 'qwen*' });
    expect(normalizeNewPattern('')).toEqual({ error: 'empty' });
    expect(normalizeNewPattern('<script>')).toEqual({ error: 'characters' });
  });
});
