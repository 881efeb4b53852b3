// Downloaders: each service's types, priority (editable), enabled switch, health; remove.

import { api, get } from "./api.js";
import { confirmAction, h, showResult, table, when } from "./dom.js";

function healthText(s) {
  if (!s.health.failures) return "ok";
  return `${s.health.failures} failure(s) in a row`;
}

export function downloadersPage(refreshSoon) {
  const change = async (s, patch, text) => {
    try {
      await api("PATCH", `/services/${s.module_id}`, patch);
      showResult(text, true);
    } catch (error) {
      showResult(`${s.service_name}: ${error.message}`, false);
    }
    refreshSoon();
  };
  const priorityForm = (s) => {
    const id = `priority-${s.module_id}`;
    const input = h("input", { type: "number", id, min: 0, max: 1000, required: true, value: String(s.priority) });
    return h("form", { class: "inline", onsubmit: (event) => {
      event.preventDefault();
      change(s, { priority: Number(input.value) }, `${s.service_name}: priority ${input.value}`);
    } }, h("label", { for: id, class: "visually-hidden" }, `Priority of ${s.service_name}`), input,
    h("button", { type: "submit" }, "Save"));
  };
  const enabledSwitch = (s) => h("label", { class: "switch" },
    h("input", { type: "checkbox", checked: s.is_enabled, onchange: (event) => change(s,
      { is_enabled: event.target.checked },
      `${s.service_name} ${event.target.checked ? "enabled" : "disabled"}`) }),
    s.is_enabled ? "enabled" : "disabled");
  const remove = (s) => h("button", { type: "button", class: "danger", "aria-label": `Remove ${s.service_name}`,
    onclick: async () => {
      if (!(await confirmAction(`Remove ${s.service_name}? It gets no new downloads until it registers again.`, "Remove"))) return;
      try {
        await api("DELETE", `/services/${s.module_id}`);
        showResult(`Removed ${s.service_name}`, true);
      } catch (error) {
        showResult(`${s.service_name} not removed: ${error.message}`, false);
      }
      refreshSoon();
    } }, "Remove");
  const rows = table("Downloaders", [
    { label: "Name", text: (s) => s.service_name },
    { label: "Address", text: (s) => `${s.host}:${s.port}` },
    { label: "Types", text: (s) => s.capabilities.supported_download_types.join(", ") },
    { label: "Priority", key: (s) => String(s.priority), node: priorityForm },
    { label: "Enabled", key: (s) => String(s.is_enabled), node: enabledSwitch },
    { label: "Health", text: healthText },
    { label: "Back-off until", text: (s) => when(s.health.backoff_until) },
    { label: "Last error", text: (s) => s.health.last_error || "" },
    { label: "Remove", key: () => "remove", node: remove },
  ]);
  const count = h("p", { class: "count" });
  return {
    title: "Downloaders",
    element: h("section", {}, h("h1", {}, "Downloaders"), count, rows.element),
    async refresh() {
      const services = await get("/services/downloader");
      count.textContent = `${services.length} registered`;
      rows.show(services, (s) => s.module_id);
    },
  };
}
