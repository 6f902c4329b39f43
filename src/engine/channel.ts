/**
 * Sampled tokens from the batch loop to one reader. The loop never waits for the reader; the reader waits
 * for the loop. Cancelling (the reader leaving) tells the loop to drop the job at the next step.
 */
export class TokenChannel<T> implements AsyncIterableIterator<T> {
  private readonly buffer: T[] = [];
  private head = 0;
  private error: Error | undefined;
  private ended = false;
  private waiter: (() => void) | undefined;

  /** True once ended, failed or cancelled: nothing more will be read. */
  get closed(): boolean {
    return this.ended;
  }

  push(item: T): void {
    if (this.ended) return;
    this.buffer.push(item);
    this.wake();
  }

  end(): void {
    this.ended = true;
    this.wake();
  }

  fail(err: Error): void {
    if (this.ended) return;
    this.error = err;
    this.end();
  }

  /** The reader is gone: buffered tokens are dropped. */
  cancel(): void {
    this.buffer.length = this.head = 0;
    this.end();
  }

  async next(): Promise<IteratorResult<T, undefined>> {
    while (this.head === this.buffer.length) {
      if (this.error) throw this.error;
      if (this.ended) return { done: true, value: undefined };
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
    const value = this.buffer[this.head++] as T;
    if (this.head === this.buffer.length) this.buffer.length = this.head = 0;
    return { done: false, value };
  }

  return(): Promise<IteratorResult<T, undefined>> {
    this.cancel();
    return Promise.resolve({ done: true, value: undefined });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
}
