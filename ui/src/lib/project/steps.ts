import type { Step } from '../api/bindings';

/** A picture for each step, so that the youngest can find a step before they read well. */
export const STEP_ICONS: Record<Step, string> = {
  agreement: '🤝',
  phenomenon: '🔍',
  subjects: '📚',
  goals: '🎯',
  'research-questions': '❓',
  tools: '🧰',
  content: '🎨',
  sharing: '💬',
};
