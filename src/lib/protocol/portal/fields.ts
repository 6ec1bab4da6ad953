/**
 * The rules for the fields people type into the portal's requests: usernames, display,
 * group and key names, passwords, and model patterns. Any script is welcome (张伟 is a
 * fine username); text is trimmed, NFC-normalized and length-limited, and control
 * characters are refused. Nothing is HTML-escaped here: the UI renders text as text, and
 * escaping twice would corrupt names.
 *
 * Built when the module loads: only the server and tests import it at runtime (see
 * ../ollama/requests for why the app imports types only).
 */
import { z } from 'zod';
import { normalizeModelName } from '../ollama/names';
import { PASSWORD_MAX, PASSWORD_MIN } from './limits';

const CONTROL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

function text(label: string, min: number, max: number) {
  return z
    .string({ error: `${label} must be a string` })
    .transform((s) => s.normalize('NFC').trim())
    .refine((s) => [...s].length >= min, {
      message: min === 1 ? `${label} is required` : `${label} must be at least ${min} characters`
    })
    .refine((s) => [...s].length <= max, { message: `${label} must be at most ${max} characters` })
    .refine((s) => !CONTROL.test(s), { message: `${label} must not contain control characters` });
}

export const usernameSchema = text('username', 1, 64);
export const displayNameSchema = text('display name', 0, 100);
export const groupNameSchema = text('group name', 1, 64);
export const descriptionSchema = text('description', 0, 500);
export const keyNameSchema = text('key name', 1, 100);

export const passwordSchema = z
  .string({ error: 'password must be a string' })
  .min(PASSWORD_MIN, `password must be at least ${PASSWORD_MIN} characters`)
  .max(PASSWORD_MAX, `password must be at most ${PASSWORD_MAX} characters`);

const GLOB_CHARS = /^[A-Za-z0-9_.:/*-]{1,200}$/;

/**
 * A model pattern of a grant or a widget key, in the one spelling it is stored and
 * compared in; throws a message on junk. "stories:latest" is exactly that model,
 * "stories" every tag of it, "qwen*" and "*" are globs (see ./grants).
 */
export function normalizePattern(input: string): string {
  const text = input.trim().toLowerCase();
  if (text.includes('*')) {
    if (!GLOB_CHARS.test(text)) throw new Error(`invalid model pattern "${input}"`);
    return text;
  }
  const hasTag = text.lastIndexOf(':') > text.lastIndexOf('/');
  let name: string;
  try {
    name = normalizeModelName(text);
  } catch {
    throw new Error(`invalid model pattern "${input}"`);
  }
  return hasTag ? name : name.slice(0, name.lastIndexOf(':'));
}

export const patternSchema = z.string().transform((value, ctx) => {
  try {
    return normalizePattern(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});
