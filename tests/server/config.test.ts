import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { defaultThreads, loadConfig, parseHost } from '../../server/config';

describe('parseHost', () => {
  it.each([
    [undefined, '127.0.0.1', 11434],
    ['', '127.0.0.1', 11434],
    ['0.0.0.0', '0.0.0.0', 11434],
    [':8080', '127.0.0.1', 8080],
    ['example.lan:9000', 'example.lan', 9000],
    ['http://10.0.0.5:1234', '10.0.0.5', 1234],
    ['https://host.example/some/path', 'host.example', 11434],
    ['[::1]:5000', '::1', 5000],
    ['[::]', '::', 11434],
    ['::1', '::1', 11434],
    ['localhost:0', 'localhost', 0]
  ])('%s → %s:%d', (input, host, port) => {
    expect(parseHost(input)).toEqual({ host, port });
  });

  it.each(['127.0.0.1:99999', 'host:abc', 'host:-1', '[::1]:70000'])(
    'rejects %s with a clear error',
    (input) => {
      expect(() => parseHost(input)).toThrow(/invalid port/);
    }
  );
});

describe('loadConfig', () => {
  it('uses safe defaults: loopback, Ollama port, one thread on small machines', () => {
    const config = loadConfig({});
    expect(config.host).toBe('127.0.0.1');
    expect(config.port).toBe(11434);
    expect(config.numParallel).toBe(1);
    expect(config.origins).toEqual([]);
    expect(path.isAbsolute(config.modelsDir)).toBe(true);
    expect(path.isAbsolute(config.appDir)).toBe(true);
  });

  it('prefers HEARTH_* over OLLAMA_* and falls back to OLLAMA_*', () => {
    const both = loadConfig({
      HEARTH_HOST: '127.0.0.1:1111',
      OLLAMA_HOST: '0.0.0.0:2222',
      HEARTH_MODELS: '/tmp/hearth-a',
      OLLAMA_MODELS: '/tmp/ollama-b',
      HEARTH_THREADS: '3',
      OLLAMA_NUM_THREAD: '5'
    });
    expect([both.host, both.port, both.modelsDir, both.threads]).toEqual([
      '127.0.0.1',
      1111,
      path.resolve('/tmp/hearth-a'),
      3
    ]);
    const ollamaOnly = loadConfig({
      OLLAMA_HOST: '0.0.0.0:2222',
      OLLAMA_MODELS: '/tmp/ollama-b',
      OLLAMA_NUM_THREAD: '5'
    });
    expect([ollamaOnly.host, ollamaOnly.port, ollamaOnly.modelsDir, ollamaOnly.threads]).toEqual([
      '0.0.0.0',
      2222,
      path.resolve('/tmp/ollama-b'),
      5
    ]);
  });

  it('treats blank values as unset', () => {
    const config = loadConfig({ HEARTH_HOST: '  ', OLLAMA_HOST: ':7000' });
    expect(config.port).toBe(7000);
  });

  it('reads Ollama tuning variables', () => {
    const config = loadConfig({
      OLLAMA_NUM_PARALLEL: '4',
      OLLAMA_MAX_LOADED_MODELS: '2',
      OLLAMA_MAX_QUEUE: '10',
      OLLAMA_KEEP_ALIVE: '1m30s',
      OLLAMA_CONTEXT_LENGTH: '2048',
      OLLAMA_ORIGINS: 'https://chat.example.com, chrome-extension://* ,'
    });
    expect(config.numParallel).toBe(4);
    expect(config.maxLoadedModels).toBe(2);
    expect(config.maxQueue).toBe(10);
    expect(config.keepAliveMs).toBe(90_000);
    expect(config.contextLength).toBe(2048);
    expect(config.origins).toEqual(['https://chat.example.com', 'chrome-extension://*']);
  });

  it('keep_alive of -1 means forever', () => {
    expect(loadConfig({ OLLAMA_KEEP_ALIVE: '-1' }).keepAliveMs).toBe(Infinity);
  });

  it.each([
    ['OLLAMA_NUM_PARALLEL', 'two', /OLLAMA_NUM_PARALLEL must be a non-negative integer, got "two"/],
    ['OLLAMA_MAX_QUEUE', '-3', /OLLAMA_MAX_QUEUE must be a non-negative integer/],
    ['HEARTH_THREADS', '1.5', /HEARTH_THREADS must be a non-negative integer/],
    ['OLLAMA_KEEP_ALIVE', '5 minutes', /invalid duration "5 minutes"/],
    ['HEARTH_HOST', 'localhost:port', /invalid port in "localhost:port"/]
  ])('%s=%s fails with a clear message', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });
});

describe('defaultThreads', () => {
  it('uses one thread on two cores and leaves a core free on bigger machines', () => {
    expect(defaultThreads(1)).toBe(1);
    expect(defaultThreads(2)).toBe(1);
    expect(defaultThreads(4)).toBe(3);
    expect(defaultThreads(8)).toBe(7);
    expect(defaultThreads(64)).toBe(16);
  });
});
