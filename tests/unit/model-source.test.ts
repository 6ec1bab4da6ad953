/**
 * The model source as a pure mapping: which URL a catalog download fetches under each
 * source (Hugging Face, a mirror, ModelScope for the repos known to be there and a fallback
 * for the others, a LAN folder), what the catalog shows as its origin, web-llm's weights
 * URLs under a mirror, and the checks every source URL passes (shared with the server).
 */
import { describe, expect, it } from 'vitest';
import { prebuiltAppConfig } from '@mlc-ai/web-llm';
import {
  checkModelSource,
  checkSourceUrl,
  readModelSource,
  type ModelSourceSetting
} from '../../src/lib/protocol/portal/model-source';
import {
  MODELSCOPE_REPOS,
  downloadOrigin,
  mlcHub,
  parseHfUrl,
  resolveModelUrl
} from '../../src/lib/models/source';
import { mlcAppConfig } from '../../src/lib/models/mlc-config';
import { builtinGgufModels } from '../../src/lib/models/gguf-builtins';
import { mlcCatalogFrom } from '../../src/lib/models/mlc-catalog';
import { MLC_PREBUILT_MODELS } from '../../src/lib/models/mlc-prebuilt';
import { sourceHost } from '../../src/lib/library/first-model';
import type { CatalogModel } from '../../src/lib/models/types';

const builtin = (slug: string) => builtinGgufModels().find((m) => m.id === `gguf:${slug}`)!;
const qwen = builtin('qwen2.5-0.5b-instruct-q4_k_m');
const llama = builtin('llama-3.2-1b-instruct-q4_k_m');
const tinyllama = builtin('tinyllama-1.1b-chat-v1.0-q4_k_m');
const canonical = (m: CatalogModel) => (m.source as { url: string }).url;

const mirror: ModelSourceSetting = { kind: 'hf-mirror', url: 'https://hf-mirror.com' };
const lan: ModelSourceSetting = { kind: 'lan', url: 'http://fileserver.lan/models' };

describe('a built-in GGUF under each source', () => {
  it('keeps the canonical Hugging Face URL in the catalog', () => {
    for (const model of builtinGgufModels()) {
      expect(parseHfUrl(canonical(model)), model.id).not.toBeNull();
      expect(resolveModelUrl(model)).toEqual({
        url: canonical(model),
        via: 'huggingface',
        missing: false
      });
    }
  });

  it('takes the same path under a mirror, a base with a path of its own included', () => {
    expect(resolveModelUrl(qwen, mirror)).toEqual({
      url: 'https://hf-mirror.com/Qwen/Qwen2.5-0.5B-Instruct-GGUF/resolve/main/qwen2.5-0.5b-instruct-q4_k_m.gguf',
      via: 'hf-mirror',
      missing: false
    });
    const proxy = { kind: 'hf-mirror', url: 'http://nexus.corp/repository/hf' } as const;
    expect(resolveModelUrl(llama, proxy)?.url).toBe(
      'http://nexus.corp/repository/hf/bartowski/Llama-3.2-1B-Instruct-GGUF/resolve/main/Llama-3.2-1B-Instruct-Q4_K_M.gguf'
    );
  });

  it('comes from ModelScope only for a repo known to be published there', () => {
    expect(MODELSCOPE_REPOS['Qwen/Qwen2.5-0.5B-Instruct-GGUF']).toBe(
      'Qwen/Qwen2.5-0.5B-Instruct-GGUF'
    );
    expect(resolveModelUrl(qwen, { kind: 'modelscope' })).toEqual({
      url: 'https://modelscope.cn/models/Qwen/Qwen2.5-0.5B-Instruct-GGUF/resolve/master/qwen2.5-0.5b-instruct-q4_k_m.gguf',
      via: 'modelscope',
      missing: false
    });
  });

  it('falls back for a model ModelScope is not known to carry: the mirror given, else Hugging Face', () => {
    expect(resolveModelUrl(llama, { kind: 'modelscope' })).toEqual({
      url: canonical(llama),
      via: 'huggingface',
      missing: true
    });
    expect(
      resolveModelUrl(tinyllama, { kind: 'modelscope', url: 'https://hf-mirror.com' })
    ).toEqual({
      url: 'https://hf-mirror.com/TheBloke/TinyLlama-1.1B-Chat-v1.0-GGUF/resolve/main/tinyllama-1.1b-chat-v1.0.Q4_K_M.gguf',
      via: 'hf-mirror',
      missing: true
    });
    // A pinned Hugging Face commit has no twin on ModelScope, even for a known repo.
    const pinned: CatalogModel = {
      ...qwen,
      source: { kind: 'url', url: canonical(qwen).replace('/main/', '/abc123/') }
    };
    expect(resolveModelUrl(pinned, { kind: 'modelscope' })?.missing).toBe(true);
  });

  it('is looked up by its file name alone in a LAN folder', () => {
    expect(resolveModelUrl(qwen, lan)).toEqual({
      url: 'http://fileserver.lan/models/qwen2.5-0.5b-instruct-q4_k_m.gguf',
      via: 'lan',
      missing: false
    });
    expect(resolveModelUrl(tinyllama, { kind: 'lan', url: 'http://10.0.0.5:8080' })?.url).toBe(
      'http://10.0.0.5:8080/tinyllama-1.1b-chat-v1.0.Q4_K_M.gguf'
    );
  });

  it('leaves URLs the user typed or a portal listed exactly as given', () => {
    const typed: CatalogModel = { ...qwen, id: 'gguf:mine', builtin: false };
    const portal: CatalogModel = {
      ...qwen,
      id: 'portal:qwen',
      builtin: false,
      source: { kind: 'url', url: '/v2/library/qwen/blobs/sha256:ab', portal: 'qwen' }
    };
    for (const source of [mirror, lan, { kind: 'modelscope' } as const]) {
      expect(resolveModelUrl(typed, source)).toEqual({
        url: canonical(qwen),
        via: 'as-is',
        missing: false
      });
      expect(resolveModelUrl(portal, source)?.url).toBe('/v2/library/qwen/blobs/sha256:ab');
    }
    const file: CatalogModel = { ...qwen, source: { kind: 'file', fileName: 'q.gguf' } };
    expect(resolveModelUrl(file, mirror)).toBeNull();
  });
});

