/**
 * Rules for the names people type: usernames, display names, group names. Any script is
 * welcome (张伟 is a fine username); text is trimmed, NFC-normalized and length-limited,
 * and control characters are refused. Nothing is HTML-escaped here: the UI renders text
 * as text, and escaping twice would corrupt names.
 */
import { z } from 'zod';
import { PASSWORD_MAX, PASSWORD_MIN } from './passwords';

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

/** The form two names are compared in: "Ｌｉｌｙ", "lily" and "LILY" are one account. */
export function nameKey(name: string): string {
  return name.normalize('NFKC').toLowerCase();
}
