/**
 * The widget's request bodies as zod schemas, the one place they are declared: the server
 * validates with them and NewWidgetKey, what the admin pages send, is derived from them.
 * Built when the module loads: only the server and tests import it at runtime (see
 * ../ollama/requests for why the app imports types only).
 */
import { z } from 'zod';
import { keyNameSchema, patternSchema } from '../portal/fields';
import { normalizeOriginRule } from './origins';

const originSchema = z.string().transform((value, ctx) => {
  try {
    return normalizeOriginRule(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});
const unique = <T>(list: T[]) => [...new Set(list)];

/** POST /api/admin/widgets */
export const newWidgetKeySchema = z.object({
  name: keyNameSchema,
  origins: z.array(originSchema).min(1, 'list at least one origin').max(100).transform(unique),
  models: z.array(patternSchema).min(1, 'list at least one model').max(100).transform(unique),
  rateLimitPerMin: z.number().int().min(0).max(100_000).default(20),
  requireSignIn: z.boolean().default(false),
  browserEngine: z.boolean().default(false)
});

export type NewWidgetKey = z.input<typeof newWidgetKeySchema>;
export type ParsedNewWidgetKey = z.output<typeof newWidgetKeySchema>;
