/**
 * Ollama chat messages → the OpenAI-style messages wllama hands to llama.cpp, which
 * renders them with the model's own chat template (tokenizer.chat_template).
 */
import type { Message } from '#protocol/ollama/types';

export type WllamaMessage =
  | { role: 'system' | 'user'; content: string }
  | { role: 'assistant'; content: string }
  | { role: 'tool'; content: string; tool_call_id: string };

export function wllamaMessages(messages: Message[]): WllamaMessage[] {
  return messages.map((m): WllamaMessage => {
    if (m.role === 'tool')
      return { role: 'tool', content: m.content, tool_call_id: m.tool_name ?? 'tool' };
    return { role: m.role, content: m.content };
  });
}
