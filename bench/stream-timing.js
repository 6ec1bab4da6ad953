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
  let firstAt;
  let chunks = 0;
  let final;
  for await (const line of lines(response.body)) {
    const chunk = JSON.parse(line);
    if (chunk.error) throw new Error(chunk.error);
    if (chunk.done) final = chunk;
    else {
      chunks++;
      firstAt ??= performance.now();
    }
  }
  return timing(
    started,
    firstAt,
    performance.now(),
    final?.prompt_eval_count ?? 0,
    final?.eval_count ?? chunks
  );
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
  let firstAt;
  let chunks = 0;
  let final;
  for await (const line of lines(response.body)) {
    if (!line.startsWith('data:')) continue;
    const chunk = JSON.parse(line.slice(5));
    if (chunk.stop) final = chunk;
    else {
      chunks++;
      firstAt ??= performance.now();
    }
  }
  return timing(
    started,
    firstAt,
    performance.now(),
    final?.timings?.prompt_n ?? final?.tokens_evaluated ?? 0,
    final?.timings?.predicted_n ?? chunks
  );
}

/** Median by a key (the middle run of an odd count; rounds out one-off stalls). */
export function median(runs, key) {
  const sorted = runs.map((r) => r[key]).sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
