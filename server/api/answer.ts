/**
 * Answers a generation request the same way for the Ollama (NDJSON) and OpenAI (SSE)
 * routes: one JSON object when the client asked for no stream, otherwise a stream whose
 * first event is awaited before the status line goes out, so a bad model or a full
 * queue still gets its 4xx/5xx.
 */
import type { FastifyReply } from 'fastify';
import { resume, sendStream } from '../runtime/http';
import type { GenerateEvent, GenerateJob, GenerateResult, Scheduler } from '../runtime/scheduler';

/** Shapes the wire objects of one API family from generation events. */
export interface Framer {
  chunk(text: string): object;
  /** The stream's last objects (OpenAI may add a usage-only chunk after the finish). */
  final(result: GenerateResult): object[];
  /** The single answer when the client asked for stream: false. */
  whole(text: string, result: GenerateResult): object;
}

/** How an API family writes stream lines. */
export interface StreamEncoding {
  contentType: string;
  line(value: object): string;
  /** The line that reports a failure once the status code can no longer change. */
  error(message: string): string;
  /** Written after the final objects (OpenAI's `data: [DONE]`). */
  trailer?: string;
}

export async function answerGeneration(
  scheduler: Scheduler,
  reply: FastifyReply,
  job: GenerateJob,
  stream: boolean,
  framer: Framer,
  encoding: StreamEncoding
): Promise<FastifyReply> {
  const events = scheduler.generate(job);
  const first = await events.next();
  if (!stream) {
    let text = '';
    for await (const event of resume(first, events)) {
      if (event.type === 'text') text += event.text;
      else return reply.send(framer.whole(text, event.result));
    }
    throw new Error('generation ended without a result');
  }
  async function* lines(): AsyncGenerator<string> {
    for await (const event of resume<GenerateEvent>(first, events)) {
      if (event.type === 'text') yield encoding.line(framer.chunk(event.text));
      else for (const value of framer.final(event.result)) yield encoding.line(value);
    }
    if (encoding.trailer !== undefined) yield encoding.trailer;
  }
  return sendStream(reply, encoding.contentType, lines(), encoding.error, job.signal);
}
