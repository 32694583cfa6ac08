import type { MessageKey } from '../i18n/en';

/** The check-in moods: an emoji and its name (for screen readers and the teacher). */
export const MOODS: { emoji: string; key: MessageKey }[] = [
  { emoji: '🤩', key: 'mood.excited' },
  { emoji: '😄', key: 'mood.happy' },
  { emoji: '🙂', key: 'mood.ok' },
  { emoji: '😴', key: 'mood.tired' },
  { emoji: '😢', key: 'mood.sad' },
];

/** Today as `YYYY-MM-DD` in the tablet's own time zone (a check-in belongs to a school day). */
export function today(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}
