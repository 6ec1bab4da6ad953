/**
 * The words a model's download shows wherever it is shown (its row on the Models page,
 * the chat page's first-model offer): progress, and a failure that names the button to
 * press next.
 */
import type { DownloadProgress } from '$lib/downloads/progress';
import { tOr, type Translator } from '$lib/i18n/fallback';
import type { ModelState } from '$lib/models/types';
import { formatBytes, formatDuration } from '$lib/util/format';

export function progressText(t: Translator, progress: DownloadProgress | undefined): string {
  if (!progress) return t('models.progressStarting');
  const values = {
    bytes: formatBytes(progress.bytes),
    total: formatBytes(progress.total),
    speed: formatBytes(progress.speed),
    eta: progress.eta === null ? '—' : formatDuration(progress.eta)
  };
  return progress.total > 0
    ? t('models.progress', { values })
    : t('models.progressNoTotal', { values });
}

/** `action` is the button shown beside the message ("resume", "retry"…). */
export function failureText(
  t: Translator,
  state: ModelState | undefined,
  action: string
): string | null {
  if (!state?.error) return null;
  if (!state.errorKey) return state.error;
  return tOr(
    t,
    `models.errors.${state.errorKey}`,
    { ...state.errorParams, action: t(`models.actions.${action}`) },
    state.error
  );
}
