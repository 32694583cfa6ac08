import type { AppError } from '../api/client.svelte';
import { t } from '../i18n/index.svelte';

/** A failure in words a pupil understands, in the current language. */
export function errorText(e: AppError): string {
  return t(`error.${e.code}`, { detail: e.message });
}
