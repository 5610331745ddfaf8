// Records requests with Polly.JS 6 and prints the HAR entries its persister writes,
// each with the `_id` Polly gave it: tests/test_polly_id.py checks
// recctl.containers.polly_id.entry_id against them.
//
//   node polly_id.js PLAN.json
//
// PLAN: {"configs": [matchRequestsBy, ...], "requests": [{"via": "node-http" |
// "fetch", "method", "url", "headers": [[name, value | [values]], ...], "body":
// string | {"base64": string} | null}], "redact": [header name, ...]?}. For each
// config, one Polly instance in record mode sends every request through the real
// adapter; only the adapter's network call is replaced by a fixed answer, so nothing
// leaves the machine. With "redact", a beforePersist handler writes "[REDACTED]"
// over those request headers in the stored entry (as tests scrub keys), after Polly
// hashed the real value.
// Output (stdout): JSON [[entry, ...] per config], entries in request order.
// Modules are found next to this file (tests/replayers/node_modules) or on NODE_PATH.
"use strict";
const fs = require("fs");
const http = require("http");
const https = require("https");
const { Polly } = require("@pollyjs/core");
const NodeHttpAdapter = require("@pollyjs/adapter-node-http");
const FetchAdapter = require("@pollyjs/adapter-fetch");
const Persister = require("@pollyjs/persister");

const ANSWER = { statusCode: 200, headers: { "content-type": "text/plain" }, body: "ok" };

class OfflineHttp extends NodeHttpAdapter {
  static get id() {
    return "node-http";
  }
  async onFetchResponse() {
    return { ...ANSWER };
  }
}

class OfflineFetch extends FetchAdapter {
  static get id() {
    return "fetch";
  }
  async onFetchResponse() {
    return { ...ANSWER };
  }
}

const saved = new Map();

class MemoryPersister extends Persister {
  static get id() {
    return "memory";
  }
  onFindRecording() {
    return null;
  }
  onSaveRecording(recordingId, har) {
    saved.set(recordingId, JSON.parse(JSON.stringify(har)));
  }
  onDeleteRecording(recordingId) {
    saved.delete(recordingId);
  }
}

Polly.register(OfflineHttp);
Polly.register(OfflineFetch);
Polly.register(MemoryPersister);

function bodyOf(request) {
  if (request.body === null || request.body === undefined) return undefined;
  if (typeof request.body === "string") return request.body;
  return Buffer.from(request.body.base64, "base64");
}

function viaNodeHttp(request) {
  const headers = {};
  for (const [name, value] of request.headers) headers[name] = value;
  const client = request.url.startsWith("https:") ? https : http;
  return new Promise((resolve, reject) => {
    const sent = client.request(request.url, { method: request.method, headers }, (res) => {
      res.on("data", () => {});
      res.on("end", resolve);
      res.on("error", reject);
    });
    sent.on("error", reject);
    const body = bodyOf(request);
    sent.end(body === undefined ? undefined : body);
  });
}

async function viaFetch(request) {
  const res = await fetch(request.url, {
    method: request.method,
    headers: request.headers,
    body: bodyOf(request),
  });
  await res.arrayBuffer();
}

async function record(config, number, requests, redact) {
  const polly = new Polly(`polly id ${number}`, {
    adapters: ["node-http", "fetch"],
    adapterOptions: { fetch: { context: globalThis } },
    persister: "memory",
    persisterOptions: { disableSortingHarEntries: true },
    mode: "record",
    recordIfMissing: true,
    matchRequestsBy: config,
    logLevel: "silent",
  });
  polly.server.any().on("beforePersist", (_req, entry) => {
    for (const header of entry.request.headers) {
      if (redact.includes(header.name)) header.value = "[REDACTED]";
    }
  });
  try {
    for (const request of requests) {
      if (request.via === "fetch") await viaFetch(request);
      else await viaNodeHttp(request);
    }
    await polly.flush();
  } finally {
    await polly.stop();
  }
  return saved.get(polly.recordingId).log.entries;
}

async function main() {
  const plan = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
  const out = [];
  for (let i = 0; i < plan.configs.length; i++) {
    out.push(await record(plan.configs[i], i, plan.requests, plan.redact || []));
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((err) => {
  process.stderr.write(String((err && err.stack) || err) + "\n");
  process.exit(1);
});
