/**
 * OpenAI-compatible wire types (the subset Hearth serves under /v1). Declared here,
 * beside the Ollama types, so the server and any browser client share them.
 */

export interface OAIToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
  index?: number;
}

export interface OAIMessage {
  role: 'system' | 'user' | 'assistant' | 'tool' | 'developer';
  content: string | null | Array<{ type: string; text?: string; image_url?: { url: string } }>;
  name?: string;
  tool_calls?: OAIToolCall[];
  tool_call_id?: string;
}

export interface OAIChatRequest {
  model: string;
  messages: OAIMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  max_tokens?: number;
  max_completion_tokens?: number;
  temperature?: number;
  top_p?: number;
  seed?: number;
  stop?: string | string[];
  frequency_penalty?: number;
  presence_penalty?: number;
  tools?: Array<{
    type: 'function';
    function: { name: string; description?: string; parameters?: Record<string, unknown> };
  }>;
  tool_choice?: unknown;
  response_format?: {
    type: 'text' | 'json_object' | 'json_schema';
    json_schema?: { name?: string; schema?: Record<string, unknown>; strict?: boolean };
  };
  user?: string;
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

export interface OAICompletionRequest {
  model: string;
  prompt: string | string[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
  seed?: number;
  stop?: string | string[];
  frequency_penalty?: number;
  presence_penalty?: number;
  suffix?: string;
  echo?: boolean;
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

export interface OAIEmbeddingRequest {
  model: string;
  input: string | string[];
  encoding_format?: 'float' | 'base64';
  dimensions?: number;
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
