/**
 * MLC weights live in web-llm's own cache (cacheBackend 'indexeddb', as the WebGPU engine
 * configures it), not in Hearth's chunk store: ask web-llm whether a model is there.
 */
async function appConfig() {
  const webllm = await import('@mlc-ai/web-llm');
  return { webllm, config: { ...webllm.prebuiltAppConfig, cacheBackend: 'indexeddb' as const } };
}

/** Ids of the given MLC models that web-llm has fully cached. */
export async function cachedMlcModels(ids: string[]): Promise<Set<string>> {
  const { webllm, config } = await appConfig();
  const cached = await Promise.all(
    ids.map((id) => webllm.hasModelInCache(id, config).catch(() => false))
  );
  return new Set(ids.filter((_, i) => cached[i]));
}

export async function deleteMlcModel(id: string): Promise<void> {
  const { webllm, config } = await appConfig();
  await webllm.deleteModelAllInfoInCache(id, config);
}
