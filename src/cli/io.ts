// What commands write to and read from; tests pass in-memory versions.

export interface Output {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface Input extends AsyncIterable<Buffer | string> {
  isTTY?: boolean;
}

export interface Io {
  stdout: Output;
  stderr: Output;
  stdin?: Input;
}

/** Collects output in memory, for tests. */
export class MemoryOutput implements Output {
  text = "";
  constructor(
    readonly isTTY = false,
    readonly columns = 80,
  ) {}
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}
