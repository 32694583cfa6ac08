// Message formatting: `{name}` placeholders and ICU plurals
// (`{count, plural, one {# change} other {# changes}}`, the subset of ICU MessageFormat that
// the catalogues use), with plural forms and numbers by the platform's `Intl` rules for the
// language (https://unicode-org.github.io/icu/userguide/format_parse/messages/).

const plurals = new Map<string, Intl.PluralRules>();
const numbers = new Map<string, Intl.NumberFormat>();

function pluralRules(locale: string): Intl.PluralRules {
  let rules = plurals.get(locale);
  if (!rules) plurals.set(locale, (rules = new Intl.PluralRules(locale)));
  return rules;
}

/** A number as the language writes it (`1,5` in Finnish, `1.5` in English). */
export function formatNumber(n: number, locale: string): string {
  let format = numbers.get(locale);
  if (!format) numbers.set(locale, (format = new Intl.NumberFormat(locale)));
  return format.format(n);
}

/** The index of the `}` that closes the `{` at `open`, or -1. */
function closing(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

/** A plural's branches: `one {…} other {…}` (and `=0 {…}`) by selector. */
function branches(text: string): Map<string, string> {
  const forms = new Map<string, string>();
  let i = 0;
  while (i < text.length) {
    const selector = /^\s*(=\d+|zero|one|two|few|many|other)\s*\{/.exec(text.slice(i));
    if (!selector) break;
    const open = i + selector[0].length - 1;
    const close = closing(text, open);
    if (close < 0) break;
    forms.set(selector[1], text.slice(open + 1, close));
    i = close + 1;
  }
  return forms;
}

/**
 * Fills `template`'s placeholders from `params` for `locale` (a BCP 47 tag): `{name}` takes
 * the value (numbers written as the language writes them); `{name, plural, …}` takes the
 * branch the language's plural rules pick for the number, `#` in it being the number. A
 * placeholder with no value stays visible rather than vanishing.
 */
export function format(
  template: string,
  params: Record<string, string | number>,
  locale = 'en',
): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    const close = open < 0 ? -1 : closing(template, open);
    if (close < 0) {
      out += template.slice(i);
      break;
    }
    out += template.slice(i, open);
    const whole = template.slice(open, close + 1);
    const inner = template.slice(open + 1, close);
    const plural = /^(\w+),\s*plural,/.exec(inner);
    const name = plural ? plural[1] : inner;
    if (!Object.hasOwn(params, name) || (!plural && !/^\w+$/.test(inner))) {
      out += whole;
    } else if (plural) {
      const n = Number(params[name]);
      const forms = branches(inner.slice(plural[0].length));
      const form =
        forms.get(`=${n}`) ?? forms.get(pluralRules(locale).select(n)) ?? forms.get('other') ?? '';
      out += format(form.replace(/#/g, formatNumber(n, locale)), params, locale);
    } else {
      const value = params[name];
      out += typeof value === 'number' ? formatNumber(value, locale) : value;
    }
    i = close + 1;
  }
  return out;
}

/** "5 minutes ago", "2 hours ago", "yesterday" in the language (`Intl.RelativeTimeFormat`). */
export function ago(ms: number, locale: string): string {
  const minutes = Math.round(ms / 60_000);
  const relative = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  if (minutes < 60) return relative.format(-minutes, 'minute');
  if (minutes < 24 * 60) return relative.format(-Math.round(minutes / 60), 'hour');
  return relative.format(-Math.round(minutes / (24 * 60)), 'day');
}
