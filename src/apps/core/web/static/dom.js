// DOM helpers: every text goes in as a text node, so titles, URLs and reasons stay inert.

export function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value == null || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name in node && typeof value !== "string") node[name] = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child == null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// A table whose rows are kept across refreshes (by key), so focus and scroll survive polling.
// columns: [{label, text: item => string}] or [{label, node: item => Node, key: item => string}]
export function table(caption, columns) {
  const tbody = h("tbody");
  const element = h("table", {},
    h("caption", { class: "visually-hidden" }, caption),
    h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col" }, c.label)))),
    tbody);
  const build = (key) => h("tr", { "data-key": key },
    columns.map((c) => h("td", { "data-label": c.label })));
  const update = (row, item) => columns.forEach((column, i) => {
    const cell = row.cells[i];
    if (column.text) {
      const text = column.text(item) ?? "";
      if (cell.textContent !== text) cell.textContent = text;
    } else {
      const key = column.key(item);
      if (cell.dataset.key !== key) {
        cell.dataset.key = key;
        cell.replaceChildren(column.node(item));
      }
    }
  });
  return {
    element,
    show(items, keyOf) {
      const old = new Map([...tbody.rows].map((row) => [row.dataset.key, row]));
      let previous = null;
      for (const item of items) {
        const key = String(keyOf(item));
        const row = old.get(key) || build(key);
        old.delete(key);
        update(row, item);
        const wanted = previous ? previous.nextSibling : tbody.firstChild;
        if (row !== wanted) tbody.insertBefore(row, wanted);
        previous = row;
      }
      for (const row of old.values()) row.remove();
    },
  };
}

export function showResult(text, ok = true) {
  const result = document.getElementById("result");
  result.className = ok ? "ok" : "bad";
  result.textContent = text;
}

// A modal question; resolves true only when the operator confirms.
export function confirmAction(question, verb) {
  const dialog = document.getElementById("confirm");
  document.getElementById("confirm-text").textContent = question;
  document.getElementById("confirm-yes").textContent = verb;
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "yes"), { once: true });
  });
}

export function bytes(size) {
  if (size == null || size <= 0) return "";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  const power = Math.min(Math.floor(Math.log(size) / Math.log(1024)), units.length - 1);
  return `${(size / 1024 ** power).toFixed(power ? 1 : 0)} ${units[power]}`;
}

export function when(iso) {
  return iso ? new Date(iso).toLocaleString() : "";
}

export function select(label, options, onchange) {
  const id = `f-${label.toLowerCase().replace(/\W+/g, "-")}`;
  const control = h("select", { id, onchange },
    options.map(([value, text]) => h("option", { value }, text)));
  return h("span", { class: "field" }, h("label", { for: id }, label), control);
}
