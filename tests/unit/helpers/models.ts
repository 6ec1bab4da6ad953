/** The real model files, from the same place the server tests name them. */
export { SHARED_MODELS, STORIES, STORIES_DIGEST, STORIES_SHA256 } from '../../server/fixtures';
