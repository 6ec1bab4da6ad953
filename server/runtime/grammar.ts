/**
 * `format` → a llama.cpp grammar: "json" uses node-llama-cpp's JSON grammar, an object
 * is taken as a JSON schema. Schemas outside what node-llama-cpp can compile are a 400.
 */
import type { GbnfJsonSchema, Llama, LlamaGrammar } from 'node-llama-cpp';
import type { Format } from '#protocol/ollama/types';
import { InvalidInputError } from '../domain-errors';

const jsonGrammars = new WeakMap<Llama, Promise<LlamaGrammar>>();
const schemaGrammars = new WeakMap<Llama, Map<string, Promise<LlamaGrammar>>>();

export async function grammarFor(
  llama: Llama,
  format: Format | undefined
): Promise<LlamaGrammar | undefined> {
  if (format === undefined || format === null || (format as unknown) === '') return undefined;
  if (format === 'json') {
    let grammar = jsonGrammars.get(llama);
    if (!grammar) {
      grammar = llama.getGrammarFor('json');
      jsonGrammars.set(llama, grammar);
    }
    return grammar;
  }
  if (typeof format !== 'object' || Array.isArray(format)) {
    throw new InvalidInputError(`invalid format: expected "json" or a JSON schema object`);
  }
  let cache = schemaGrammars.get(llama);
  if (!cache) schemaGrammars.set(llama, (cache = new Map()));
  const key = JSON.stringify(format);
  let grammar = cache.get(key);
  if (!grammar) {
    grammar = llama
      .createGrammarForJsonSchema(
        format as never as GbnfJsonSchema<Record<string, never>> & { const: string }
      )
      .catch((error: unknown) => {
        cache.delete(key);
        throw new InvalidInputError(
          `invalid JSON schema in format: ${error instanceof Error ? error.message : String(error)}`
        );
      });
    if (cache.size > 100) cache.clear();
    cache.set(key, grammar);
  }
  try {
    return await grammar;
  } catch (error) {
    throw error instanceof Error ? error : new InvalidInputError(String(error));
  }
}
