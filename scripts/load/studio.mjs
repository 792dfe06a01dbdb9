#!/usr/bin/env node
// A studio's day at ten times the seed's team, for scripts/load/studio.sh:
//
//   node scripts/load/studio.mjs BASE
//
// with LOAD_EMAIL / LOAD_PASSWORD naming an admin, in a database `petpixel seed-demo` filled (its
// eight projects with processed art are the ones built). Through the API it makes MEMBERS (500)
// people, a fifth managers, and PROJECTS (2,000) orders spread over the artists; each member then
// holds a socket and works for DURATION_SECS (300) with a few seconds' thought between steps:
//
//   artists:  list pages (any status, sort and page), the board (a status, 50 a page), project
//             pages with their activity, notes on their own projects, photo uploads, unread counts;
//   managers: the same reads, status moves of their own share of projects, notes, new orders,
//             builds of the demo games, the workload stats.
//
// Every request's time is taken from send to the last byte of the answer; the report gives, for
// reads, writes and uploads, the count, rate, p50/p95/p99/max and every unexpected answer; the
// sockets' events; and each replica's resident memory (REPLICA_PIDS, from /proc) a minute in and at
// the end. The sockets live in a child process (this file with `--sockets`), so that parsing their
// events does not delay the timing of requests.

import { fork } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { deflateSync } from "node:zlib";

const require = createRequire(new URL("../../e2e/package.json", import.meta.url));
const { io } = require("socket.io-client");

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const now = () => performance.now();
const pick = (list) => list[Math.floor(Math.random() * list.length)];

if (process.argv[2] === "--sockets") {
  sockets();
} else {
  main().catch((e) => {
    console.error(e instanceof Error ? e.stack : e);
    process.exit(1);
  });
}

// ---------------------------------------------------------------------------------------------
// The sockets' process: one per member, counting what arrives.

function sockets() {
  const open = [];
  let events = 0;
  let dropped = 0;
  let failed = 0;
  let closing = false;
  process.on("message", async (msg) => {
    if (msg.op === "connect") {
      let next = 0;
      const worker = async () => {
        while (next < msg.tokens.length) {
          const token = msg.tokens[next++];
          try {
            await new Promise((resolve, reject) => {
              const socket = io(msg.base, { auth: { token }, transports: ["websocket"], forceNew: true, timeout: 20_000 });
              socket.onAny(() => events++);
              socket.on("disconnect", () => {
                if (!closing) dropped++;
              });
              socket.once("connect", () => {
                open.push(socket);
                resolve();
              });
              socket.once("connect_error", reject);
            });
          } catch (e) {
            if (++failed <= 3) console.error(`a socket did not connect: ${e.message}`);
          }
        }
      };
      await Promise.all(Array.from({ length: 16 }, worker));
      process.send({ op: "ready", connected: open.length, failed });
    } else if (msg.op === "report") {
      process.send({ op: "report", events, dropped, connected: open.filter((s) => s.connected).length });
    } else if (msg.op === "close") {
      closing = true;
      for (const s of open) s.close();
      process.disconnect();
    }
  });
}

// ---------------------------------------------------------------------------------------------
// The team at work.

