import { prebuiltAppConfig } from '@mlc-ai/web-llm';
import { describe, expect, it } from 'vitest';
import { mlcCatalogFrom, type MlcModelRecord } from '../../src/lib/models/mlc-catalog';
import { MLC_PREBUILT_MODELS, MLC_PREBUILT_VERSION } from '../../src/lib/models/mlc-prebuilt';
import { mayHaveMlcCache } from '../../src/lib/models/mlc-cache';
import { pickMlcFields } from '../../scripts/extract-mlc-models.js';
import webllmPackage from '@mlc-ai/web-llm/package.json' with { type: 'json' };

describe('checked-in web-llm model list', () => {
  it('matches the installed package (run `npm run extract:mlc-models` after an upgrade)', () => {
    expect(MLC_PREBUILT_VERSION).toBe(webllmPackage.version);
    expect(MLC_PREBUILT_MODELS).toEqual(prebuiltAppConfig.model_list.map(pickMlcFields));
  });

  it('gives the same catalog as the full records', () => {
    expect(mlcCatalogFrom(MLC_PREBUILT_MODELS)).toEqual(
      mlcCatalogFrom(prebuiltAppConfig.model_list as MlcModelRecord[])
    );
  });
});

describe('mayHaveMlcCache', () => {
  const factory = (names: string[] | Error) =>
    ({
      databases: async () => {
        if (names instanceof Error) throw names;
        return names.map((name) => ({ name, version: 1 }));
      }
    }) as unknown as IDBFactory;

  it('is false when none of web-llm’s databases exist (no need to load web-llm)', async () => {
    expect(await mayHaveMlcCache(factory(['hearth']))).toBe(false);
  });
  it('is true when one exists, or when the browser cannot tell', async () => {
    expect(await mayHaveMlcCache(factory(['hearth', 'webllm/model']))).toBe(true);
    expect(await mayHaveMlcCache(factory(new Error('denied')))).toBe(true);
    expect(await mayHaveMlcCache({} as IDBFactory)).toBe(true);
  });
});
