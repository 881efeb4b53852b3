// The page: sign-in when Core has a token, hash routes to the pages, and live data from Core's
// event stream, with a modest poll for what no event reports (progress) or when the stream fails.

import { api, ApiError, token } from "./api.js";
import { downloadersPage } from "./downloaders.js";
import { h, showResult } from "./dom.js";
import { eventsPage } from "./events.js";
import { historyPage } from "./history.js";
import { follow } from "./live.js";
import { queuePage } from "./queue.js";

// Progress moves without an event, so the queue asks again this often; every page does when
// the stream is down. Outcomes (dispatched, completed, failed, ...) arrive at once as events.
const POLL_MS = 10000;
const PAGES = {
  "#/queue": queuePage, "#/history": historyPage, "#/downloaders": downloadersPage, "#/events": eventsPage,
};
const main = document.getElementById("main");
const nav = document.getElementById("nav");
const signOut = document.getElementById("sign-out");
const tokenRequired = document.body.dataset.tokenRequired === "true";

let current = null;
let stream = null;
let streaming = false;
let busy = false;
let again = false; // asked for while one was running: run once more, with the latest filters
const stamp = h("p", { class: "stamp", "aria-live": "off" });

async function refresh() {
  if (!current) return;
  if (busy) {
    again = true;
    return;
  }
  busy = true;
  try {
    await current.refresh();
    const how = streaming ? "live" : `event stream unavailable, asking every ${POLL_MS / 1000} s`;
    stamp.textContent = `Updated ${new Date().toLocaleTimeString()} (${how})`;
    stamp.classList.remove("bad");
  } catch (error) {
    stamp.textContent = `Not updated: ${error.message}`;
    stamp.classList.add("bad");
  } finally {
    busy = false;
    if (again) {
      again = false;
      refreshSoon();
    }
  }
}

function refreshSoon() {
  setTimeout(refresh, 0);
}

function route() {
  if (tokenRequired && !token.get()) return signIn();
  const hash = PAGES[location.hash] ? location.hash : "#/queue";
  nav.hidden = false;
  signOut.hidden = !tokenRequired;
  for (const link of nav.querySelectorAll("a")) {
    link.toggleAttribute("aria-current", link.getAttribute("href") === hash);
    if (link.hasAttribute("aria-current")) link.setAttribute("aria-current", "page");
  }
  current = PAGES[hash](refreshSoon);
  if (!stream) stream = follow({ onEvent, onState });
  document.title = `${current.title} · bangumi-dispatch`;
  main.replaceChildren(current.element, stamp);
  refreshSoon();
}

function onEvent(event) {
  if (current && current.onEvent) current.onEvent(event);
  else refreshSoon();
}

function onState(up) {
  if (up === streaming) return;
  streaming = up;
  refreshSoon(); // catch up on what happened while the stream was down
}

function poll() {
  if (document.hidden || !current) return;
  if (!streaming || current.pollsWhileLive) refresh();
}

function signIn(message = "") {
  current = null;
  if (stream) stream.stop();
  stream = null;
  streaming = false;
  nav.hidden = true;
  signOut.hidden = true;
  const input = h("input", { type: "password", id: "token", autocomplete: "current-password", required: true });
  const error = h("p", { class: "bad", role: "alert" }, message);
  const form = h("form", { class: "sign-in", onsubmit: async (event) => {
    event.preventDefault();
    try {
      await api("POST", "/ui/session", undefined, input.value);
      token.set(input.value);
      showResult("Signed in", true);
      route();
    } catch (failure) {
      error.textContent = failure instanceof ApiError && failure.status === 401
        ? "Core refused that token." : failure.message;
    }
  } },
  h("h1", {}, "Sign in"),
  h("p", {}, "Core asks for its API token (DISPATCH_API_TOKEN). It is kept in this browser."),
  h("label", { for: "token" }, "API token"), input, error,
  h("button", { type: "submit" }, "Sign in"));
  document.title = "Sign in · bangumi-dispatch";
  main.replaceChildren(form);
  input.focus();
}

window.addEventListener("token-refused", () => {
  if (!tokenRequired || !token.get()) return;
  token.clear();
  signIn("Core refused the stored token; sign in again.");
});
signOut.addEventListener("click", () => {
  token.clear();
  showResult("Signed out", true);
  signIn();
});
window.addEventListener("hashchange", route);
setInterval(poll, POLL_MS);
route();
