// A Socket.IO test client for the Rust tests: the official `socket.io-client`, driven by JSON
// lines on stdin, reporting everything it hears as JSON lines on stdout.
//
//   {"op":"connect","name":"ann","token":"...","transports":["websocket"]}
//   {"op":"emit","name":"ann","event":"subscribe","data":{"project_id":"..."},"id":1}
//   {"op":"close","name":"ann"}
//
// Out: {"name","type":"connect"|"connect_error"|"disconnect"|"event"|"ack", ...}.
import { createInterface } from "node:readline";
import { io } from "socket.io-client";

const url = process.argv[2];
const sockets = new Map();
const out = (line) => process.stdout.write(JSON.stringify({ ...line, t: performance.timeOrigin + performance.now() }) + "\n");

function connect({ name, token, transports }) {
  const socket = io(url, {
    auth: token === undefined ? {} : { token },
    transports: transports ?? ["websocket"],
    reconnection: false,
    forceNew: true,
    timeout: 10_000,
  });
  socket.on("connect", () => out({ name, type: "connect", id: socket.id }));
  socket.on("connect_error", (e) => out({ name, type: "connect_error", message: e.message }));
  socket.on("disconnect", (reason) => out({ name, type: "disconnect", reason }));
  socket.onAny((event, data) => out({ name, type: "event", event, data }));
  sockets.set(name, socket);
}

createInterface({ input: process.stdin }).on("line", (line) => {
  const cmd = JSON.parse(line);
  const socket = sockets.get(cmd.name);
  switch (cmd.op) {
    case "connect":
      connect(cmd);
      break;
    case "emit":
      socket.timeout(5_000).emit(cmd.event, cmd.data, (err, reply) =>
        out({ name: cmd.name, type: "ack", id: cmd.id, data: err ? { timeout: true } : reply }),
      );
      break;
    case "close":
      socket.close();
      break;
  }
}).on("close", () => {
  for (const s of sockets.values()) s.close();
  process.exit(0);
});
out({ name: "", type: "ready" });
