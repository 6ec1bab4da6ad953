/**
 * How many messages one chat request may carry, and images one message (or a generate
 * request) may: far beyond any context window a model here has, yet small enough that a
 * hostile body cannot make the template and tokenizer walk millions of entries. Part of
 * the contract, so clients can know them; the OpenAI requests share them.
 */
export const MAX_MESSAGES = 10_000;
export const MAX_IMAGES = 64;

export const tooManyMessages = `at most ${MAX_MESSAGES} messages per request`;
export const tooManyImages = `at most ${MAX_IMAGES} images per message`;
