/** Chat preferences kept in db().settings (so they survive reloads and go offline with the app). */
import { db, type HearthDB } from '../store/db';
import { DEFAULT_PRESET, isPresetName, type PresetName } from './params';

const DEFAULT_PRESET_KEY = 'chat.defaultPreset';
const LAST_MODEL_KEY = 'chat.lastModelId';

export async function getDefaultPreset(database: HearthDB = db()): Promise<PresetName> {
  const value = (await database.settings.get(DEFAULT_PRESET_KEY))?.value;
  return isPresetName(value) ? value : DEFAULT_PRESET;
}

export async function setDefaultPreset(
  preset: PresetName,
  database: HearthDB = db()
): Promise<void> {
  await database.settings.put({ key: DEFAULT_PRESET_KEY, value: preset });
}

/** The model used last, offered first in a new conversation. */
export async function getLastModelId(database: HearthDB = db()): Promise<string | null> {
  const value = (await database.settings.get(LAST_MODEL_KEY))?.value;
  return typeof value === 'string' ? value : null;
}

export async function setLastModelId(id: string, database: HearthDB = db()): Promise<void> {
  await database.settings.put({ key: LAST_MODEL_KEY, value: id });
}

const SETTINGS_PANEL_KEY = 'chat.settingsPanelOpen';

/** Whether the conversation settings panel was last left open (null: never toggled). */
export async function getSettingsPanelOpen(database: HearthDB = db()): Promise<boolean | null> {
  const value = (await database.settings.get(SETTINGS_PANEL_KEY))?.value;
  return typeof value === 'boolean' ? value : null;
}

export async function setSettingsPanelOpen(
  open: boolean,
  database: HearthDB = db()
): Promise<void> {
  await database.settings.put({ key: SETTINGS_PANEL_KEY, value: open });
}

const GENERATE_TITLES_KEY = 'chat.generateTitles';

/** Whether new conversations are titled by their model (on unless turned off). */
export async function getGenerateTitles(database: HearthDB = db()): Promise<boolean> {
  const value = (await database.settings.get(GENERATE_TITLES_KEY))?.value;
  return typeof value === 'boolean' ? value : true;
}

export async function setGenerateTitles(on: boolean, database: HearthDB = db()): Promise<void> {
  await database.settings.put({ key: GENERATE_TITLES_KEY, value: on });
}
