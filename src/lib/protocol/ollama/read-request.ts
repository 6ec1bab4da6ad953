/**
 * A request's loose fields read into the shapes the server's schemas give them, for the
 * browser engines, which answer the same requests in the page without zod (see
 * ./options-schema for why zod stays out of it). A request may say "not set" with null,
 * send one stop string, or leave a message's content out; the server's parse settles
 * each of these, and so do these readers.
 */
import { optionKind, type Options } from './options';
import type { RequestOptions } from './options-schema';
import type { EmbedRequest, Message, RequestMessage } from './requests';

/** Nulls dropped, a stop string made a list of one, unknown names dropped. */
export function readOptions(options: RequestOptions): Options | undefined {
  if (!options) return undefined;
  const read: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(options)) {
    if (value == null || !optionKind(name)) continue;
    read[name] = typeof value === 'string' ? [value] : value;
  }
  return read as Options;
}

/** Absent or null content reads as "", and a tool call without arguments has none. */
export function readMessages(messages: RequestMessage[] | null | undefined): Message[] {
  return (messages ?? []).map(({ content, tool_calls, ...rest }) => ({
    ...rest,
    content: content ?? '',
    ...(tool_calls && {
      tool_calls: tool_calls.map((call) => ({
        function: { ...call.function, arguments: call.function.arguments ?? {} }
      }))
    })
  }));
}

/** The texts to embed: none, one, or the list given. */
export function readEmbedInput(input: EmbedRequest['input']): string[] {
  if (input === undefined || input === null) return [];
  return typeof input === 'string' ? [input] : input;
}
