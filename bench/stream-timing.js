// One streamed generation, timed from the client's side, against Hearth's /api/generate
// (NDJSON) or llama-server's /completion (SSE): the same prompt text, greedy, the same
// token limit, so the two figures compare like for like.

/** Yields the complete lines of a streamed response body. */
async function* lines(body) {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const bytes of body) {
    buffer += decoder.decode(bytes, { stream: true });
    let newline;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (line) yield line;
    }
  }
}

function timing(started, firstAt, endedAt, promptCount, evalCount) {
  return {
    started,
    firstAt,
    endedAt,
    ttftMs: firstAt - started,
    promptCount,
    evalCount,
    prefillTps: promptCount / ((firstAt - started) / 1000),
    decodeTps: (evalCount - 1) / ((endedAt - firstAt) / 1000)
  };
}

async function post(url, body) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body)
  });
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return response;
}

/**
 * Reads a streamed answer: `parse` turns a line into a chunk (or undefined to skip it),
 * `isFinal` tells the closing chunk; returns when the first token came, the chunk count
 * and the closing chunk.
 */
export async function readStream(response, parse, isFinal) {
  let firstAt;
  let chunks = 0;
  let final;
  for await (const line of lines(response.body)) {
    const chunk = parse(line);
    if (!chunk) continue;
    if (isFinal(chunk)) final = chunk;
    else {
      chunks++;
      firstAt ??= performance.now();
    }
  }
  return { firstAt, chunks, final };
}

/** Hearth: /api/generate, raw prompt, streamed. */
export async function timedHearth(baseUrl, { model, prompt, tokens, numCtx }) {
  const started = performance.now();
  const response = await post(`${baseUrl}/api/generate`, {
    model,
    prompt,
    raw: true,
    stream: true,
    options: { num_predict: tokens, temperature: 0, num_ctx: numCtx }
  });
  const { firstAt, chunks, final } = await readStream(
    response,
    (line) => {
      const chunk = JSON.parse(line);
      if (chunk.error) throw new Error(chunk.error);
      return chunk;
    },
    (chunk) => chunk.done
  );
  const promptCount = final?.prompt_eval_count ?? 0;
  return timing(started, firstAt, performance.now(), promptCount, final?.eval_count ?? chunks);
}

/** llama.cpp's server: /completion, streamed; its prompt cache is off so prefill is measured. */
export async function timedLlamaServer(baseUrl, { prompt, tokens }) {
  const started = performance.now();
  const response = await post(`${baseUrl}/completion`, {
    prompt,
    n_predict: tokens,
    temperature: 0,
    stream: true,
    cache_prompt: false
  });
  const { firstAt, chunks, final } = await readStream(
    response,
    (line) => (line.startsWith('data:') ? JSON.parse(line.slice(5)) : undefined),
    (chunk) => chunk.stop
  );
  const promptCount = final?.timings?.prompt_n ?? final?.tokens_evaluated ?? 0;
  const evalCount = final?.timings?.predicted_n ?? chunks;
  return timing(started, firstAt, performance.now(), promptCount, evalCount);
}

/** Median by a key (the middle run of an odd count; rounds out one-off stalls). */
export function median(runs, key) {
  const sorted = runs.map((r) => r[key]).sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
