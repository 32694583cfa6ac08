import { beforeEach, describe, expect, it, vi } from 'vitest';

// The shell, replaced in this unit test only: each call resolves when the test says so.
const calls: { cmd: string; args: any; done: () => void; fail: () => void }[] = [];
vi.mock('@tauri-apps/api/core', () => ({
  invoke: (cmd: string, args: unknown) =>
    new Promise<void>((resolve, reject) =>
      calls.push({
        cmd,
        args,
        done: () => resolve(),
        fail: () => reject({ code: 'io', message: 'disk full' }),
      }),
    ),
}));
vi.mock('@tauri-apps/api/event', () => ({ listen: async () => () => {} }));

const { edit, flush, save } = await import('./client.svelte');

const text = (t: string) => ({ op: 'set-text' as const, field: { field: 'title' as const }, text: t });
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('the edit queue', () => {
  beforeEach(() => {
    calls.length = 0;
  });

  it('sends the newest text of a field even when it was typed while an older one was in flight', async () => {
    edit('p', text('Jä'));
    await tick();
    expect(calls).toHaveLength(1); // "Jä" is on its way
    edit('p', text('Jää'));
    edit('p', text('Jääl'));
    calls[0].done();
    await tick();
    expect(calls).toHaveLength(2);
    expect(calls[1].args.edit.text).toBe('Jääl'); // "Jää" was replaced while it waited
    expect(save.pending).toBe(1);
    calls[1].done();
    await flush();
    expect(save.pending).toBe(0);
  });

  it('sends the newest text on the oldest base it absorbed, so peers\' words are merged, not lost', async () => {
    const typed = (t: string, base: string) => ({ ...text(t), base });
    edit('p', typed('Jä', 'J'));
    await tick();
    edit('p', typed('Jää', 'Jä'));
    edit('p', typed('Jääl', 'Jää'));
    calls[0].done();
    await tick();
    expect(calls[1].args.edit).toMatchObject({ text: 'Jääl', base: 'Jä' });
    calls[1].done();
    await flush();
  });

  it('types the next change of a field on the base of one that failed, so its text is not lost', async () => {
    const typed = (t: string, base: string) => ({ ...text(t), base });
    edit('p', typed('xy', 'x'));
    await tick();
    calls[0].fail(); // "xy" was never stored
    await flush();
    edit('p', typed('xyz', 'xy'));
    await tick();
    expect(calls[1].args.edit).toMatchObject({ text: 'xyz', base: 'x' });
    calls[1].done();
    await flush();
  });

  it('keeps edits in the order they were made', async () => {
    edit('p', { op: 'add-question', id: 'q' });
    edit('p', { op: 'set-text', field: { field: 'question', id: 'q' }, text: 'Miksi?' });
    for (let i = 0; i < 2; i++) {
      await tick();
      calls[i].done();
    }
    await flush();
    expect(calls.map((c) => c.args.edit.op)).toEqual(['add-question', 'set-text']);
  });
});
