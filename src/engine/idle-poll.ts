/**
 * Keeps idle CPUs polling instead of halting while tollama decodes, through Linux's CPU latency QoS:
 * /dev/cpu_dma_latency holds a request for 0 µs wake-up latency for as long as the file is open.
 *
 * Why: every token hands work between threads several times (the event loop queues the decode on
 * libuv's pool, ggml starts a worker for it, the pool hands the result back), and llama.cpp's
 * prebuilt addon has no persistent thread pool that would spin through those gaps, as llama-bench's
 * does. On a KVM guest whose halt polling is off (cpuidle driver haltpoll, guest_halt_poll_ns=0) an
 * idle vCPU halts at once, so each of those wakes waits for the host to run the vCPU again.
 * Measured on such a 2-vCPU guest, paired A/B of two servers: decode +3.6% on a 135M model and +4.7%
 * on Qwen2.5-0.5B Q4_0. The request is held only while a decode loop runs, and the CPUs are busy
 * decoding then anyway.
 */
import { accessSync, closeSync, constants, openSync, readFileSync, writeSync } from "node:fs";

/** TOLLAMA_IDLE_POLL: "auto" (a KVM guest with halt polling off), "on", or "off". */
export type IdlePollMode = "auto" | "on" | "off";

export interface IdlePoll {
  /** Starts the request (no-op when it is on, or when it cannot be made). */
  start(): void;
  /** Ends it. */
  stop(): void;
}

const CPUIDLE_DRIVER = "/sys/devices/system/cpu/cpuidle/current_driver";
const HALT_POLL_NS = "/sys/module/haltpoll/parameters/guest_halt_poll_ns";

function readSys(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return undefined;
  }
}

type ReadSys = (path: string) => string | undefined;

/**
 * A KVM guest's halt-polling window in ns (how long an idle vCPU spins before it halts), or
 * undefined where there is no haltpoll driver; `read` reads a sysfs file (undefined: absent).
 */
export function guestHaltPollNs(read: ReadSys = readSys): number | undefined {
  const text = read(HALT_POLL_NS);
  return text ? Number(text) : undefined;
}

/** Whether `mode` asks for polling on this machine; `read` as for guestHaltPollNs. */
export function idlePollWanted(mode: IdlePollMode, read: ReadSys = readSys): boolean {
  if (mode !== "auto") return mode === "on";
  return read(CPUIDLE_DRIVER) === "haltpoll" && guestHaltPollNs(read) === 0;
}

const DEVICE = "/dev/cpu_dma_latency";

/** Whether this process may make the request (the device is root's alone by default). */
export function idlePollAllowed(device = DEVICE): boolean {
  try {
    accessSync(device, constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The QoS request on `device` (default /dev/cpu_dma_latency). A device that cannot be opened (not
 * root, not Linux, a container without it) is reported once through `onError` and never tried again.
 * stop() lets go `lingerMs` later (default 250), so requests that follow one another closely (chat
 * turns, embedding inputs one decode each) keep one request instead of changing the kernel's
 * latency target, which wakes every idle CPU, each time.
 */
export function createIdlePoll(
  opts: { device?: string; onError?: (message: string) => void; lingerMs?: number } = {},
): IdlePoll {
  const device = opts.device ?? DEVICE;
  const lingerMs = opts.lingerMs ?? 250;
  let fd: number | undefined;
  let broken = false;
  let closing: NodeJS.Timeout | undefined;

  function close() {
    closing = undefined;
    if (fd === undefined) return;
    closeSync(fd);
    fd = undefined;
  }

  return {
    start() {
      clearTimeout(closing);
      closing = undefined;
      if (fd !== undefined || broken) return;
      try {
        fd = openSync(device, "r+");
        // a 32-bit latency bound in microseconds: 0 leaves the cpuidle governor only its poll state
        writeSync(fd, Buffer.alloc(4));
      } catch (err) {
        if (fd !== undefined) closeSync(fd);
        fd = undefined;
        broken = true;
        opts.onError?.(err instanceof Error ? err.message : String(err));
      }
    },
    stop() {
      if (fd === undefined || closing) return;
      // unref'd: a request left over never keeps the process alive
      closing = setTimeout(close, lingerMs).unref();
    },
  };
}
