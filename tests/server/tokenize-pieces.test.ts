/**
 * Tokenizing in pieces must give exactly the tokens of one call, on real vocabularies:
 * stories260K (SentencePiece with byte fallback and a leading-space rule) and synth15M.
 * Pieces are made tiny here so that every text is cut many times.
 */
import fc from 'fast-check';
import path from 'node:path';
import {
  getLlama,
  LlamaText,
  SpecialToken,
  SpecialTokensText,
  type Llama,
  type LlamaModel
} from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keepTail, tokenizeInPieces, tokenizeLlamaText } from '../../server/runtime/tokenize';
import { SHARED_MODELS, STORIES } from './fixtures';

const SYNTH15M = path.join(SHARED_MODELS, 'synth15M-q8_0.gguf');

/** Text drawn from what breaks tokenizers: runs with no spaces, emoji, CJK, space runs. */
const fragment = fc.oneof(
  fc.constantFrom(
    'Once upon a time',
    ' there was a little girl',
    '\n',
    '\n\n',
    '    ',
    ' ',
    '😀',
    '👩‍👩‍👧',
    '中文字符测试',
    'ö',
    '<s>',
    '</s>',
    '<|im_start|>',
    '...',
    'https://example.com/a?b=c'
  ),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 6 })
);
const texts = fc.array(fragment, { minLength: 1, maxLength: 60 }).map((parts) => parts.join(''));

describe.each([
  ['stories260K', STORIES],
  ['synth15M', SYNTH15M]
])('tokenizing in pieces (%s)', (_name, file) => {
  let llama: Llama;
  let model: LlamaModel;
  beforeAll(async () => {
    llama = await getLlama({ gpu: false });
    model = await llama.loadModel({ modelPath: file, vocabOnly: true });
  });
  afterAll(async () => model?.dispose());

  it('gives the tokens of one call for any text, special tokens parsed or not', async () => {
    await fc.assert(
      fc.asyncProperty(
        texts,
        fc.boolean(),
        fc.integer({ min: 8, max: 96 }),
        async (text, special, pieceChars) => {
          const whole = model.tokenize(text, special);
          const pieces = await tokenizeInPieces(model.tokenizer, text, { special, pieceChars });
          expect(pieces).toEqual(whole);
        }
      ),
      { numRuns: 300 }
    );
  });

  it('keeps the leading-space option on the first piece only', async () => {
    const text = 'Once upon a time there was a girl.\n'.repeat(40);
    const whole = model.tokenize(text, false, 'trimLeadingSpace');
    const pieces = await tokenizeInPieces(model.tokenizer, text, {
      special: false,
      option: 'trimLeadingSpace',
      pieceChars: 64
    });
    expect(pieces).toEqual(whole);
  });

  it('tokenizes a chat wrapper text (special parts, leading spaces) as LlamaText does', async () => {
    const story = 'Once upon a time 中文 😀 there was a girl.\n'.repeat(30);
    const chat = LlamaText([
      new SpecialToken('BOS'),
      new SpecialTokensText('<s>[INST] '),
      story,
      new SpecialTokensText(' [/INST]'),
      ' Sure',
      new SpecialToken('EOS')
    ]);
    const whole = chat.tokenize(model.tokenizer);
    expect(await tokenizeLlamaText(chat, model.tokenizer, 1_000_000)).toEqual(whole);
    // Within a budget the newest text is kept whole and the oldest is left out.
    const kept = await tokenizeLlamaText(chat, model.tokenizer, 200);
    expect(kept.length).toBeLessThan(whole.length / 4);
    expect(whole.slice(-20)).toEqual(kept.slice(-20));
    expect(kept[0]).toBe(whole[0]);
  });

  it('cuts a long run with no spaces, lets other work run between pieces, and stays exact', async () => {
    const text = '中文字符测试😀'.repeat(3_000);
    let turns = 0;
    const ticker = setInterval(() => (turns += 1), 0);
    const pieces = await tokenizeInPieces(model.tokenizer, text, { special: false });
    clearInterval(ticker);
    expect(turns).toBeGreaterThan(2);
    expect(pieces).toEqual(model.tokenize(text, false));
  });
});

describe('keepTail', () => {
  it('keeps the end and never starts inside a surrogate pair', () => {
    expect(keepTail('abcdef', 3)).toBe('def');
    expect(keepTail('abc', 10)).toBe('abc');
    expect(keepTail('a😀b', 2)).toBe('b');
    expect(keepTail('a😀b', 3)).toBe('😀b');
  });
});
