// History: attempts that ended (completed, failed, cancelled), with a bulk retry of the failed.

import { api } from "./api.js";
import { actionsKey, actionsOf } from "./actions.js";
import { confirmAction, h, select, showResult, table, when } from "./dom.js";
import { downloaderFilter, fetchDownloads, titleCell } from "./queue.js";

const ENDED = ["completed", "failed", "cancelled"];

export function historyPage(refreshSoon) {
  const status = select("Status", [["", "All ended"], ...ENDED.map((s) => [s, s])], refreshSoon);
  const downloader = downloaderFilter(refreshSoon);
  const count = h("p", { class: "count" });
  const retryFailed = h("button", { type: "button", onclick: async () => {
    if (!(await confirmAction("Retry every failed download?", "Retry all failed"))) return;
    try {
      const r = await api("POST", "/downloads/retry", { status: "failed" });
      showResult(`Retried ${r.done} failed download(s); ${r.not_done} not retried`, r.not_done === 0);
    } catch (error) {
      showResult(`Retry of failed downloads: ${error.message}`, false);
    }
    refreshSoon();
  } }, "Retry all failed");
  const rows = table("Ended downloads", [
    { label: "Title", node: titleCell, key: (d) => `${d.title}\n${d.url}` },
    { label: "Type", text: (d) => d.download_type },
    { label: "Downloader", text: (d) => d.downloader || "—" },
    { label: "Status", text: (d) => d.status },
    { label: "Attempt", text: (d) => String(d.attempts) },
    { label: "Reason", text: (d) => d.reason || "" },
    { label: "Ended", text: (d) => when(d.updated_at) },
    { label: "Actions", key: actionsKey, node: (d) => actionsOf(d, refreshSoon) },
  ]);
  return {
    title: "History",
    element: h("section", {}, h("h1", {}, "History"),
      h("div", { class: "filters" }, status, downloader.label, retryFailed), count, rows.element),
    async refresh() {
      const chosen = status.querySelector("select").value;
      await downloader.load();
      const { items, total } = await fetchDownloads(chosen ? [chosen] : ENDED, downloader.value);
      count.textContent = `${items.length} shown of ${total} ended`;
      rows.show(items, (d) => d.download_id);
    },
  };
}
