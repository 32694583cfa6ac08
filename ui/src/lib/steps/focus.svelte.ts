// The item a pupil just added: its field takes the focus when it appears after the save.
export const justAdded = $state<{ id: string | null }>({ id: null });

export function added(id: string): string {
  justAdded.id = id;
  return id;
}

/** Whether the field of `id` should take focus now (once). */
export function takeFocus(id: string): boolean {
  if (justAdded.id !== id) return false;
  justAdded.id = null;
  return true;
}
