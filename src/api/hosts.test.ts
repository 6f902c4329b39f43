import { test } from "node:test";
import assert from "node:assert/strict";
import { checksHosts, hostAllowed, type HostFacts } from "./hosts.js";

const facts: HostFacts = { hostname: () => "MyBox", localAddresses: () => ["203.0.113.7", "fe80::1"] };
const allowed = (h: string | undefined) => hostAllowed(h, facts);

test("a loopback bind checks Host headers; others do not", () => {
  assert.equal(checksHosts("127.0.0.1"), true);
  assert.equal(checksHosts("::1"), true);
  assert.equal(checksHosts("0.0.0.0"), false);
  assert.equal(checksHosts("192.168.1.5"), false);
});

test("names of this machine pass, with or without a port", () => {
  for (const h of [
    undefined,
    "",
    "localhost",
    "LOCALHOST:11434",
    "mybox",
    "mybox:11434",
    "app.localhost",
    "printer.local:80",
    "host.docker.internal:11434",
  ])
    assert.equal(allowed(h), true, String(h));
});

test("loopback, private, unspecified and this machine's own IPs pass", () => {
  for (const h of [
    "127.0.0.1:11434",
    "127.1.2.3",
    "[::1]:11434",
    "[::1]",
    "10.1.2.3",
    "172.16.0.1:8080",
    "192.168.0.10",
    "[fd00::5]:1",
    "0.0.0.0:11434",
    "203.0.113.7",
    "[fe80::1]:11434",
  ])
    assert.equal(allowed(h), true, h);
});

test("any other name or public IP is refused (DNS rebinding)", () => {
  for (const h of [
    "evil.com",
    "evil.com:11434",
    "localhost.evil.com",
    "8.8.8.8:11434",
    "172.32.0.1",
    "[2001:db8::1]:1",
    "mybox.evil",
  ])
    assert.equal(allowed(h), false, h);
});
