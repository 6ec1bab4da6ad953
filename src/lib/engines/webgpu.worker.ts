/// <reference lib="webworker" />
/**
 * Hosts web-llm's MLCEngine off the UI thread. The page talks to it through
 * CreateWebWorkerMLCEngine (webgpu.ts); web-llm's handler owns the message protocol.
 */
import { WebWorkerMLCEngineHandler } from '@mlc-ai/web-llm';

const handler = new WebWorkerMLCEngineHandler();
self.onmessage = (event: MessageEvent) => handler.onmessage(event);
