// Replays requests through Polly.JS 6 in replay mode (recordIfMissing: false) and
// prints what each request was served.
//
//   node polly_replay.js PLAN.json
//
// PLAN: {"recordings_dir", "files": [{"path": "recording.har", "adapter": "node-http" |
// "fetch", "match": matchRequestsBy, "requests": [{"method", "url", "headers":
// [[name, value], ...], "body": base64}]}]}. Output as in vcr_replay.rb. Each HAR is
// copied to <recordings_dir>/<polly.recordingId>/recording.har, where Polly looks.
"use strict";
const fs = require("fs");
const path = require("path");
const https = require("https");
const http = require("http");
const { Polly } = require("@pollyjs/core");
const NodeHttpAdapter = require("@pollyjs/adapter-node-http");
const FetchAdapter = require("@pollyjs/adapter-fetch");
const FSPersister = require("@pollyjs/persister-fs");

Polly.register(NodeHttpAdapter);
Polly.register(FetchAdapter);
Polly.register(FSPersister);

// The adapter the HAR was recorded with: node-http sends through http.request,
// fetch through the global fetch. Neither decodes a content-encoded body.
function viaNodeHttp(request, body) {
  const headers = {};
  for (const [name, value] of request.headers) {
    const key = name.toLowerCase();
    headers[key] = key in headers ? [].concat(headers[key], value) : value;
  }
  const client = request.url.startsWith("https:") ? https : http;
  return new Promise((resolve, reject) => {
    const sent = client.request(request.url, { method: request.method, headers }, (res) => {
      const chunks = [];
      res.on("data", (chunk) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    sent.on("error", reject);
    sent.end(body.length ? body : undefined);
  });
}

async function viaFetch(request, body) {
  const res = await fetch(request.url, {
    method: request.method,
    headers: request.headers,
    // As the recorded clients sent it: text (Polly hashes a Buffer as its base64).
    body: body.length ? body.toString("utf8") : undefined,
  });
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
}

async function replay(file, recordingsDir, number) {
  const polly = new Polly(`replay ${number}`, {
    adapters: [file.adapter],
    adapterOptions: { fetch: { context: globalThis } },
    persister: "fs",
    persisterOptions: { fs: { recordingsDir } },
    mode: "replay",
    recordIfMissing: false,
    logLevel: "silent",
    matchRequestsBy: file.match,
  });
  const target = path.join(recordingsDir, polly.recordingId, "recording.har");
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(file.path, target);
  const send = file.adapter === "fetch" ? viaFetch : viaNodeHttp;
  const responses = [];
  try {
    for (const request of file.requests) {
      try {
        const got = await send(request, Buffer.from(request.body, "base64"));
        responses.push({ status: got.status, body: got.body.toString("base64") });
      } catch (error) {
        responses.push({ error: String(error.message).split("\n")[0] });
      }
    }
  } finally {
    await polly.stop();
  }
  return { path: file.path, responses };
}

async function main() {
  const plan = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
  const files = [];
  for (const [number, file] of plan.files.entries()) {
    files.push(await replay(file, plan.recordings_dir, number));
  }
  process.stdout.write(JSON.stringify({ files }) + "\n");
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
