import { describe, expect, it } from 'vitest';
import { en } from './en';
import { fi } from './fi';
import { format } from './format';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('message catalogues', () => {
  it('have the same keys in English and Finnish', () => {
    expect(Object.keys(fi).sort()).toEqual(Object.keys(en).sort());
  });

  it('use the same placeholders in both languages', () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(placeholders(fi[key]), key).toEqual(placeholders(en[key]));
    }
  });

  it('leave no Finnish message in English and none empty', () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(fi[key].trim(), key).not.toBe('');
      expect(en[key].trim(), key).not.toBe('');
    }
  });

  it('fill placeholders and keep unknown ones visible', () => {
    expect(format('Hi, {group}! {x}', { group: 'Ketut' })).toBe('Hi, Ketut! {x}');
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
      const key = `error.${code}` as keyof typeof en;
      expect(en[key], key).toBeTruthy();
      expect(fi[key], key).toBeTruthy();
    }
  });
});
