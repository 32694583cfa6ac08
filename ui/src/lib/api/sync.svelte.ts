// This tablet's sync status, looked at every 3 s while the app runs: the header's
// badge and the storage warning read it.
import { api } from './client.svelte';
import type { SyncView } from './bindings';
import { t } from '../i18n/index.svelte';

export const sync = $state<{ status: SyncView | null; now: number }>({ status: null, now: 0 });

let timer: ReturnType<typeof setInterval> | undefined;

export async function refreshSync() {
  try {
    sync.status = await api.syncStatus();
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

/** "just now" or "N min ago" for a time (ms since the epoch), as of the last look. */
export function ago(at: number): string {
  const minutes = Math.floor(((sync.now || Date.now()) - at) / 60000);
  return minutes < 1 ? t('sync.justNow') : t('sync.minutesAgo', { count: minutes });
}
