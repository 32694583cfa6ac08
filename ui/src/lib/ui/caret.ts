// Where a caret goes when the text around it changes under it (a peer's words arrive while a
// pupil types): the common start and end of the old and the new text did not change, so a
// caret in the start stays, one in the end moves with it, and one inside the changed part goes
// to the end of what replaced it. Indexes are UTF-16 code units (the DOM's selectionStart);
// the common start and end never split a surrogate pair, so an emoji stays whole.

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** The caret `at` in `old`, moved to the same place in `next`. */
export function moveCaret(old: string, next: string, at: number): number {
  let start = 0;
  const most = Math.min(old.length, next.length);
  while (start < most && old.charCodeAt(start) === next.charCodeAt(start)) start++;
  // Not between the halves of one emoji.
  if (start > 0 && start < most && isHighSurrogate(old.charCodeAt(start - 1))) start--;
  let end = 0;
  while (
    end < most - start &&
    old.charCodeAt(old.length - 1 - end) === next.charCodeAt(next.length - 1 - end)
  )
    end++;
  if (end > 0 && end < most - start && isLowSurrogate(old.charCodeAt(old.length - end))) end--;
  if (at <= start) return at;
  if (at >= old.length - end) return at + (next.length - old.length);
  return next.length - end;
}
