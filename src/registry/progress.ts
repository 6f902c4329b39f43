// Progress objects exactly as Ollama's api.ProgressResponse serialises them (zero fields omitted).

export interface ProgressResponse {
  status: string;
  digest?: string;
  total?: number;
  completed?: number;
}

export type ProgressFn = (p: ProgressResponse) => void;

export function status(text: string): ProgressResponse {
  return { status: text };
}

/** Ollama prints digests as the 12 hex characters after "sha256:" (digest[7:19]). */
export function shortDigest(digest: string): string {
  return digest.slice(7, 19);
}

/** `pulling <short>` / `pushing <short>` with Go's omitempty on total and completed. */
export function transferProgress(
  verb: "pulling" | "pushing",
  digest: string,
  total: number,
  completed: number,
): ProgressResponse {
  const p: ProgressResponse = { status: `${verb} ${shortDigest(digest)}`, digest };
  if (total) p.total = total;
  if (completed) p.completed = completed;
  return p;
}

/**
 * Turns a callback-driven operation into an async generator of its progress, for HTTP layers
 * that stream NDJSON. The operation's error is thrown from the generator after the events
 * emitted before it.
 */
export async function* progressStream(
  run: (emit: ProgressFn) => Promise<void>,
): AsyncGenerator<ProgressResponse, void, undefined> {
  const queue: ProgressResponse[] = [];
  let wake: (() => void) | undefined;
  let finished = false;
  let failure: { error: unknown } | undefined;
  const notify = (): void => {
    wake?.();
    wake = undefined;
  };
  run((p) => {
    queue.push(p);
    notify();
  }).then(
    () => {
      finished = true;
      notify();
    },
    (error: unknown) => {
      failure = { error };
      finished = true;
      notify();
    },
  );
  for (;;) {
    const next = queue.shift();
    if (next) {
      yield next;
      continue;
    }
    if (finished) break;
    await new Promise<void>((resolve) => (wake = resolve));
  }
  if (failure) throw failure.error;
}
