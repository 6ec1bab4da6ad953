/**
 * Validators for Ollama's options, derived from the one table in ./options. They are built
 * on first use, not when the module loads: zod probes for eval when it builds a schema,
 * which a page under a Content-Security-Policy without 'unsafe-eval' reports as a
 * violation unless the page has set zod to jitless first (see store/transfer.ts).
 */
import { z } from 'zod';
import { OPTION_KINDS, type OptionName, type Options } from './options';

/** A value made on first call and kept. */
function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

const valueSchemas = once(() => ({
  int: z.number().int(),
  count: z.number().int().min(0),
  float: z.number(),
  bool: z.boolean(),
  // One stop string is a list of one, as Ollama's decoder reads it.
  strings: z.union([z.string().transform((s) => [s]), z.array(z.string())])
}));

type ValueSchema<K extends OptionName> = ReturnType<typeof valueSchemas>[(typeof OPTION_KINDS)[K]];

/**
 * The shapes spelled out per option, so that z.input and z.output of the schemas below
 * give each option its own type (a request's type is derived from them).
 */
type NullishShape = { [K in OptionName]: z.ZodOptional<z.ZodNullable<ValueSchema<K>>> };
type OptionalShape = { [K in OptionName]: z.ZodOptional<ValueSchema<K>> };

function shape<Shape>(wrap: (schema: z.ZodType) => z.ZodType): Shape {
  const schemas: Record<string, z.ZodType> = valueSchemas();
  const entries = Object.entries(OPTION_KINDS).map(([name, kind]) => [name, wrap(schemas[kind])]);
  return Object.fromEntries(entries) as Shape;
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
    .object(shape<NullishShape>((schema) => schema.nullish()))
    .nullish()
    .transform((options): Options | undefined => (options ? withoutNulls(options) : undefined))
);

/** Options as the app saves them with a conversation (and reads them back on import). */
export const savedOptionsSchema = once(() =>
  z
    .object(shape<OptionalShape>((schema) => schema.optional()))
    .transform((options): Options => withoutNulls(options))
);

/** What a request may send as `options`: any option as its wire type, or null for unset. */
export type RequestOptions = z.input<ReturnType<typeof requestOptionsSchema>>;