async function main() {
  const base = process.argv[2];
  if (!base) throw new Error("usage: studio.mjs BASE");
  const memberCount = Number(process.env.MEMBERS ?? 500);
  const projectCount = Number(process.env.PROJECTS ?? 2000);
  const seconds = Number(process.env.DURATION_SECS ?? 300);
  const thinkMs = [Number(process.env.THINK_MIN_MS ?? 2000), Number(process.env.THINK_MAX_MS ?? 8000)];
  const pids = (process.env.REPLICA_PIDS ?? "").split(/\s+/).filter(Boolean).map(Number);

  const stats = { read: [], write: [], upload: [] };
  const errors = new Map();
  const firstErrors = new Map();
  let measuring = false;

  // One request, timed to its last byte; `expect` lists the statuses that are not errors.
  async function call(method, path, token, body, expect = [200], kind = method === "GET" ? "read" : "write") {
    const headers = { "user-agent": "petpixel-load-studio", "accept-encoding": "gzip, br" };
    if (token) headers.authorization = `Bearer ${token}`;
    let payload;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      headers["content-type"] = "application/json";
      payload = JSON.stringify(body);
    }
    const started = now();
    let status = 0;
    let text = "";
    try {
      const response = await fetch(`${base}/api/v1${path}`, { method, headers, body: payload });
      status = response.status;
      text = await response.text();
    } catch (e) {
      text = e.message;
    }
    const took = now() - started;
    if (measuring) stats[kind].push(took);
    if (!expect.includes(status)) {
      const what = `${method} ${path.replace(/[0-9a-f-]{36}/g, "{id}").replace(/\?.*/, "")} -> ${status}`;
      if (measuring) {
        if (!errors.has(what)) firstErrors.set(what, text.slice(0, 300));
        errors.set(what, (errors.get(what) ?? 0) + 1);
      }
      if (!measuring) throw new Error(`${what}: ${text.slice(0, 300)}`);
      return null;
    }
    return text ? JSON.parse(text) : null;
  }

  // A bounded number at once, as a setup step.
  async function inParallel(count, width, step) {
    let next = 0;
    const results = new Array(count);
    await Promise.all(
      Array.from({ length: width }, async () => {
        while (next < count) {
          const i = next++;
          results[i] = await step(i);
        }
      }),
    );
    return results;
  }

  const login = async (email, password) => (await call("POST", "/auth/login", null, { email, password })).access_token;
  const admin = await login(process.env.LOAD_EMAIL, process.env.LOAD_PASSWORD);

  // The demo's games-to-be: projects whose art is processed, with the assets a runner takes.
  console.error("waiting for the demo art to be processed...");
  let buildable = [];
  for (let tries = 0; tries < 240 && buildable.length === 0; tries++) {
    const page = await call("GET", "/projects?limit=100&sort=created_at", admin);
    // An express game takes the template's own sounds: its builds may not fill `jump_sound`.
    for (const p of page.items.filter((p) => p.package_type !== "express")) {
      const assets = await call("GET", `/projects/${p.id}/assets`, admin);
      const ready = (type) => assets.find((a) => a.asset_type === type && a.processing_status === "ready")?.id;
      const slots = { hero: ready("sprite"), background: ready("background"), jump_sound: ready("sound") };
      if (Object.values(slots).every(Boolean)) buildable.push({ id: p.id, slots });
    }
    if (buildable.length === 0) await sleep(500);
  }
  if (buildable.length === 0) throw new Error("no demo project's art was processed");

  console.error(`making ${memberCount} members...`);
  const password = "studio load password 1";
  const stamp = Date.now().toString(36);
  const members = await inParallel(memberCount, 4, async (i) => {
    const role = i % 5 === 0 ? "manager" : "artist";
    const email = `member-${stamp}-${i}@load.example`;
    const user = await call("POST", "/users", admin, { email, password, first_name: `Member ${i}`, role }, [201]);
    return { i, role, id: user.id, email, token: null, projects: [] };
  });
  await inParallel(memberCount, 4, async (i) => {
    members[i].token = await login(members[i].email, password);
  });
  const artists = members.filter((m) => m.role === "artist");
  const managers = members.filter((m) => m.role === "manager");

  console.error(`making ${projectCount} orders...`);
  const statuses = {};
  await inParallel(projectCount, 8, async (n) => {
    const manager = managers[n % managers.length];
    const project = await call("POST", "/projects", manager.token, order(n), [201]);
    const artist = artists[n % artists.length];
    await call("PUT", `/projects/${project.id}/assignee`, manager.token, { artist_id: artist.id });
    artist.projects.push(project.id);
    manager.projects.push(project.id);
    statuses[project.id] = "backlog";
  });

  console.error(`connecting ${memberCount} sockets...`);
  const socketsChild = fork(fileURLToPath(import.meta.url), ["--sockets"], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const reply = (op) => new Promise((resolve) => socketsChild.on("message", (m) => m.op === op && resolve(m)));
  const ready = reply("ready");
  socketsChild.send({ op: "connect", base, tokens: members.map((m) => m.token) });
  const connected = await ready;

  const photo = png(320, 240);
  const steps = {
    list: (m) => {
      const sort = pick(["created_at", "updated_at", "deadline", "priority", "status", "pet_name", "customer_name"]);
      const status = pick(["", "&status=backlog", "&status=in_progress", "&status=review"]);
      const offset = 20 * Math.floor(Math.random() * Math.random() * 50);
      return call("GET", `/projects?limit=20&offset=${offset}&sort=${Math.random() < 0.5 ? "-" : ""}${sort}${status}`, m.token);
    },
    board: (m) => call("GET", `/projects?limit=50&status=${pick(["backlog", "in_progress", "review"])}&sort=-updated_at`, m.token),
    mine: (m) => call("GET", "/projects?assigned_to=me&limit=50", m.token),
    page: async (m) => {
      const id = pick(m.projects.length && Math.random() < 0.7 ? m.projects : Object.keys(statuses));
      await call("GET", `/projects/${id}`, m.token);
      await call("GET", `/projects/${id}/activity?limit=20`, m.token);
    },
    note: (m) => call("PATCH", `/projects/${pick(m.projects)}`, m.token, { notes: `Checked at ${new Date().toISOString()} by member ${m.i}` }),
    upload: (m) => {
      const form = new FormData();
      form.append("asset_type", "photo");
      form.append("file", new Blob([photo], { type: "image/png" }), `pet-${m.i}.png`);
      return call("POST", `/projects/${pick(m.projects)}/assets`, m.token, form, [201, 202], "upload");
    },
    unread: (m) => call("GET", "/notifications/unread-count", m.token),
    move: (m) => {
      const id = pick(m.projects);
      const to = { backlog: "in_progress", in_progress: "review", review: "in_progress" }[statuses[id]];
      statuses[id] = to;
      return call("PUT", `/projects/${id}/status`, m.token, { status: to });
    },
    create: async (m) => {
      const project = await call("POST", "/projects", m.token, order(Math.floor(Math.random() * 1e9)), [201]);
      if (project) statuses[project.id] = "backlog";
    },
    build: (m) => {
      const game = pick(buildable);
      return call("POST", `/projects/${game.id}/builds`, m.token, { template: "runner", slots: game.slots }, [202]);
    },
    stats: (m) => call("GET", "/projects/stats", m.token),
  };
  // Weights per role (out of 100).
  const plans = {
    artist: { list: 30, board: 15, mine: 8, page: 25, note: 10, upload: 4, unread: 8 },
    manager: { list: 25, board: 15, page: 20, move: 14, note: 8, create: 6, upload: 3, build: 2, stats: 4, unread: 3 },
  };
  const choose = (role) => {
    let r = Math.random() * 100;
    for (const [step, weight] of Object.entries(plans[role])) {
      if ((r -= weight) < 0) return step;
    }
    return "list";
  };

  console.error(`working for ${seconds} s...`);
  const started = Date.now();
  const deadline = started + seconds * 1000;
  const memory = [];
  const sampler = setInterval(() => memory.push({ at: Math.round((Date.now() - started) / 1000), rss: pids.map(rss) }), 10_000);
  measuring = true;
  await Promise.all(
    members.map(async (m) => {
      // Spread the first steps over the first think time.
      await sleep(Math.random() * thinkMs[1]);
      while (Date.now() < deadline) {
        await steps[choose(m.role)](m);
        await sleep(thinkMs[0] + Math.random() * (thinkMs[1] - thinkMs[0]));
      }
    }),
  );
  measuring = false;
  clearInterval(sampler);
  memory.push({ at: Math.round((Date.now() - started) / 1000), rss: pids.map(rss) });
  const elapsed = (Date.now() - started) / 1000;
  const report = reply("report");
  socketsChild.send({ op: "report" });
  const heard = await report;
  socketsChild.send({ op: "close" });

  const q = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
  const ms = (v) => `${v.toFixed(1)} ms`;
  console.log(`| requests | count | per second | p50 | p95 | p99 | max |`);
  console.log(`|---|---|---|---|---|---|---|`);
  for (const [kind, times] of Object.entries(stats)) {
    const sorted = times.sort((a, b) => a - b);
    console.log(
      `| ${kind} | ${sorted.length} | ${(sorted.length / elapsed).toFixed(1)} | ${ms(q(sorted, 50))} | ${ms(q(sorted, 95))} | ${ms(q(sorted, 99))} | ${ms(q(sorted, 100))} |`,
    );
  }
  const errorCount = [...errors.values()].reduce((a, b) => a + b, 0);
  console.log(`\nmembers: ${memberCount} (${managers.length} managers), projects: ${projectCount} + the demo's, ${elapsed.toFixed(0)} s`);
  console.log(`unexpected answers: ${errorCount}${errorCount ? "" : " (none)"}`);
  for (const [what, n] of errors) console.log(`  ${n} x ${what}, the first: ${firstErrors.get(what)}`);
  console.log(
    `sockets: ${connected.connected} connected (${connected.failed} failed), ${heard.connected} still connected at the end, ${heard.dropped} dropped, ${heard.events} events heard`,
  );
  if (pids.length) {
    const mb = (kb) => `${(kb / 1024).toFixed(0)}`;
    console.log("resident memory per replica (MB), each minute:");
    for (const sample of memory.filter((s, i) => s.at % 60 < 10 || i === memory.length - 1)) {
      console.log(`  ${String(sample.at).padStart(4)} s: ${sample.rss.map(mb).join(", ")}`);
    }
  }
  process.exit(errorCount === 0 ? 0 : 1);
}

