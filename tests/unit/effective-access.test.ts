/**
 * The permission matrix's effective access: which rights a user cell inherits, from which
 * grants, and that together with the user's own grants it is exactly what the server's
 * access control allows.
 */
import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { createAccessControl } from '../../server/auth/access';
import type { Principal } from '../../server/auth/principal';
import { inheritedAccess, type Member } from '../../src/lib/components/admin/effective-access';
import { cellKey, cellsOf, type Column } from '../../src/lib/components/admin/permission-draft';
import type { Grant } from '#protocol/portal/types';

const NURSES = 1;
const DOCTORS = 2;
const groupNames = { [NURSES]: 'nurses', [DOCTORS]: 'doctors' };

const model = (pattern: string): Column => ({ pattern, isModel: true });
const patternColumn = (pattern: string): Column => ({ pattern, isModel: false });
const columns: Column[] = [
  patternColumn('qwen*'),
  patternColumn('stories'),
  model('qwen2.5:0.5b'),
  model('stories:latest'),
  model('stories:v2'),
  model('stories-2:latest'),
  model('llama3.2:1b')
];

const member = (over: Partial<Member> = {}): Member => ({
  id: 7,
  role: 'user',
  disabled: false,
  groupIds: [NURSES],
  ...over
});

function grant(over: Partial<Grant>): Grant {
  return {
    subjectType: 'group',
    subjectId: NURSES,
    modelPattern: '*',
    canUse: true,
    canDownload: false,
    ...over
  };
}

/** The inherited rights of user 7 per column, for grants and that user's membership. */
function inheritedOf(grants: Grant[], user: Member = member()) {
  const all = inheritedAccess(cellsOf(grants), [user], groupNames, columns);
  return (pattern: string) => all[cellKey('user', user.id, pattern)];
}

describe('inherited access', () => {
  it('comes through a group, for the rights the group’s grant carries', () => {
    const at = inheritedOf([grant({ modelPattern: 'llama3.2:1b' })]);
    expect(at('llama3.2:1b')).toEqual({ canUse: [{ group: 'nurses' }] });
    expect(at('qwen2.5:0.5b')).toBeUndefined();
    // Not for a user outside the group.
    const outsider = inheritedOf(
      [grant({ modelPattern: 'llama3.2:1b' })],
      member({ groupIds: [] })
    );
    expect(outsider('llama3.2:1b')).toBeUndefined();
  });

  it('comes through the user’s own grant on a pattern column that matches the model', () => {
    const at = inheritedOf([grant({ subjectType: 'user', subjectId: 7, modelPattern: 'qwen*' })]);
    expect(at('qwen2.5:0.5b')).toEqual({ canUse: [{ pattern: 'qwen*' }] });
    // The pattern column itself is the explicit grant, not an inherited one.
    expect(at('qwen*')).toBeUndefined();
    expect(at('llama3.2:1b')).toBeUndefined();
  });

  it('comes through "*" on every model, named with its group', () => {
    const at = inheritedOf([grant({ modelPattern: '*', canDownload: true })]);
    const viaStar = [{ group: 'nurses', pattern: '*' }];
    for (const name of ['qwen2.5:0.5b', 'stories:latest', 'stories-2:latest', 'llama3.2:1b'])
      expect(at(name)).toEqual({ canUse: viaStar, canDownload: viaStar });
    // The server matches patterns against model names only: it never says "*" covers "qwen*".
    expect(at('qwen*')).toBeUndefined();
    expect(at('stories')).toBeUndefined();
  });

  it('comes through a bare name on every tag of that model and no other', () => {
    const at = inheritedOf([grant({ modelPattern: 'stories' })]);
    const viaStories = { canUse: [{ group: 'nurses', pattern: 'stories' }] };
    expect(at('stories:latest')).toEqual(viaStories);
    expect(at('stories:v2')).toEqual(viaStories);
    expect(at('stories-2:latest')).toBeUndefined();
    // The pattern column of the same name inherits the group's grant on it.
    expect(at('stories')).toEqual({ canUse: [{ group: 'nurses' }] });
    // A tagged grant covers that tag only.
    const tagged = inheritedOf([grant({ modelPattern: 'stories:latest' })]);
    expect(tagged('stories:latest')).toEqual({ canUse: [{ group: 'nurses' }] });
    expect(tagged('stories:v2')).toBeUndefined();
    expect(tagged('stories')).toBeUndefined();
  });

  it('leaves out a right the user holds explicitly, but not the other right', () => {
    const at = inheritedOf([
      grant({ subjectType: 'user', subjectId: 7, modelPattern: 'llama3.2:1b' }),
      grant({ modelPattern: 'llama3.2:1b', canDownload: true })
    ]);
    expect(at('llama3.2:1b')).toEqual({ canDownload: [{ group: 'nurses' }] });
    const both = inheritedOf([
      grant({ subjectType: 'user', subjectId: 7, modelPattern: 'llama3.2:1b', canDownload: true }),
      grant({ modelPattern: 'llama3.2:1b', canDownload: true })
    ]);
    expect(both('llama3.2:1b')).toBeUndefined();
  });

  it('keeps use and download apart: neither implies the other', () => {
    const downloadOnly = inheritedOf([grant({ canUse: false, canDownload: true })]);
    expect(downloadOnly('llama3.2:1b')).toEqual({
      canDownload: [{ group: 'nurses', pattern: '*' }]
    });
    const useOnly = inheritedOf([grant({ canUse: true, canDownload: false })]);
    expect(useOnly('llama3.2:1b')).toEqual({ canUse: [{ group: 'nurses', pattern: '*' }] });
  });

  it('lists every reason, sorted, for a user in two groups and with a pattern of their own', () => {
    const at = inheritedOf(
      [
        grant({ subjectId: NURSES, modelPattern: 'qwen*' }),
        grant({ subjectId: DOCTORS, modelPattern: 'qwen2.5:0.5b' }),
        grant({ subjectType: 'user', subjectId: 7, modelPattern: '*' })
      ],
      member({ groupIds: [NURSES, DOCTORS] })
    );
    expect(at('qwen2.5:0.5b')).toEqual({
      canUse: [{ pattern: '*' }, { group: 'doctors' }, { group: 'nurses', pattern: 'qwen*' }]
    });
  });

  it('gives nothing to a disabled account (the server refuses it) or to an admin (all models)', () => {
    const grants = [grant({ modelPattern: '*' })];
    expect(inheritedOf(grants, member({ disabled: true }))('llama3.2:1b')).toBeUndefined();
    expect(inheritedOf(grants, member({ role: 'admin' }))('llama3.2:1b')).toBeUndefined();
  });
});

