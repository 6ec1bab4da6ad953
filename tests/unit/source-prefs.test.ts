/**
 * The model source preference in the browser's settings table: the user's own choice
 * wins over the portal's remembered default, which wins over Hugging Face; what is stored
 * is checked on the way in and on the way out.
 */
import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  effectiveModelSource,
  getUserModelSource,
  pickModelSource,
  rememberPortalModelSource,
  setUserModelSource
} from '../../src/lib/models/source-prefs';
import type { HearthDB } from '../../src/lib/store/db';
import { freshDatabase } from './helpers/db';

let database: HearthDB;
beforeEach(() => {
  database = freshDatabase('source-prefs');
});

const mirror = { kind: 'hf-mirror', url: 'https://hf-mirror.com' } as const;
const lan = { kind: 'lan', url: 'http://fileserver.lan/models' } as const;

describe('the model source preference', () => {
  it('is Hugging Face by default', async () => {
    expect(await getUserModelSource(database)).toBeNull();
    expect(await effectiveModelSource(database)).toEqual({
      setting: { kind: 'huggingface' },
      origin: 'default',
      portal: null
    });
  });

  it('follows the portal’s default until the user chooses, then the user', async () => {
    await rememberPortalModelSource(mirror, database);
    expect(await effectiveModelSource(database)).toEqual({
      setting: mirror,
      origin: 'portal',
      portal: mirror
    });
    await setUserModelSource(lan, database);
    expect(await effectiveModelSource(database)).toEqual({
      setting: lan,
      origin: 'user',
      portal: mirror
    });
    // Back to "default": the portal's again.
    await setUserModelSource(null, database);
    expect((await effectiveModelSource(database)).origin).toBe('portal');
    // A portal that no longer sets one leaves Hugging Face.
    await rememberPortalModelSource(null, database);
    expect((await effectiveModelSource(database)).setting).toEqual({ kind: 'huggingface' });
  });

  it('stores the URL normalized and refuses a bad one', async () => {
    await setUserModelSource({ kind: 'lan', url: 'http://fileserver.lan/models/' }, database);
    expect(await getUserModelSource(database)).toEqual(lan);
    await expect(
      setUserModelSource({ kind: 'hf-mirror', url: 'javascript:alert(1)' }, database)
    ).rejects.toThrow(/scheme/);
    await expect(
      setUserModelSource({ kind: 'lan', url: 'http://me:pw@files.lan/' }, database)
    ).rejects.toThrow(/credentials/);
    expect(await getUserModelSource(database)).toEqual(lan);
  });

  it('ignores a damaged or foreign stored value rather than fetching from it', async () => {
    await database.settings.put({
      key: 'models.source',
      value: { kind: 'lan', url: 'javascript:alert(1)' }
    });
    await database.settings.put({ key: 'models.portalSource', value: 'hf-mirror.com' });
    expect(await effectiveModelSource(database)).toEqual({
      setting: { kind: 'huggingface' },
      origin: 'default',
      portal: null
    });
    // An older portal says nothing about a default: none is remembered.
    await rememberPortalModelSource(undefined, database);
    expect((await effectiveModelSource(database)).portal).toBeNull();
  });

  it('is picked the same way without storage', () => {
    expect(pickModelSource(null, null).origin).toBe('default');
    expect(pickModelSource(null, mirror)).toEqual({
      setting: mirror,
      origin: 'portal',
      portal: mirror
    });
    expect(pickModelSource(lan, mirror).setting).toBe(lan);
  });
});
