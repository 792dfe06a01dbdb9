#!/usr/bin/env node
// The realtime hub under load, for scripts/load/realtime.sh:
//
//   node scripts/load/realtime.mjs BASE SERVER_PID CLIENTS ROOM_CLIENTS CHANGES
//
// with LOAD_EMAIL / LOAD_PASSWORD naming an admin. Through the API it makes USERS (default 20)
// team members and one project; then CLIENTS sockets connect with the official socket.io-client,
// spread over those members' tokens, and ROOM_CLIENTS of them subscribe to the project's room.
// It changes the project's status CHANGES times (review <-> in_progress, one every INTERVAL_MS,
// default 50) and measures, for every (change, socket), when `project:updated` arrived. Every
// member reads all projects, so every socket gets each change (the room's through both rooms, once):
// the room's sockets are reported first, everyone after. It also reads the server's resident
// memory (/proc/SERVER_PID/status) before the first socket and with all of them connected.
//
// The sockets live in child processes (this file again, with `--clients`): one for the room's,
// OTHER_PROCS (default 1) for the rest. So the room's arrival times are not held up by this
// process parsing the other sockets' events, and the changes are sent, and timed, from an event
// loop that no socket keeps busy. All processes stamp times with the same clock as the server's
// `updated_at`: the machine's wall clock (timeOrigin + the monotonic now, for sub-ms).

import { fork } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

// The e2e suite's pinned socket.io-client: the one the Rust tests and the browser tests use too.
const require = createRequire(new URL("../../e2e/package.json", import.meta.url));
const { io } = require("socket.io-client");

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

if (process.argv[2] === "--clients") {
  clients();
} else {
  coordinate().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}

// ---------------------------------------------------------------------------------------------
// A client process: connects its sockets when told, records arrivals, reports them when told.

function clients() {
  const sockets = [];
  // Per socket: arrival time by project version. Filled in the handler, nothing else done there,
  // so the time is taken as soon as the client library hands over the event.
  const arrivals = [];
  let duplicates = 0;
  let resyncs = 0;
  let dropped = 0;
  let closing = false;

  async function connect({ base, tokens, projectId, subscribe, concurrency }) {
    const started = now();
    let failed = 0;
    let next = 0;
    // A bounded number of handshakes at once: 1,000 simultaneous SYNs would overflow the
    // listener's backlog and measure the kernel's retry timer instead of the hub.
    async function worker() {
      while (next < tokens.length) {
        const i = next++;
        try {
          await open(base, tokens[i], projectId, subscribe);
        } catch (e) {
          failed++;
          if (failed <= 3) console.error(`socket ${i}: ${e.message}`);
        }
      }
    }
    await Promise.all(Array.from({ length: Math.min(concurrency, tokens.length) }, worker));
    process.send({ op: "ready", connected: sockets.length, failed, ms: now() - started });
  }

  function open(base, token, projectId, subscribe) {
    const times = new Map();
    const socket = io(base, {
      auth: { token },
      transports: ["websocket"],
      // One connection per socket: without it every io() to the same address shares one.
      forceNew: true,
      // A dropped socket stays dropped, so that what it missed is counted, not papered over.
      reconnection: false,
      timeout: 20_000,
    });
    socket.on("project:updated", (project) => {
      const t = now();
      if (project.id !== projectId) return;
      if (times.has(project.version)) duplicates++;
      else times.set(project.version, t);
    });
    socket.on("resync", () => resyncs++);
    socket.on("disconnect", () => {
      if (!closing) dropped++;
    });
    return new Promise((resolve, reject) => {
      socket.once("connect_error", (e) => reject(e));
      socket.once("connect", async () => {
        try {
          if (subscribe) {
            const reply = await socket.timeout(20_000).emitWithAck("subscribe", { project_id: projectId });
            if (!reply?.ok) throw new Error(`subscribe refused: ${JSON.stringify(reply)}`);
          }
          sockets.push(socket);
          arrivals.push(times);
          resolve();
        } catch (e) {
          socket.close();
          reject(e);
        }
      });
    });
  }

  // Waits (up to timeoutMs) for every socket to have the last change, then sends what arrived.
  async function finish({ lastVersion, timeoutMs }) {
    const deadline = now() + timeoutMs;
    while (now() < deadline && !arrivals.every((times) => times.has(lastVersion))) await sleep(20);
    process.send({
      op: "results",
      arrivals: arrivals.map((times) => [...times]),
      duplicates,
      resyncs,
      dropped,
    });
  }

  process.on("message", (msg) => {
    if (msg.op === "connect") connect(msg);
    else if (msg.op === "finish") finish(msg);
    else if (msg.op === "close") {
      closing = true;
      for (const s of sockets) s.close();
      process.disconnect();
    }
  });
}

// ---------------------------------------------------------------------------------------------
// The coordinator.

