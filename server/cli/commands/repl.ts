/**
 * The interactive chat of `hearth run MODEL`: history kept here and sent whole to
 * /api/chat each turn, answers streamed as they come. Ctrl+C during an answer stops
 * that answer only; Ctrl+C on an empty prompt, Ctrl+D or /bye leaves. """ blocks make
 * one message of several lines (see multiline.ts).
 */
import readline from 'node:readline';
import type { ChatRequest, ChatResponse, Message } from '#protocol/ollama/types';
import type { HearthClient } from '../client';
import { formatMetrics, withPullHint } from './answers';
import { MultilineInput } from './multiline';

const HELP = `Available commands:
  /set system <text>   Set the system message
  /clear               Clear the conversation
  /bye                 Exit
  /?, /help            Show this help

Use """ to begin a multi-line message, and """ again to end it.
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

  const rl = readline.createInterface({
    input: process.stdin,
    output: process.stdout,
    prompt: '>>> '
  });
  const multiline = new MultilineInput();
  let isClosed = false;
  let saidBye = false;
  const closed = new Promise<void>((resolve) =>
    rl.once('close', () => {
      isClosed = true;
      // Ctrl+D leaves the cursor after the prompt; give the shell a fresh line.
      if (!saidBye) process.stdout.write('\n');
      resolve();
    })
  );
  const prompt = () => {
    if (isClosed) return;
    rl.setPrompt(multiline.open ? '... ' : '>>> ');
    rl.prompt();
  };

  rl.on('SIGINT', () => {
    if (answering) {
      answering.abort();
      return;
    }
    if (rl.line === '' && !multiline.open) {
      rl.close();
      return;
    }
    // Drop the half-typed line (and block), as a shell does.
    multiline.reset();
    process.stdout.write('^C\n');
    rl.setPrompt('>>> ');
    // Ctrl+U clears the buffer and redraws the prompt; an empty buffer has nothing to redraw.
    if (rl.line === '') rl.prompt();
    else rl.write(null, { ctrl: true, name: 'u' });
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
        saidBye = true;
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

  /** Handles one typed line; false once the chat is over. */
  async function handle(input: string): Promise<boolean> {
    const entry = multiline.push(input);
    if (entry.kind === 'pending' || entry.text.trim() === '') return true;
    if (entry.kind === 'line' && entry.text.startsWith('/')) return command(entry.text);
    await answer(entry.text);
    return true;
  }

  // Lines are handled one at a time; input typed during an answer waits its turn.
  let queue = Promise.resolve();
  let waiting = 0;
  rl.on('line', (input) => {
    waiting += 1;
    queue = queue.then(async () => {
      const goOn = !isClosed && (await handle(input));
      waiting -= 1;
      // Pasted or typed-ahead lines were echoed already: one prompt after the last.
      if (goOn && waiting === 0) prompt();
    });
  });

  rl.prompt();
  await closed;
  answering?.abort();
}
