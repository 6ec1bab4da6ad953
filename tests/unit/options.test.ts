/**
 * One options table serves the API's `options`, Modelfile PARAMETER lines and saved
 * conversation settings: the same names and types are accepted and refused everywhere.
 */
import { describe, expect, it } from 'vitest';
import { OPTION_KINDS } from '#protocol/ollama/options';
import { requestOptionsSchema, savedOptionsSchema } from '#protocol/ollama/options-schema';
import { normalizeParameters, parseParameterText } from '#protocol/modelfile/parameters';

const SAMPLE = { int: '3', count: '0', float: '0.5', bool: 'true', strings: '<|end|>' } as const;

describe('options', () => {
  it('reads a request: nulls mean unset, a stop string is a list, unknown names drop', () => {
    const parsed = requestOptionsSchema().parse({
      temperature: 0.2,
      top_k: null,
      stop: '\n\n',
      made_up: 1
    });
    expect(parsed).toEqual({ temperature: 0.2, stop: ['\n\n'] });
    expect(requestOptionsSchema().parse(null)).toBeUndefined();
    expect(requestOptionsSchema().safeParse({ num_ctx: -1 }).success).toBe(false);
    expect(requestOptionsSchema().safeParse({ top_k: 1.5 }).success).toBe(false);
  });

  it('accepts every option in a Modelfile and as JSON parameters, with its own type', () => {
    for (const [name, kind] of Object.entries(OPTION_KINDS)) {
      const value = parseParameterText(name, SAMPLE[kind]);
      expect(normalizeParameters({ [name]: value })).toHaveProperty(name);
      expect(
        requestOptionsSchema().safeParse({ [name]: kind === 'strings' ? [value] : value }).success
      ).toBe(true);
    }
    expect(() => parseParameterText('num_ctx', '-1')).toThrow('an integer of at least 0');
    expect(() => parseParameterText('num_ctxx', '1')).toThrow("unknown parameter 'num_ctxx'");
  });

  it('reads saved settings back', () => {
    expect(savedOptionsSchema().parse({ temperature: 0.7, num_ctx: 2048 })).toEqual({
      temperature: 0.7,
      num_ctx: 2048
    });
    expect(savedOptionsSchema().safeParse({ temperature: 'hot' }).success).toBe(false);
  });
});
