/**
 * The model source in db().settings: the user's own choice, and the default of the portal
 * that served the app, remembered from its last answer so downloads started offline or
 * before the portal answers still follow it. The user's choice wins over the portal's.
 */
import {
  HUGGING_FACE,
  checkModelSource,
  readModelSource,
  type ModelSourceSetting
} from '#protocol/portal/model-source';
import { db, type HearthDB } from '../store/db';

const USER_KEY = 'models.source';
const PORTAL_KEY = 'models.portalSource';

export type SourceOrigin = 'user' | 'portal' | 'default';

export interface EffectiveSource {
  setting: ModelSourceSetting;
  origin: SourceOrigin;
  /** The portal's default, shown beside the user's choice; null without one. */
  portal: ModelSourceSetting | null;
}

export function pickModelSource(
  user: ModelSourceSetting | null,
  portal: ModelSourceSetting | null
): EffectiveSource {
  if (user) return { setting: user, origin: 'user', portal };
  if (portal) return { setting: portal, origin: 'portal', portal };
  return { setting: HUGGING_FACE, origin: 'default', portal };
}

async function read(key: string, database: HearthDB): Promise<ModelSourceSetting | null> {
  return readModelSource((await database.settings.get(key))?.value);
}

async function write(key: string, setting: ModelSourceSetting | null, database: HearthDB) {
  if (setting === null) await database.settings.delete(key);
  else await database.settings.put({ key, value: { ...setting } });
}

/** Checked again on the way in: the settings form is not the only caller. */
function checked(setting: ModelSourceSetting | null): ModelSourceSetting | null {
  if (setting === null) return null;
  const result = checkModelSource(setting);
  if (!result.ok) throw new Error(`invalid model source URL (${result.problem})`);
  return result.setting;
}

export function getUserModelSource(database: HearthDB = db()): Promise<ModelSourceSetting | null> {
  return read(USER_KEY, database);
}

/** null goes back to the portal's default (or Hugging Face). */
export async function setUserModelSource(
  setting: ModelSourceSetting | null,
  database: HearthDB = db()
): Promise<void> {
  await write(USER_KEY, checked(setting), database);
}

/** What the portal said last; null when it has no default (an older portal says nothing). */
export async function rememberPortalModelSource(
  setting: ModelSourceSetting | null | undefined,
  database: HearthDB = db()
): Promise<void> {
  await write(PORTAL_KEY, readModelSource(setting), database);
}

export async function effectiveModelSource(database: HearthDB = db()): Promise<EffectiveSource> {
  const [user, portal] = await Promise.all([read(USER_KEY, database), read(PORTAL_KEY, database)]);
  return pickModelSource(user, portal);
}
