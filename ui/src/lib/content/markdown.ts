// The light formatting of text blocks: `# heading`, `**bold**`, `- list`. Rendered from
// escaped text only, so nothing a pupil (or a peer) types can become markup.

const escape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const inline = (s: string) => escape(s).replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>');

export function render(markdown: string): string {
  const out: string[] = [];
  let list = false;
  for (const line of markdown.split('\n')) {
    const item = /^\s*[-*]\s+(.*)$/.exec(line);
    if (item) {
      if (!list) out.push('<ul>');
      list = true;
      out.push(`<li>${inline(item[1])}</li>`);
      continue;
    }
    if (list) out.push('</ul>');
    list = false;
    const heading = /^(#{1,3})\s+(.*)$/.exec(line);
    if (heading) {
      const level = heading[1].length + 1; // h2–h4 inside a page
      out.push(`<h${level}>${inline(heading[2])}</h${level}>`);
    } else if (line.trim() !== '') {
      out.push(`<p>${inline(line)}</p>`);
    }
  }
  if (list) out.push('</ul>');
  return out.join('');
}

/** Formatting buttons: wrap the selection in bold, or start its line as a heading or item. */
export function applyFormat(
  text: string,
  start: number,
  end: number,
  kind: 'heading' | 'bold' | 'list',
): { text: string; start: number; end: number } {
  if (kind === 'bold') {
    const inner = text.slice(start, end) || '…';
    return {
      text: text.slice(0, start) + `**${inner}**` + text.slice(end),
      start: start + 2,
      end: start + 2 + inner.length,
    };
  }
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const prefix = kind === 'heading' ? '# ' : '- ';
  const line = text.slice(lineStart);
  if (line.startsWith(prefix)) {
    return {
      text: text.slice(0, lineStart) + line.slice(prefix.length),
      start: start - prefix.length,
      end: end - prefix.length,
    };
  }
  return {
    text: text.slice(0, lineStart) + prefix + line,
    start: start + prefix.length,
    end: end + prefix.length,
  };
}
