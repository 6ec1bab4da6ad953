/** `hearth pull MODEL`: streams /api/pull and draws a bar per layer. */
import type { ProgressResponse } from '#protocol/ollama/types';
import type { HearthClient } from '../client';
import { ProgressDisplay } from '../progress';

export async function pullModel(
  client: HearthClient,
  model: string,
  insecure = false
): Promise<void> {
  const progress = new ProgressDisplay();
  try {
    for await (const event of client.stream<ProgressResponse>('/api/pull', {
      model,
      insecure,
      stream: true
    })) {
      progress.event(event);
    }
  } finally {
    progress.stop();
  }
}