describe('own plus inherited rights are what the server allows', () => {
  const grants: Grant[] = [
    grant({ subjectId: NURSES, modelPattern: 'qwen*', canDownload: true }),
    grant({ subjectId: NURSES, modelPattern: 'stories', canUse: false, canDownload: true }),
    grant({ subjectId: DOCTORS, modelPattern: 'llama3.2:1b' }),
    grant({ subjectType: 'user', subjectId: 7, modelPattern: 'stories:latest' }),
    grant({ subjectType: 'user', subjectId: 8, modelPattern: '*', canDownload: true })
  ];
  const users = [
    member({ id: 7, groupIds: [NURSES] }),
    member({ id: 8, groupIds: [DOCTORS] }),
    member({ id: 9, groupIds: [NURSES, DOCTORS] }),
    member({ id: 10, groupIds: [] })
  ];
  const cells = cellsOf(grants);
  const inherited = inheritedAccess(cells, users, groupNames, columns);
  const access = createAccessControl(true);

  /** A request as the guard would build it: the user's own grants and their groups'. */
  function requestOf(user: Member): FastifyRequest {
    const applying = grants.filter((g) =>
      g.subjectType === 'user' ? g.subjectId === user.id : user.groupIds.includes(g.subjectId)
    );
    const principal = {
      user: { id: user.id, role: user.role },
      via: 'session',
      grants: applying
    } as unknown as Principal;
    return { principal } as FastifyRequest;
  }

  for (const user of users)
    for (const column of columns.filter((c) => c.isModel))
      it(`user ${user.id} × ${column.pattern}`, () => {
        const key = cellKey('user', user.id, column.pattern);
        const own = cells[key] ?? { canUse: false, canDownload: false };
        const shown = {
          canUse: own.canUse || Boolean(inherited[key]?.canUse),
          canDownload: own.canDownload || Boolean(inherited[key]?.canDownload)
        };
        const req = requestOf(user);
        expect(shown).toEqual({
          canUse: access.canUse(req, column.pattern),
          canDownload: access.canDownload(req, column.pattern)
        });
      });
});
