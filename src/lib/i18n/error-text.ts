/**
 * A failure as the person reading the page should see it: a Hearth refusal with a code is
 * translated into the current language (its values filled in), an unreachable server is
 * said so in that language, and anything else keeps its own message.
 */
import { get } from 'svelte/store';
import { t } from 'svelte-i18n';
import { ApiError, UnreachableError } from '#protocol/client';
import { messageOf } from '../util/format';
import { tOr, type Translator } from './fallback';

export function errorText(error: unknown): string {
  const translate = get(t) as Translator;
  if (error instanceof ApiError && error.detail)
    return tOr(translate, `errors.${error.detail.code}`, error.detail.params, error.message);
  if (error instanceof UnreachableError)
    return tOr(translate, 'errors.unreachable', { url: error.url }, error.message);
  return messageOf(error);
}
