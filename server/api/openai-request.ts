/**
 * OpenAI request bodies for /v1, once checked by the schemas in #protocol/openai/requests,
 * translated into the scheduler's Ollama-shaped jobs: sampling fields become Options,
 * content parts and tool calls become Messages, response_format becomes a Format.
 */
import type { Format, Message, Options } from '#protocol/ollama/types';
import type { ParsedOAIChatRequest, ParsedSampling } from '#protocol/openai/requests';
import { badRequest, quoteInput } from '../errors';

export function toOptions(body: ParsedSampling, maxTokens?: number | null): Options {
  const options: Options = {};
  if (body.temperature != null) options.temperature = body.temperature;
  if (body.top_p != null) options.top_p = body.top_p;
  if (body.seed != null) options.seed = body.seed;
  if (body.stop) options.stop = body.stop;
  if (body.frequency_penalty != null) options.frequency_penalty = body.frequency_penalty;
  if (body.presence_penalty != null) options.presence_penalty = body.presence_penalty;
  const limit = maxTokens ?? body.max_tokens;
  if (limit != null) options.num_predict = limit;
  return options;
}

export function toMessages(messages: ParsedOAIChatRequest['messages']): Message[] {
  return messages.map((m) => {
    let content = '';
    if (typeof m.content === 'string') content = m.content;
    else if (Array.isArray(m.content)) {
      for (const part of m.content) {
        if (part.type === 'text') content += part.text ?? '';
        else if (part.type === 'image_url')
          throw badRequest(`image input is not supported by this model`);
        else throw badRequest(`unsupported content part type ${quoteInput(part.type)}`);
      }
    }
    const message: Message = { role: m.role === 'developer' ? 'system' : m.role, content };
    if (m.tool_calls?.length) {
      message.tool_calls = m.tool_calls.map((call) => {
        let args: unknown;
        try {
          args = JSON.parse(call.function.arguments || '{}');
        } catch {
          throw badRequest(
            `tool call arguments for ${quoteInput(call.function.name)} are not valid JSON`
          );
        }
        return {
          function: { name: call.function.name, arguments: args as Record<string, unknown> }
        };
      });
    }
    if (m.role === 'tool' && m.name) message.tool_name = m.name;
    return message;
  });
}

export function toFormat(format: ParsedOAIChatRequest['response_format']): Format | undefined {
  if (!format || format.type === 'text') return undefined;
  if (format.type === 'json_object') return 'json';
  if (!format.json_schema?.schema)
    throw badRequest('response_format.json_schema.schema is required');
  return format.json_schema.schema;
}
