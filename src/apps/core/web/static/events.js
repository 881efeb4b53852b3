// Events: what happened, newest first (GET /events/latest), paging back to older ones.

import { get } from "./api.js";
import { h, table, when } from "./dom.js";

const PAGE = 50;

function subject(e) {
  if (e.download) return h("div", {}, h("span", { class: "title" }, e.download.title),
    h("small", { class: "url" }, e.download.url));
  return h("span", {}, "—");
}

const facts = (e) => e.download || e.downloader || {};

export function eventsPage(refreshSoon) {
  const rows = table("Events, newest first", [
    { label: "Time", text: (e) => when(e.occurred_at) },
    { label: "Event", text: (e) => e.type },
    { label: "Download", key: (e) => String(e.id), node: subject },
    { label: "Downloader", text: (e) => (e.download ? e.download.downloader : e.downloader?.service_name) || "—" },
    { label: "Reason", text: (e) => facts(e).reason || "" },
  ]);
  const count = h("p", { class: "count" });
  const stack = []; // the `before` of each page back from the newest: [] is the newest page
  let next = null;
  const newer = h("button", { type: "button", class: "quiet", onclick: () => {
    stack.pop();
    refreshSoon();
  } }, "Newer");
  const older = h("button", { type: "button", class: "quiet", onclick: () => {
    stack.push(next);
    refreshSoon();
  } }, "Older");
  const pager = h("div", { class: "pager" }, newer, older);
  return {
    title: "Events",
    element: h("section", {}, h("h1", {}, "Events"), count, rows.element, pager),
    async refresh() {
      const before = stack.length ? stack[stack.length - 1] : undefined;
      const found = await get("/events/latest", { limit: PAGE, before });
      next = found.next_before;
      older.disabled = next == null;
      newer.disabled = stack.length === 0;
      pager.hidden = older.disabled && newer.disabled;
      count.textContent = found.items.length
        ? `${stack.length ? "Older events" : "The latest events"}, newest first (page ${stack.length + 1})`
        : "No events yet";
      rows.show(found.items, (e) => e.id);
    },
    onEvent() {
      if (stack.length === 0) refreshSoon(); // a page further back does not move
    },
  };
}
