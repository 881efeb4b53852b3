// The queue: downloads still on their way, newest first, filtered and searched, with actions.

import { get } from "./api.js";
import { actionsKey, actionsOf } from "./actions.js";
import { bytes, h, select, table } from "./dom.js";

export const ACTIVE = ["pending", "downloading", "downloader_error", "no_downloader"];

export function statusText(d) {
  return d.paused ? `${d.status} (paused)` : d.status;
}

// Speed (bytes/s) and ETA (s) are shown when the API reports them for a download.
export function rateText(d) {
  const parts = [];
  if (d.download_speed != null && d.download_speed > 0) parts.push(`${bytes(d.download_speed)}/s`);
  if (d.eta != null && d.eta >= 0) parts.push(`${duration(d.eta)} left`);
  return parts.join(" · ");
}

export function duration(seconds) {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

function progressCell(d) {
  const rate = rateText(d);
  return h("div", { class: "progress" },
    h("progress", { max: 1, value: d.progress, "aria-label": `progress of ${d.title}` }),
    ` ${Math.floor(d.progress * 100)} % ${bytes(d.size)}`,
    rate ? h("small", { class: "rate" }, rate) : null);
}

export function titleCell(d) {
  return h("div", {}, h("span", { class: "title" }, d.title), h("small", { class: "url" }, d.url));
}

export async function fetchDownloads(statuses, moduleId) {
  const pages = await Promise.all(statuses.map((status) =>
    get("/downloads", { status, module_id: moduleId, limit: 500 })));
  const items = pages.flatMap((page) => page.items);
  const total = pages.reduce((sum, page) => sum + page.total, 0);
  items.sort((a, b) => b.download_id - a.download_id);
  return { items, total };
}

export function downloaderFilter(onchange) {
  const label = select("Downloader", [["", "All downloaders"]], onchange);
  const control = label.querySelector("select");
  return {
    label,
    get value() { return control.value; },
    async load() {
      const services = await get("/services/downloader");
      const options = services.map((s) => [String(s.module_id), s.service_name]);
      const current = [...control.options].slice(1).map((o) => `${o.value}=${o.textContent}`).join();
      if (current === options.map(([v, t]) => `${v}=${t}`).join()) return;
      control.replaceChildren(h("option", { value: "" }, "All downloaders"),
        ...options.map(([value, text]) => h("option", { value }, text)));
    },
  };
}

export function queuePage(refreshSoon) {
  const status = select("Status", [["", "All active"], ...ACTIVE.map((s) => [s, s])], refreshSoon);
  const downloader = downloaderFilter(refreshSoon);
  const search = h("input", { type: "search", id: "f-search", oninput: () => draw() });
  const count = h("p", { class: "count" });
  const rows = table("Downloads on their way", [
    { label: "Title", node: titleCell, key: (d) => `${d.title}\n${d.url}` },
    { label: "Type", text: (d) => d.download_type },
    { label: "Downloader", text: (d) => d.downloader || "—" },
    { label: "Progress", key: (d) => `${d.progress}/${d.size}/${rateText(d)}`, node: progressCell },
    { label: "Status", text: statusText },
    { label: "Reason", text: (d) => d.reason || "" },
    { label: "Actions", key: actionsKey, node: (d) => actionsOf(d, refreshSoon) },
  ]);
  let last = { items: [], total: 0 };
  const draw = () => {
    const needle = search.value.trim().toLowerCase();
    const shown = last.items.filter((d) => d.title.toLowerCase().includes(needle));
    count.textContent = `${shown.length} shown of ${last.total} on their way`;
    rows.show(shown, (d) => d.download_id);
  };
  return {
    title: "Queue",
    pollsWhileLive: true, // progress, speed and ETA move without an event
    element: h("section", {}, h("h1", {}, "Queue"),
      h("div", { class: "filters" }, status, downloader.label,
        h("span", { class: "field" }, h("label", { for: "f-search" }, "Search titles"), search)),
      count, rows.element),
    async refresh() {
      const chosen = status.querySelector("select").value;
      await downloader.load();
      last = await fetchDownloads(chosen ? [chosen] : ACTIVE, downloader.value);
      draw();
    },
  };
}
