// Core's event stream (GET /events/stream) read with fetch(), so it carries the bearer header.
//
// EventSource cannot send an Authorization header; putting the token in the URL would leave
// it in access logs and history. fetch() with a small Server-Sent Events parser sends the
// same header as every other call and resumes with Last-Event-ID, as EventSource would.

import { token } from "./api.js";

const MAX_BACKOFF_MS = 30000;

// Splits a text/event-stream into messages: {id, event, data}; comments are skipped.
export function parser(onMessage) {
  let buffer = "";
  let message = { data: [] };
  const line = (text) => {
    if (text === "") {
      if (message.data.length || message.retry) onMessage({ ...message, data: message.data.join("\n") });
      message = { data: [] };
      return;
    }
    if (text.startsWith(":")) return;
    const colon = text.indexOf(":");
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? "" : text.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") message.data.push(value);
    else if (field === "id" || field === "event" || field === "retry") message[field] = value;
  };
  return (chunk) => {
    buffer += chunk;
    const lines = buffer.split(/\r\n|\r|\n/);
    buffer = lines.pop();
    lines.forEach(line);
  };
}

// Follows the stream until stop(): onEvent(event) for each event, onState(true|false) as the
// stream opens or fails. A stream Core ends (every 30 s) is reopened shortly, where it was.
export function follow({ onEvent, onState }) {
  let lastId = null;
  let stopped = false;
  let controller = null;
  let backoff = 1000;
  let reconnectMs = 500; // until Core says otherwise with `retry:`

  async function once() {
    controller = new AbortController();
    const headers = { Accept: "text/event-stream" };
    const bearer = token.get();
    if (bearer) headers.Authorization = `Bearer ${bearer}`;
    if (lastId !== null) headers["Last-Event-ID"] = lastId;
    const response = await fetch("/events/stream", { headers, signal: controller.signal, cache: "no-store" });
    if (response.status === 401) window.dispatchEvent(new Event("token-refused"));
    if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
    onState(true);
    backoff = 1000;
    const feed = parser((message) => {
      if (message.id) lastId = message.id;
      if (/^\d+$/.test(message.retry || "")) reconnectMs = Number(message.retry);
      if (!message.data) return;
      let event;
      try {
        event = JSON.parse(message.data);
      } catch {
        return; // a message that is not an event (Core sends none) is ignored
      }
      onEvent(event);
    });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      feed(value);
    }
  }

  (async () => {
    while (!stopped) {
      let wait = reconnectMs; // Core ended the stream: reopen after the last id shortly
      try {
        await once();
      } catch {
        if (stopped) return;
        onState(false);
        wait = backoff;
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  })();

  return {
    stop() {
      stopped = true;
      if (controller) controller.abort();
    },
  };
}
