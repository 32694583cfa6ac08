// The app's language: English, Finnish, Swedish, Estonian or Norwegian Bokmål, switchable at
// run time. Every shown string goes through `t`, so switching re-renders every text at once.
import { en, type MessageKey, type Messages } from './en';
import { et } from './et';
import { fi } from './fi';
import { format } from './format';
import { nb } from './nb';
import { sv } from './sv';

/** The languages, each by its own name (as a language picker lists them). */
export const LANGUAGES = [
  { locale: 'fi', name: 'Suomi' },
  { locale: 'sv', name: 'Svenska' },
  { locale: 'en', name: 'English' },
  { locale: 'et', name: 'Eesti' },
  { locale: 'nb', name: 'Norsk bokmål' },
] as const;

export type Locale = (typeof LANGUAGES)[number]['locale'];

const catalogues: Record<Locale, Messages> = { en, fi, sv, et, nb };
const STORAGE_KEY = 'hugme.locale';

/** The language of a BCP 47 tag, if the app has it (`sv-FI` → `sv`; `no`, `nn` → `nb`). */
export function localeOf(tag: string | null | undefined): Locale | undefined {
  const base = tag?.toLowerCase().split(/[-_]/)[0];
  if (base === 'no' || base === 'nn') return 'nb';
  return LANGUAGES.find((l) => l.locale === base)?.locale;
}

function initial(): Locale {
  return (
    localeOf(globalThis.localStorage?.getItem(STORAGE_KEY)) ??
    localeOf(globalThis.navigator?.language) ??
    'fi'
  );
}

export const i18n = $state<{ locale: Locale; chosen: boolean }>({
  locale: initial(),
  chosen: localeOf(globalThis.localStorage?.getItem(STORAGE_KEY)) !== undefined,
});

/** The message `key` in the current language, with its placeholders and plurals filled. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  return format(catalogues[i18n.locale][key], params, i18n.locale);
}

/** A pupil switched the language: it stays so on this tablet. */
export function setLocale(locale: Locale) {
  i18n.locale = locale;
  i18n.chosen = true;
  globalThis.localStorage?.setItem(STORAGE_KEY, locale);
  document.documentElement.lang = locale;
}

/** A class's language applies until someone chooses one on this tablet. */
export function suggestLocale(language: string) {
  const locale = localeOf(language);
  if (!i18n.chosen && locale) {
    i18n.locale = locale;
    document.documentElement.lang = locale;
  }
}

export const catalogueFor = (locale: Locale): Messages => catalogues[locale];
