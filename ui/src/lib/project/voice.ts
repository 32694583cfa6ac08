// The name of the text field a spoken answer answers, as the pupils' screens label it.
import type { ProjectView } from '../api/bindings';
import { t } from '../i18n/index.svelte';

/** `phenomenon.title` → "Our phenomenon"; `question.<id>.notes` → "Question 2 · Notes". */
export function voiceLabel(project: ProjectView, field: string): string {
  const simple: Record<string, () => string> = {
    'phenomenon.title': () => t('phenomenon.title'),
    'phenomenon.why': () => t('phenomenon.why'),
    'sharing.presentation': () => t('sharing.presentation'),
    'reflection.learned': () => t('sharing.learned'),
    'reflection.went_well': () => t('sharing.wentWell'),
    'reflection.do_differently': () => t('sharing.doDifferently'),
  };
  if (simple[field]) return simple[field]();
  const [kind, id, part] = field.split('.');
  if (kind === 'peer') return t('sharing.peerGive');
  const n = project.questions.findIndex((q) => q.id === id) + 1;
  const question = t('research.question', { n: n || '?' });
  if (part === 'notes') return `${question} · ${t('research.notes')}`;
  if (part === 'findings') return `${question} · ${t('research.findings')}`;
  return question;
}
