/**
 * Ollama's options, declared once. The API's `options`, Modelfile PARAMETER lines, the
 * create API's `parameters` and the app's saved conversation settings all follow this
 * table, as one Options struct serves all of them in Ollama's api/types.go; the type and
 * the validators (./options-schema) are derived from it, so they cannot drift apart.
 */
/** How each option is typed ("count": an integer of at least 0). */
export const OPTION_KINDS = {
  num_keep: 'int',
  seed: 'int',
  num_predict: 'int',
  top_k: 'int',
  repeat_last_n: 'int',
  mirostat: 'int',
  num_ctx: 'count',
  num_batch: 'int',
  num_gpu: 'int',
  main_gpu: 'int',
  num_thread: 'count',
  top_p: 'float',
  min_p: 'float',
  typical_p: 'float',
  temperature: 'float',
  repeat_penalty: 'float',
  presence_penalty: 'float',
  frequency_penalty: 'float',
  mirostat_tau: 'float',
  mirostat_eta: 'float',
  tfs_z: 'float',
  penalize_newline: 'bool',
  use_mmap: 'bool',
  use_mlock: 'bool',
  numa: 'bool',
  low_vram: 'bool',
  f16_kv: 'bool',
  vocab_only: 'bool',
  stop: 'strings'
} as const;

export type OptionName = keyof typeof OPTION_KINDS;
export type OptionKind = (typeof OPTION_KINDS)[OptionName];

interface KindValue {
  int: number;
  count: number;
  float: number;
  bool: boolean;
  strings: string[];
}

export type Options = { [K in OptionName]?: KindValue[(typeof OPTION_KINDS)[K]] };

/** The options whose values are numbers. */
export type NumericOptionName = {
  [K in OptionName]: KindValue[(typeof OPTION_KINDS)[K]] extends number ? K : never;
}[OptionName];

export function optionKind(name: string): OptionKind | undefined {
  return Object.hasOwn(OPTION_KINDS, name) ? OPTION_KINDS[name as OptionName] : undefined;
}
