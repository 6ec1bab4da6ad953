export * from './types';
export * from './stream';
export * from './duration';
export * from './names';
export type * from './openai';
export type * from './portal';
export * from './widget';
