// This tablet's sync status, looked at every few seconds while the app runs: the header's
// badge and the storage warning read it.
import { api } from './client.svelte';
import type { SyncView } from './bindings';

export const sync = $state<{ status: SyncView | null; now: number }>({ status: null, now: 0 });

let timer: ReturnType<typeof setInterval> | undefined;

async function refresh() {
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
    refresh();
    timer = setInterval(refresh, 5000);
  }
  return () => {
    clearInterval(timer);
    timer = undefined;
  };
}
