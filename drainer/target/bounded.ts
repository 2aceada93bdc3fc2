/**
 * Closing links and connections must never hang the drain: rhea-promise's close() does not always
 * settle when the peer resets the connection meanwhile. Closes are best effort with a time limit.
 */
export async function closeWithin(close: () => Promise<unknown>, ms = 5000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    close().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}
