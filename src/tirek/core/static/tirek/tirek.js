// Small behaviours that need no framework; CSP forbids inline scripts.
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el instanceof HTMLSelectElement && el.dataset.autosubmit !== undefined && el.form) {
    el.form.requestSubmit();
  }
});
document.addEventListener("click", (event) => {
  const el = event.target instanceof Element ? event.target.closest("[data-confirm]") : null;
  if (el && !window.confirm(el.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});
// The case page loads one section at a time (htmx): mark the chosen tab as the current
// one and move the focus to the section's heading, so a screen reader user hears where
// they are. Without JavaScript the tabs are plain links and the server marks the tab.
document.addEventListener("htmx:afterSwap", (event) => {
  const target = event.detail && event.detail.target;
  if (!(target instanceof HTMLElement) || target.id !== "case-section") return;
  const path = new URL(event.detail.pathInfo.requestPath, window.location.href).pathname;
  document.querySelectorAll(".case-tabs a").forEach((link) => {
    if (new URL(link.href).pathname === path) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  });
  const heading = target.querySelector("#section-title");
  if (heading instanceof HTMLElement) heading.focus();
});
// After saving a note the page opens at #note-<id>: focus it (the browser only scrolls).
document.addEventListener("DOMContentLoaded", () => {
  if (!window.location.hash) return;
  const target = document.getElementById(window.location.hash.slice(1));
  if (target instanceof HTMLElement && target.hasAttribute("tabindex")) target.focus();
});
// Narrow screens show each table row as a card, each value under its column's name
// (tirek.css). A template may set data-label itself; otherwise it comes from the header.
function labelTableCells(root) {
  root.querySelectorAll("table.table").forEach((table) => {
    const headers = Array.from(table.querySelectorAll(":scope > thead > tr > th")).map(
      (th) => th.textContent.trim(),
    );
    if (!headers.length) return;
    table.querySelectorAll(":scope > tbody > tr").forEach((row) => {
      let column = 0;
      Array.from(row.children).forEach((cell) => {
        const label = headers[column];
        if (label && cell.tagName === "TD" && cell.colSpan === 1 && !cell.hasAttribute("data-label")) {
          cell.setAttribute("data-label", label);
        }
        column += cell.colSpan || 1;
      });
    });
  });
}
document.addEventListener("DOMContentLoaded", () => labelTableCells(document));
document.addEventListener("htmx:afterSwap", (event) => {
  if (event.detail && event.detail.target instanceof Element) labelTableCells(event.detail.target);
});
