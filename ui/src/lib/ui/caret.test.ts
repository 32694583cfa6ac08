import { describe, expect, it } from 'vitest';
import { moveCaret } from './caret';

describe('moveCaret', () => {
  it('stays where it was when a peer writes after it', () => {
    expect(moveCaret('Vesi jäätyy', 'Vesi jäätyy. Miksi?', 4)).toBe(4);
  });

  it('moves with the text when a peer writes before it', () => {
    const old = 'jäätyy talvella';
    const next = 'Vesi jäätyy talvella';
    expect(moveCaret(old, next, 6)).toBe(11);
    expect(next.slice(0, 11)).toBe('Vesi jäätyy');
  });

  it('counts an emoji written before it as the two code units the DOM counts', () => {
    const old = 'Jää on kylmää';
    const next = '🧊 Jää on kylmää';
    expect(moveCaret(old, next, 3)).toBe(6);
    expect(next.slice(0, 6)).toBe('🧊 Jää');
  });

  it('never lands between the halves of an emoji that changed', () => {
    // 🧊 (U+1F9CA) and 🧋 (U+1F9CB) share their first code unit.
    const old = 'a🧊b';
    const next = 'a🧋b';
    const moved = moveCaret(old, next, 3);
    expect(moved === 1 || moved === 3).toBe(true);
  });

  it('goes to the end of the new words when the part it was in was replaced', () => {
    // "oir" became "iss" (the final "a" is common to both): after "Kiss".
    expect(moveCaret('Koira haukkuu', 'Kissa haukkuu', 3)).toBe(4);
  });

  it('keeps a combining mark with its letter', () => {
    const old = 'a\u0308iti'; // ä as a + combining diaeresis
    const next = 'Hyvä a\u0308iti';
    expect(moveCaret(old, next, 2)).toBe(7);
  });
});
