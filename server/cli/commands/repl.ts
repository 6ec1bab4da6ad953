/**
 * The interactive chat of `hearth run MODEL`: history kept here and sent whole to
 * /api/chat each turn, answers streamed as they come. Ctrl+C during an answer stops
 * that answer only; Ctrl+C on an empty prompt, Ctrl+D or /bye leaves.
 */
import readline from 'node:readline';
import type { ChatRequest, ChatResponse, Message } from '../../../src/lib/ollama/types';
import type { HearthClient } from '../client';
import { formatMetrics, withPullHint } from './answers';

const HELP = `Available commands:
  /set system <text>   Set the system message
  /clear               Clear the conversation
  /bye                 Exit
  /?, /help            Show this help

Ctrl+C stops an answer; Ctrl+C on an empty line or Ctrl+D exits.
`;

export interface ReplOptions extends Partial<ChatRequest> {
  verbose?: boolean;
}

export async function chatRepl(
  client: HearthClient,
  model: string,
  options: ReplOptions
): Promise<void> {
  const { verbose, ...extras } = options;
  const history: Message[] = [];
  let system: string | undefined;
  let answering: AbortController | undefined;

  // Fail before the first prompt when the model does not exist.
  try {
    await client.json('POST', '/api/show', { model });
  } catch (error) {
    throw withPullHint(error, model);
  }

  const rl = readline.createInterface({
    input: process.stdin,
    output: process.stdout,
    prompt: '>>> '
  });
  let isClosed = false;
  const closed = new Promise<void>((resolve) =>
    rl.once('close', () => {
      isClosed = true;
      resolve();
    })
  );
  const prompt = () => {
    if (!isClosed) rl.prompt();
  };

  rl.on('SIGINT', () => {
    if (answering) {
      answering.abort();
      return;
    }
    if (rl.line === '') {
      rl.close();
      return;
    }
    // Drop the half-typed line, as a shell does.
    process.stdout.write('^C\n');
    // Ctrl+U clears the buffer and redraws the prompt.
    rl.write(null, { ctrl: true, name: 'u' });
  });

  async function answer(text: string): Promise<void> {
    const turn: Message = { role: 'user', content: text };
    const messages = [
      ...(system ? [{ role: 'system' as const, content: system }] : []),
      ...history,
      turn
    ];
    const request: ChatRequest = { ...extras, model, messages, stream: true };
    answering = new AbortController();
    let reply = '';
    let last: ChatResponse | undefined;
    try {
      for await (const chunk of client.stream<ChatResponse>(
        '/api/chat',
        request,
        answering.signal
      )) {
        const piece = chunk.message?.content ?? '';
        if (piece) {
          // Skip the model's leading blank lines so the answer starts under the prompt.
          const shown = reply === '' ? piece.replace(/^\n+/, '') : piece;
          process.stdout.write(shown);
          reply += piece;
        }
        last = chunk;
      }
      history.push(turn, { role: 'assistant', content: reply });
      process.stdout.write(reply.endsWith('\n') ? '\n' : '\n\n');
      if (verbose && last) process.stdout.write(`${formatMetrics(last)}\n\n`);
    } catch (error) {
      process.stdout.write('\n');
      // An aborted answer is forgotten, so the next question is not asked in its shadow.
      if (!answering.signal.aborted)
        process.stdout.write(`Error: ${(withPullHint(error, model) as Error).message}\n\n`);
    } finally {
      answering = undefined;
    }
  }

  function command(line: string): boolean {
    const [name, ...rest] = line.split(/\s+/);
    switch (name) {
      case '/bye':
      case '/exit':
        rl.close();
        return false;
      case '/clear':
        history.length = 0;
        process.stdout.write('Cleared session context\n');
        return true;
      case '/?':
      case '/help':
        process.stdout.write(HELP);
        return true;
      case '/set':
        if (rest[0] === 'system' && rest.length > 1) {
          system = line.replace(/^\/set\s+system\s+/, '');
          process.stdout.write('Set system message.\n');
        } else {
          process.stdout.write('Usage: /set system <text>\n');
        }
        return true;
      default:
        process.stdout.write(`Unknown command '${name}'. Type /? for help\n`);
        return true;
    }
  }

  // Lines are handled one at a time; input typed during an answer waits its turn.
  let queue = Promise.resolve();
  rl.on('line', (input) => {
    queue = queue.then(async () => {
      const line = input.trim();
      if (isClosed) return;
      if (line === '') return prompt();
      if (line.startsWith('/')) {
        if (command(line)) prompt();
        return;
      }
      await answer(line);
      prompt();
    });
  });

  rl.prompt();
  await closed;
  answering?.abort();
}
