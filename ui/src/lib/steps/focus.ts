// The item a pupil just added: its field takes the focus when it appears after the save.
// Plain, not reactive state: it is read once, while the new field is being created.
let justAdded: string | null = null;

export function added(id: string): string {
  justAdded = id;
  return id;
}

/** Whether the field of `id` should take focus now (once). */
export function takeFocus(id: string): boolean {
  if (justAdded !== id) return false;
  justAdded = null;
  return true;
}
