// The app's language: English or Finnish, switchable at run time. Every shown string goes
// through `t`, so switching re-renders every text at once.
import { en, type MessageKey, type Messages } from './en';
import { fi } from './fi';
import { format } from './format';

export type Locale = 'en' | 'fi';

const catalogues: Record<Locale, Messages> = { en, fi };
const STORAGE_KEY = 'hugme.locale';

function initial(): Locale {
  const saved = globalThis.localStorage?.getItem(STORAGE_KEY);
  if (saved === 'en' || saved === 'fi') return saved;
  return globalThis.navigator?.language?.startsWith('en') ? 'en' : 'fi';
}

export const i18n = $state<{ locale: Locale; chosen: boolean }>({
  locale: initial(),
  chosen: globalThis.localStorage?.getItem(STORAGE_KEY) != null,
});

/** The message `key` in the current language, with `{name}` placeholders filled. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  return format(catalogues[i18n.locale][key], params);
}


/** A pupil switched the language: it stays so on this tablet. */
export function setLocale(locale: Locale) {
  i18n.locale = locale;
  i18n.chosen = true;
  globalThis.localStorage?.setItem(STORAGE_KEY, locale);
  document.documentElement.lang = locale;
}

/** A class's language applies until someone chooses one on this tablet. */
export function suggestLocale(locale: string) {
  if (!i18n.chosen && (locale === 'en' || locale === 'fi')) {
    i18n.locale = locale;
    document.documentElement.lang = locale;
  }
}

export const catalogueFor = (locale: Locale): Messages => catalogues[locale];
