// This tablet's sync status, looked at every 3 s while the app runs: the header's
// badge and the storage warning read it.
import { api } from './client.svelte';
import type { SyncView } from './bindings';
import { i18n, t } from '../i18n/index.svelte';
import { ago as relativeTime } from '../i18n/format';

export const sync = $state<{ status: SyncView | null; now: number }>({ status: null, now: 0 });

let timer: ReturnType<typeof setInterval> | undefined;

/** Set (for the start screen) when this tablet deleted its class at the end of the term. */
export const LEFT_CLASS = 'hugme.left-class';

export async function refreshSync() {
  try {
    sync.status = await api.syncStatus();
    if (sync.status.left_class) {
      // The term ended and this tablet deleted the class: start afresh, and say why.
      sessionStorage.setItem(LEFT_CLASS, '1');
      location.reload();
    }
  } catch {
    // A hint only: a failed look keeps the last status.
  }
  sync.now = Date.now();
}

/** Starts looking (once); returns how to stop. */
export function watchSync(): () => void {
  if (timer === undefined) {
    refreshSync();
    timer = setInterval(refreshSync, 3000);
  }
  return () => {
    clearInterval(timer);
    timer = undefined;
  };
}

/** "just now" or "5 minutes ago" (in the UI's language) for a time (ms since the epoch), as
 *  of the last look. */
export function ago(at: number): string {
  const elapsed = (sync.now || Date.now()) - at;
  return elapsed < 60000 ? t('sync.justNow') : relativeTime(elapsed, i18n.locale);
}