describe('where the catalog says a model comes from', () => {
  const mlc = mlcCatalogFrom(MLC_PREBUILT_MODELS)[0];

  it('names the host of the URL that will be fetched', () => {
    expect(sourceHost(qwen)).toBe('huggingface.co');
    expect(sourceHost(qwen, mirror)).toBe('hf-mirror.com');
    expect(sourceHost(qwen, { kind: 'modelscope' })).toBe('modelscope.cn');
    expect(sourceHost(qwen, { kind: 'lan', url: 'http://10.0.0.5:8080/m' })).toBe('10.0.0.5:8080');
    expect(downloadOrigin(llama, { kind: 'modelscope' })).toEqual({
      host: 'huggingface.co',
      via: 'huggingface',
      missing: true
    });
  });

  it('has MLC models come from a Hugging Face mirror at most, never ModelScope or a LAN folder', () => {
    expect(sourceHost(mlc)).toBe('huggingface.co');
    expect(sourceHost(mlc, mirror)).toBe('hf-mirror.com');
    expect(downloadOrigin(mlc, lan)).toEqual({
      host: 'huggingface.co',
      via: 'huggingface',
      missing: true
    });
    expect(mlcHub({ kind: 'modelscope', url: 'https://hf-mirror.com' })).toEqual({
      base: 'https://hf-mirror.com',
      via: 'hf-mirror',
      missing: true
    });
  });

  it('points web-llm’s prebuilt weights at the mirror, and only its weights', () => {
    const config = mlcAppConfig(prebuiltAppConfig, [], 'https://hf-mirror.com');
    expect(config.model_list).toHaveLength(prebuiltAppConfig.model_list.length);
    prebuiltAppConfig.model_list.forEach((record, i) => {
      const rebased = config.model_list[i] as typeof record;
      expect(rebased.model_id).toBe(record.model_id);
      expect(rebased.model_lib).toBe(record.model_lib);
      expect(rebased.model).toBe(
        record.model.replace(/^https:\/\/huggingface\.co\//, 'https://hf-mirror.com/')
      );
    });
    expect(mlcAppConfig(prebuiltAppConfig).model_list).toEqual(prebuiltAppConfig.model_list);
  });
});

describe('source URLs', () => {
  it('keep http and https only, without trailing slashes', () => {
    expect(checkSourceUrl(' https://HF-Mirror.com/ ')).toEqual({
      ok: true,
      url: 'https://hf-mirror.com'
    });
    expect(checkSourceUrl('http://fileserver.lan/models///')).toEqual({
      ok: true,
      url: 'http://fileserver.lan/models'
    });
    expect(checkSourceUrl('http://10.0.0.5:8080')).toEqual({
      ok: true,
      url: 'http://10.0.0.5:8080'
    });
  });

  it('refuse script, file and other schemes, credentials, queries and non-URLs', () => {
    const problem = (text: string) => {
      const r = checkSourceUrl(text);
      return r.ok ? null : r.problem;
    };
    expect(problem('javascript:alert(1)')).toBe('scheme');
    expect(problem('JavaScript:alert(document.cookie)//https://x')).toBe('scheme');
    expect(problem('file:///srv/models')).toBe('scheme');
    expect(problem('ftp://files.lan/models')).toBe('scheme');
    expect(problem('data:text/html,<script>alert(1)</script>')).toBe('scheme');
    expect(problem('https://user:secret@hf-mirror.com')).toBe('credentials');
    expect(problem('https://token@hf-mirror.com')).toBe('credentials');
    expect(problem('https://hf-mirror.com/?x=1')).toBe('query');
    expect(problem('https://hf-mirror.com/#top')).toBe('query');
    expect(problem('hf-mirror.com')).toBe('invalid');
    expect(problem('   ')).toBe('missing');
    expect(problem(`https://x.example/${'a'.repeat(2000)}`)).toBe('long');
  });

  it('belong to the kinds that take one, and are required by a mirror and a LAN folder', () => {
    expect(checkModelSource({ kind: 'huggingface', url: 'https://x.example' })).toEqual({
      ok: true,
      setting: { kind: 'huggingface' }
    });
    expect(checkModelSource({ kind: 'modelscope', url: '' })).toEqual({
      ok: true,
      setting: { kind: 'modelscope' }
    });
    expect(checkModelSource({ kind: 'lan' })).toEqual({ ok: false, problem: 'missing' });
    expect(checkModelSource({ kind: 'hf-mirror', url: 'javascript:alert(1)' })).toEqual({
      ok: false,
      problem: 'scheme'
    });
  });

  it('are checked again when read back from storage or the wire', () => {
    expect(readModelSource({ kind: 'lan', url: 'http://files.lan/m/' })).toEqual({
      kind: 'lan',
      url: 'http://files.lan/m'
    });
    expect(readModelSource({ kind: 'lan', url: 'javascript:alert(1)' })).toBeNull();
    expect(readModelSource({ kind: 'dropbox' })).toBeNull();
    expect(readModelSource({ kind: 'lan', url: 42 })).toBeNull();
    expect(readModelSource('huggingface')).toBeNull();
    expect(readModelSource(null)).toBeNull();
  });
});
