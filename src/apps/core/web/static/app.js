// The page: sign-in when Core has a token, hash routes to the pages, and polling for live data.

import { api, ApiError, token } from "./api.js";
import { downloadersPage } from "./downloaders.js";
import { h, showResult } from "./dom.js";
import { historyPage } from "./history.js";
import { queuePage } from "./queue.js";

const EVERY_MS = 3000; // until Core streams events, the page asks again every few seconds
const PAGES = { "#/queue": queuePage, "#/history": historyPage, "#/downloaders": downloadersPage };
const main = document.getElementById("main");
const nav = document.getElementById("nav");
const signOut = document.getElementById("sign-out");
const tokenRequired = document.body.dataset.tokenRequired === "true";

let current = null;
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
    stamp.textContent = `Updated ${new Date().toLocaleTimeString()}`;
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
  document.title = `${current.title} · bangumi-dispatch`;
  main.replaceChildren(current.element, stamp);
  refreshSoon();
}

function signIn(message = "") {
  current = null;
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
setInterval(() => document.hidden || refresh(), EVERY_MS);
route();
