/**
 * Numbers that arrive as text in a URL path or query string: row ids and small counts.
 * Number() and z.coerce accept " 1", "0x10", "1e1", "01" and "1.0", so two spellings
 * could reach one row and a typo could reach another; here exactly one spelling is
 * valid: plain decimal digits, no sign, blanks, leading zeros or exponent, and a safe
 * integer. Shared by the server's routes and the portal's query schemas (./requests).
 */
import { z } from 'zod';

const DECIMAL = /^(0|[1-9][0-9]*)$/;

/** The integer `text` spells in plain decimal, or undefined. */
export function parseDecimal(text: string): number | undefined {
  if (!DECIMAL.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** A row id: a positive decimal integer, e.g. /api/admin/users/12. */
export function parseId(text: string): number | undefined {
  const value = parseDecimal(text);
  return value !== undefined && value > 0 ? value : undefined;
}

/** zod schema for an id given as text; its issue names the rule, wire.parse names the field. */
export const idText = z.string().transform((text, ctx) => {
  const id = parseId(text);
  if (id !== undefined) return id;
  ctx.addIssue({
    code: 'custom',
    message: 'must be a positive whole number in plain decimal (no sign, spaces or leading zeros)'
  });
  return z.NEVER;
});

/** zod schema for a count given as text, between min and max. */
export function countText(min: number, max: number) {
  return z.string().transform((text, ctx) => {
    const value = parseDecimal(text);
    if (value !== undefined && value >= min && value <= max) return value;
    ctx.addIssue({
      code: 'custom',
      message: `must be a whole number from ${min} to ${max} in plain decimal`
    });
    return z.NEVER;
  });
}