async function coordinate() {
  const [base, pidArg, clientsArg, roomArg, changesArg] = process.argv.slice(2);
  if (!changesArg) throw new Error("usage: realtime.mjs BASE SERVER_PID CLIENTS ROOM_CLIENTS CHANGES");
  const [clientCount, roomCount, changeCount] = [clientsArg, roomArg, changesArg].map(Number);
  const serverPid = Number(pidArg);
  const users = Number(process.env.USERS ?? 20);
  const intervalMs = Number(process.env.INTERVAL_MS ?? 50);
  const otherProcs = Math.max(1, Number(process.env.OTHER_PROCS ?? 1));
  const email = process.env.LOAD_EMAIL;
  const password = process.env.LOAD_PASSWORD;
  if (!(roomCount >= 1 && roomCount <= clientCount && changeCount >= 1)) {
    throw new Error("need 1 <= ROOM_CLIENTS <= CLIENTS and CHANGES >= 1");
  }

  async function call(method, path, token, body, expect = 200) {
    const response = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: {
        "content-type": "application/json",
        "user-agent": "petpixel-load-realtime",
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (response.status !== expect) throw new Error(`${method} ${path}: expected ${expect}, got ${response.status}: ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : null;
  }
  const login = async (e, p) => (await call("POST", "/auth/login", null, { email: e, password: p })).access_token;

  // The team. Sockets are spread over several people (artists and managers, as in a studio),
  // though the hub would take one token's thousand sockets as well.
  const admin = await login(email, password);
  const members = await Promise.all(
    Array.from({ length: users }, async (_, i) => {
      const member = { email: `realtime-${i}@load.example`, password: "load test password 1" };
      const role = i % 4 === 3 ? "manager" : "artist";
      await call("POST", "/users", admin, { ...member, first_name: `Load ${i}`, role }, 201);
      return member;
    }),
  );
  const tokens = await Promise.all(members.map((m) => login(m.email, m.password)));
  const project = await call(
    "POST",
    "/projects",
    admin,
    {
      customer_name: "Sunny Lee",
      customer_email: "sunny@example.com",
      pet_name: "Buttercup",
      package_type: "custom",
      game_config: { theme: "space adventure", difficulty: "easy", features: ["leaderboard"] },
    },
    201,
  );
  const setStatus = (status) => call("PUT", `/projects/${project.id}/status`, admin, { status });
  // Warm-up: the status path's first runs (statements prepared, caches filled) are not measured,
  // nor counted in the memory baseline. They leave the project in progress, the one status it can
  // leave and come back to: in_progress -> review -> in_progress.
  for (const status of ["in_progress", "review", "in_progress"]) await setStatus(status);
  await sleep(500);
  const rssBefore = rss(serverPid);

  // The client processes: the room's first, then the others in equal shares.
  const shares = [{ count: roomCount, subscribe: true }];
  const others = clientCount - roomCount;
  for (let p = 0; p < otherProcs; p++) {
    const count = Math.floor(others / otherProcs) + (p < others % otherProcs ? 1 : 0);
    if (count > 0) shares.push({ count, subscribe: false });
  }
  let closing = false;
  let nextSocket = 0;
  const procs = shares.map((share) => {
    const child = fork(fileURLToPath(import.meta.url), ["--clients"], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    child.on("exit", (code) => {
      if (!closing) {
        console.error(`a client process exited early (${code})`);
        process.exit(1);
      }
    });
    // Token by global socket number: every member has sockets in and out of the room.
    const own = Array.from({ length: share.count }, () => tokens[nextSocket++ % tokens.length]);
    return { child, ...share, tokens: own };
  });
  const reply = (child, op) => new Promise((resolve) => child.on("message", (m) => m.op === op && resolve(m)));

  const ready = await Promise.all(
    procs.map((p) => {
      const answer = reply(p.child, "ready");
      p.child.send({ op: "connect", base, tokens: p.tokens, projectId: project.id, subscribe: p.subscribe, concurrency: 50 });
      return answer;
    }),
  );
  const connected = ready.reduce((n, r) => n + r.connected, 0);
  const failedToConnect = ready.reduce((n, r) => n + r.failed, 0);
  const connectMs = Math.max(...ready.map((r) => r.ms));
  // Let the last handshakes' and acks' transient buffers go before reading the memory.
  await sleep(1000);
  const rssConnected = rss(serverPid);

  // The changes, one per interval from a fixed schedule; never two at once, as each depends on
  // the status the one before left.
  const changes = [];
  const start = now();
  for (let i = 0; i < changeCount; i++) {
    const due = start + i * intervalMs;
    if (due > now()) await sleep(due - now());
    const sent = now();
    const after = await setStatus(i % 2 === 0 ? "review" : "in_progress");
    const returned = now();
    changes.push({ version: after.version, updatedAt: wallMs(after.updated_at), sent, returned });
  }
  const changeSeconds = (now() - start) / 1000;

  const results = await Promise.all(
    procs.map((p) => {
      const answer = reply(p.child, "results");
      p.child.send({ op: "finish", lastVersion: changes.at(-1).version, timeoutMs: 10_000 });
      return answer;
    }),
  );
  const rssAfter = rss(serverPid);
  closing = true;
  for (const p of procs) p.child.send({ op: "close" });

  // Latencies, per (change, socket): from the event's updated_at, which the server stamps inside
  // the transaction just before it commits, so a slight over-estimate of commit-to-arrival; and
  // from the moment the PUT's response was back here, which is after the commit, so an
  // under-estimate. The true figure lies between.
  const byVersion = new Map(changes.map((c) => [c.version, c]));
  const group = (list) => {
    const fromUpdated = [];
    const fromResponse = [];
    let missing = 0;
    for (const r of list) {
      for (const socketArrivals of r.arrivals) {
        const seen = new Map(socketArrivals);
        for (const c of changes) {
          const t = seen.get(c.version);
          if (t === undefined) missing++;
          else {
            fromUpdated.push(t - c.updatedAt);
            fromResponse.push(t - c.returned);
          }
        }
      }
      // Sockets that never connected missed everything.
      missing += (r.expected - r.arrivals.length) * changes.length;
    }
    return { fromUpdated: stats(fromUpdated), fromResponse: stats(fromResponse), missing };
  };
  results.forEach((r, i) => (r.expected = procs[i].count));
  const room = group(results.slice(0, 1));
  const everyone = group(results);
  const put = stats(changes.map((c) => c.returned - c.sent));
  const sum = (key) => results.reduce((n, r) => n + r[key], 0);
  const unknownVersions = results.some((r) => r.arrivals.some((a) => a.some(([v]) => !byVersion.has(v))));

  const ms = (x) => x.toFixed(2);
  const row = (name, sockets, g, s) =>
    console.log(
      `| ${name} | ${sockets} | ${s.count} | ${g.missing} | ${ms(s.p50)} ms | ${ms(s.p90)} ms | ${ms(s.p99)} ms | ${ms(s.max)} ms |`,
    );
  console.log(
    `${connected} of ${clientCount} sockets connected in ${(connectMs / 1000).toFixed(1)} s (${failedToConnect} failed), ` +
      `spread over ${users} team members; ${roomCount} in the project's room.`,
  );
  console.log(
    `${changes.length} status changes in ${changeSeconds.toFixed(1)} s (one per ${intervalMs} ms due); ` +
      `the PUT answered in p50 ${ms(put.p50)} ms, p99 ${ms(put.p99)} ms, max ${ms(put.max)} ms.`,
  );
  console.log();
  console.log("Commit to `project:updated` at the socket, from the event's updated_at (slightly over):");
  console.log("| clients | sockets | deliveries | missing | p50 | p90 | p99 | max |");
  console.log("|---|---|---|---|---|---|---|---|");
  row("in the room", roomCount, room, room.fromUpdated);
  row("all", clientCount, everyone, everyone.fromUpdated);
  console.log();
  console.log("The same from the moment the PUT's answer was back (after the commit, so under):");
  console.log("| clients | sockets | deliveries | missing | p50 | p90 | p99 | max |");
  console.log("|---|---|---|---|---|---|---|---|");
  row("in the room", roomCount, room, room.fromResponse);
  row("all", clientCount, everyone, everyone.fromResponse);
  console.log();
  console.log(
    `Duplicates: ${sum("duplicates")}; resyncs: ${sum("resyncs")}; sockets dropped during the run: ${sum("dropped")}` +
      (unknownVersions ? "; events of versions not changed here arrived!" : "") +
      ".",
  );
  const mb = (kb) => (kb / 1024).toFixed(1);
  if (rssBefore !== null) {
    console.log(
      `Server memory (VmRSS): ${mb(rssBefore)} MB before the sockets, ${mb(rssConnected)} MB with ${connected} connected ` +
        `= ${((rssConnected - rssBefore) / Math.max(connected, 1)).toFixed(1)} KB per connection; ` +
        `${mb(rssAfter)} MB after the changes.`,
    );
  } else {
    console.log(`Server memory: /proc/${serverPid}/status is not readable here.`);
  }
  const failed = everyone.missing > 0 || failedToConnect > 0 || sum("duplicates") > 0 || unknownVersions;
  process.exitCode = failed ? 2 : 0;
}

/** The process's resident set in KiB, or null when it is not ours to read. */
function rss(pid) {
  try {
    const line = readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmRSS:\s+(\d+) kB/m);
    return line ? Number(line[1]) : null;
  } catch {
    return null;
  }
}

/** An RFC 3339 time as ms since the epoch, keeping the sub-ms digits Date.parse drops. */
function wallMs(text) {
  const m = /^(.+T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(text);
  if (!m) throw new Error(`not an RFC 3339 time: ${text}`);
  return Date.parse(m[1] + m[3]) + (m[2] ? Number(`0.${m[2]}`) * 1000 : 0);
}

/** Nearest-rank percentiles. */
function stats(values) {
  const sorted = Float64Array.from(values).sort();
  const at = (q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] : NaN);
  return { count: sorted.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted.length ? sorted.at(-1) : NaN };
}
