import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createIdlePoll, guestHaltPollNs, idlePollAllowed, idlePollWanted } from "./idle-poll.js";

const sysfs = (driver: string | undefined, pollNs: string | undefined) => (path: string) =>
  path.endsWith("current_driver") ? driver : path.endsWith("guest_halt_poll_ns") ? pollNs : undefined;

test("auto polls only on a KVM guest whose halt polling is off", () => {
  assert.equal(idlePollWanted("auto", sysfs("haltpoll", "0")), true);
  assert.equal(idlePollWanted("auto", sysfs("haltpoll", "200000")), false);
  assert.equal(idlePollWanted("auto", sysfs("intel_idle", undefined)), false);
  assert.equal(idlePollWanted("auto", sysfs(undefined, undefined)), false);
  assert.equal(idlePollWanted("on", sysfs(undefined, undefined)), true);
  assert.equal(idlePollWanted("off", sysfs("haltpoll", "0")), false);
});

test("the guest's halt-polling window, where there is one", () => {
  assert.equal(guestHaltPollNs(sysfs("haltpoll", "0")), 0);
  assert.equal(guestHaltPollNs(sysfs("haltpoll", "200000")), 200000);
  assert.equal(guestHaltPollNs(sysfs(undefined, undefined)), undefined);
  assert.equal(guestHaltPollNs(sysfs("haltpoll", "")), undefined);
});

/** Descriptors of this process open on `path`. */
function opened(path: string): number {
  return readdirSync("/proc/self/fd").filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path;
    } catch {
      return false;
    }
  }).length;
}

const linux = process.platform === "linux" ? false : "counts open descriptors in /proc/self/fd";

test(
  "the request writes a 0 µs bound and is held until a while after it is stopped",
  { skip: linux },
  async () => {
    const device = join(mkdtempSync(join(tmpdir(), "tollama-qos-")), "cpu_dma_latency");
    writeFileSync(device, "");
    const poll = createIdlePoll({ device, lingerMs: 30 });
    poll.start();
    poll.start(); // already held: nothing more written
    assert.deepEqual([...readFileSync(device)], [0, 0, 0, 0]);
    assert.equal(opened(device), 1);
    poll.stop();
    poll.start(); // back within the linger: the same request goes on
    poll.stop();
    assert.equal(opened(device), 1);
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(opened(device), 0);
    assert.deepEqual([...readFileSync(device)], [0, 0, 0, 0]);
  },
);

test("the request is allowed only where the device can be written", () => {
  const device = join(mkdtempSync(join(tmpdir(), "tollama-qos-")), "cpu_dma_latency");
  writeFileSync(device, "");
  assert.equal(idlePollAllowed(device), true);
  assert.equal(idlePollAllowed("/nonexistent/cpu_dma_latency"), false);
});

test("a device that cannot be opened is reported once and not tried again", () => {
  const errors: string[] = [];
  const poll = createIdlePoll({ device: "/nonexistent/cpu_dma_latency", onError: (m) => errors.push(m) });
  poll.start();
  poll.stop();
  poll.start();
  assert.equal(errors.length, 1);
  assert.match(errors[0]!, /ENOENT/);
});
