/** Length of the longest suffix of `text` that is a proper prefix of `tag` (a tag that may still be arriving). */
export function partialSuffix(text: string, tag: string): number {
  const max = Math.min(text.length, tag.length - 1);
  for (let n = max; n > 0; n--) {
    if (text.endsWith(tag.slice(0, n))) return n;
  }
  return 0;
}
