// The operator's actions on one download; each shows its result, destructive ones ask first.

import { api } from "./api.js";
import { confirmAction, h, showResult } from "./dom.js";

const RETRYABLE = new Set(["failed", "cancelled", "downloader_error", "no_downloader"]);
const CANCELLABLE = new Set(["pending", "downloading", "downloader_error", "no_downloader"]);

export function actionsKey(d) {
  return `${d.status}/${d.paused}`;
}

export function actionsOf(d, refresh) {
  const name = `download ${d.download_id}`;
  const run = (work) => async () => {
    try {
      const [text, ok] = await work();
      showResult(text, ok);
    } catch (error) {
      showResult(`${name}: ${error.message}`, false);
    }
    refresh();
    // The row's buttons may be rebuilt for the new status: keep keyboard users on the page.
    if (!document.activeElement || document.activeElement === document.body) {
      document.getElementById("main").focus();
    }
  };
  const button = (label, work, cls) =>
    h("button", { type: "button", class: cls, "aria-label": `${label} ${d.title}`, onclick: run(work) }, label);
  const buttons = [];
  if (d.status === "downloading") {
    const verb = d.paused ? "resume" : "pause";
    buttons.push(button(d.paused ? "Resume" : "Pause", async () => {
      await api("POST", `/downloads/${d.download_id}/${verb}`);
      return [`${d.paused ? "Resumed" : "Paused"} ${name}`, true];
    }));
  }
  if (RETRYABLE.has(d.status)) {
    buttons.push(button("Retry", async () => {
      const r = await api("POST", `/downloads/${d.download_id}/retry`);
      return r.done ? [`Retried ${name} as download ${r.new_download_id}`, true]
        : [`${name} not retried: ${r.reason}`, false];
    }));
  }
  if (CANCELLABLE.has(d.status)) {
    buttons.push(button("Cancel", async () => {
      if (!(await confirmAction(`Cancel "${d.title}"? Its downloader drops it.`, "Cancel download"))) {
        return [`${name} left as it was`, true];
      }
      const { results: [r] } = await api("POST", "/downloads/cancel", { download_ids: [d.download_id] });
      return r.done ? [`Cancelled ${name}`, true] : [`${name} not cancelled: ${r.reason}`, false];
    }, "danger"));
  }
  return h("div", { class: "actions" }, buttons);
}