function order(n) {
  const pets = ["Buttercup", "Pepper", "Milo", "Luna", "Biscuit", "Nova", "Olive", "Ziggy"];
  const deadline = new Date(Date.now() + ((n % 60) - 10) * 86_400_000).toISOString().slice(0, 10);
  return {
    customer_name: `Customer ${n}`,
    customer_email: `customer-${n}@shop.example`,
    pet_name: `${pets[n % pets.length]} ${n}`,
    package_type: ["express", "custom", "premium"][n % 3],
    priority: ["low", "normal", "high", "urgent"][n % 4],
    deadline,
    game_config: { theme: "space adventure", difficulty: "easy", features: ["leaderboard"] },
  };
}

function rss(pid) {
  try {
    const line = readFileSync(`/proc/${pid}/status`, "utf8")
      .split("\n")
      .find((l) => l.startsWith("VmRSS:"));
    return Number(line.split(/\s+/)[1]);
  } catch {
    return 0;
  }
}

// A photo as a phone's export would carry it, if smaller: an RGB PNG of a sky, grass and a pet,
// with noise so that it does not compress to nothing.
function png(width, height) {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0;
    for (let x = 0; x < width; x++) {
      const o = y * (width * 3 + 1) + 1 + x * 3;
      const pet = (x - width / 2) ** 2 + (y - height * 0.6) ** 2 < (height / 4) ** 2;
      const [r, g, b] = pet ? [200, 140, 60] : y < height / 2 ? [120, 180, 240] : [80, 170, 70];
      const noise = () => Math.floor(Math.random() * 24) - 12;
      raw[o] = Math.max(0, Math.min(255, r + noise()));
      raw[o + 1] = Math.max(0, Math.min(255, g + noise()));
      raw[o + 2] = Math.max(0, Math.min(255, b + noise()));
    }
  }
  const chunk = (type, data) => {
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    out.write(type, 4, "ascii");
    data.copy(out, 8);
    out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

function crc32(bytes) {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}
