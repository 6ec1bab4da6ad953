/**
 * Validators for Ollama's options, derived from the one table in ./options. They are built
 * on first use, not when the module loads: zod probes for eval when it builds a schema,
 * which a page under a Content-Security-Policy without 'unsafe-eval' reports as a
 * violation unless the page has set zod to jitless first (see store/transfer.ts).
 */
import { z } from 'zod';
import { OPTION_KINDS, type OptionKind, type OptionName, type Options } from './options';

/** A value made on first call and kept. */
function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

const valueSchemas = once((): Record<OptionKind, z.ZodType> => ({
  int: z.number().int(),
  count: z.number().int().min(0),
  float: z.number(),
  bool: z.boolean(),
  // One stop string is a list of one, as Ollama's decoder reads it.
  strings: z.union([z.string().transform((s) => [s]), z.array(z.string())])
}));

function shape(wrap: (schema: z.ZodType) => z.ZodType): Record<OptionName, z.ZodType> {
  const entries = Object.entries(OPTION_KINDS).map(([name, kind]) => [
    name,
    wrap(valueSchemas()[kind])
  ]);
  return Object.fromEntries(entries) as Record<OptionName, z.ZodType>;
}

const withoutNulls = (options: Record<string, unknown>): Options =>
  Object.fromEntries(Object.entries(options).filter(([, v]) => v != null)) as Options;

/**
 * A request's `options`. Every option may be null, meaning "not set" (as Ollama's Go
 * decoder treats it), and so may the whole object; unknown names are dropped as Go
 * drops unknown JSON fields.
 */
export const requestOptionsSchema = once(() =>
  z
    .object(shape((schema) => schema.nullish()))
    .nullish()
    .transform((options): Options | undefined => (options ? withoutNulls(options) : undefined))
);

/** Options as the app saves them with a conversation (and reads them back on import). */
export const savedOptionsSchema = once(() =>
  z
    .object(shape((schema) => schema.optional()))
    .transform((options): Options => withoutNulls(options))
);
