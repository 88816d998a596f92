/** For a request started early only to warm the cache: its component asks again and shows
 * the error, if any. */
export function ignore(): void {
  // nothing to do
}
