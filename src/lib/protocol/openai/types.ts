/**
 * OpenAI-compatible wire types (the subset Hearth serves under /v1). Declared here,
 * beside the Ollama types, so the server and any browser client share them. Request
 * types are derived from the server's schemas (./requests) and re-exported here;
 * responses are plain interfaces.
 */
export type {
  OAIChatRequest,
  OAICompletionRequest,
  OAIEmbeddingRequest,
  OAIMessage
} from './requests';

export interface OAIToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
  index?: number;
}

export interface OAIUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface OAIChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  system_fingerprint: string;
  choices: Array<{
    index: number;
    message: { role: 'assistant'; content: string | null; tool_calls?: OAIToolCall[] };
    finish_reason: 'stop' | 'length' | 'tool_calls' | null;
  }>;
  usage: OAIUsage;
}

export interface OAIChatChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  system_fingerprint: string;
  choices: Array<{
    index: number;
    delta: { role?: 'assistant'; content?: string; tool_calls?: OAIToolCall[] };
    finish_reason: 'stop' | 'length' | 'tool_calls' | null;
  }>;
  usage?: OAIUsage | null;
}

export interface OAICompletion {
  id: string;
  object: 'text_completion';
  created: number;
  model: string;
  system_fingerprint: string;
  choices: Array<{
    text: string;
    index: number;
    logprobs: null;
    finish_reason: 'stop' | 'length' | null;
  }>;
  usage?: OAIUsage | null;
}

export interface OAIEmbeddingResponse {
  object: 'list';
  data: Array<{ object: 'embedding'; embedding: number[] | string; index: number }>;
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}

export interface OAIModel {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

export interface OAIModelList {
  object: 'list';
  data: OAIModel[];
}

export interface OAIError {
  error: { message: string; type: string; param: string | null; code: string | null };
}
