import { describe, expect, it } from 'vitest';
import { en, type MessageKey } from './en';
import { format } from './format';
import { catalogueFor, LANGUAGES, localeOf } from './index.svelte';

/** The placeholders a message takes (plain and plural), by name. */
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)[,}]/g)].map((m) => m[1]).sort();
/** A plural's selectors, per placeholder: `{count, plural, one {…} other {…}}`. */
const pluralSelectors = (s: string) =>
  [...s.matchAll(/\{(\w+),\s*plural,((?:[^{}]|\{[^{}]*\})*)\}/g)].map((m) => [
    m[1],
    [...m[2].matchAll(/(=\d+|zero|one|two|few|many|other)\s*\{/g)].map((b) => b[1]),
  ]);
const keys = Object.keys(en) as MessageKey[];

describe('message catalogues', () => {
  for (const { locale, name } of LANGUAGES) {
    const messages = catalogueFor(locale);
    describe(`${name} (${locale})`, () => {
      it('has every key of the English one, and no other', () => {
        expect(Object.keys(messages).sort()).toEqual([...keys].sort());
      });

      it('takes the same placeholders, and no message is empty', () => {
        for (const key of keys) {
          expect(messages[key].trim(), key).not.toBe('');
          expect(placeholders(messages[key]), key).toEqual(placeholders(en[key]));
        }
      });

      it('gives every plural the forms its language needs, and "other"', () => {
        const needed = new Intl.PluralRules(locale).resolvedOptions().pluralCategories;
        for (const key of keys) {
          for (const [, selectors] of pluralSelectors(messages[key])) {
            expect(selectors, key).toContain('other');
            for (const category of needed) expect(selectors, `${key}: ${category}`).toContain(category);
          }
        }
      });
    });
  }

  it('are translated: no catalogue but English keeps most English texts', () => {
    for (const { locale } of LANGUAGES.filter((l) => l.locale !== 'en')) {
      const messages = catalogueFor(locale);
      // Brand names, units and the like may stay; sentences may not.
      const same = keys.filter((k) => messages[k] === en[k] && en[k].includes(' '));
      expect(same.length, `${locale}: ${same.join(', ')}`).toBeLessThan(keys.length / 20);
    }
  });
});

describe('format', () => {
  it('fills placeholders and keeps unknown ones visible', () => {
    expect(format('Hi, {group}! {x}', { group: 'Ketut' })).toBe('Hi, Ketut! {x}');
  });

  it('picks plural forms by the language’s rules and writes numbers its way', () => {
    const pending = '{count, plural, one {# change} other {# changes}} to send';
    expect(format(pending, { count: 1 }, 'en')).toBe('1 change to send');
    expect(format(pending, { count: 3 }, 'en')).toBe('3 changes to send');
    expect(format(pending, { count: 1500 }, 'en')).toBe('1,500 changes to send');
    expect(format('{n} MB', { n: 1.5 }, 'fi')).toBe('1,5 MB');
    const exact = '{n, plural, =0 {none} one {# star} other {# stars}}';
    expect(format(exact, { n: 0 }, 'en')).toBe('none');
  });
});

describe('languages', () => {
  it('are named in their own language and found from a system tag', () => {
    expect(LANGUAGES.map((l) => l.name)).toEqual(['Suomi', 'Svenska', 'English', 'Eesti', 'Norsk bokmål']);
    expect(localeOf('sv-FI')).toBe('sv');
    expect(localeOf('no')).toBe('nb');
    expect(localeOf('de-DE')).toBeUndefined();
  });
});

describe('error messages', () => {
  it('exist in every catalogue for every error code Rust can send', async () => {
    // The ErrorCode union of the bindings generated from Rust (a test there keeps them fresh).
    const { default: bindings } = await import('../api/bindings.ts?raw');
    const union = /export type ErrorCode = ([^;]+);/.exec(bindings as string);
    expect(union).not.toBeNull();
    const codes = [...union![1].matchAll(/"([a-z-]+)"/g)].map((m) => m[1]);
    expect(codes.length).toBeGreaterThan(20);
    for (const code of codes) {
      const key = `error.${code}` as MessageKey;
      for (const { locale } of LANGUAGES) expect(catalogueFor(locale)[key], `${locale} ${key}`).toBeTruthy();
    }
  });
});
