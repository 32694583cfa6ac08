import { describe, expect, it } from 'vitest';
import { applyFormat, render } from './markdown';

describe('text block formatting', () => {
  it('renders headings, bold and lists', () => {
    expect(render('# Puro\nVesi on **kylmää**\n- kivi\n- hiekka\nloppu')).toBe(
      '<h2>Puro</h2><p>Vesi on <strong>kylmää</strong></p><ul><li>kivi</li><li>hiekka</li></ul><p>loppu</p>',
    );
  });

  it('never lets typed markup through', () => {
    expect(render('<img src=x onerror=alert(1)> & "q"')).toBe(
      '<p>&lt;img src=x onerror=alert(1)&gt; &amp; &quot;q&quot;</p>',
    );
  });

  it('bolds the selection and toggles a heading on its line', () => {
    expect(applyFormat('a big fish', 2, 5, 'bold').text).toBe('a **big** fish');
    const h = applyFormat('one\ntwo', 5, 5, 'heading');
    expect(h.text).toBe('one\n# two');
    expect(applyFormat(h.text, h.start, h.end, 'heading').text).toBe('one\ntwo');
  });
});
