"use strict";
// Fengshou's page behaviour. The Content-Security-Policy allows no inline script or event-handler
// attribute (and htmx runs with allowEval off), so what a template would have written inline
// is declared with data- attributes and handled here.

// A region picker that reloads its child select also empties the grandchild:
// <select hx-get=... data-reset-target="id_county" data-reset-label="Choose a city first">
document.addEventListener("htmx:afterRequest", (event) => {
  const source = event.detail && event.detail.elt;
  const targetId = source && source.dataset ? source.dataset.resetTarget : undefined;
  if (!targetId) {
    return;
  }
  const target = document.getElementById(targetId);
  if (!target) {
    return;
  }
  const option = document.createElement("option");
  option.value = "";
  option.textContent = source.dataset.resetLabel || "";
  target.replaceChildren(option);
});
