// Behaviour that used to sit in inline handlers (onsubmit/onclick/onchange), which the Content-Security-Policy
// (script-src 'self', web/guards.py) no longer runs. Loaded by base.html on every page.
"use strict";

// <form data-confirm="…"> and <button data-confirm="…">: ask before sending.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const button = event.submitter;
  const question = (button && button.dataset.confirm) || form.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// <select data-period>: choosing a preset clears the typed dates and sends the form at once.
document.addEventListener("change", (event) => {
  const select = event.target;
  if (!(select instanceof HTMLSelectElement) || !("period" in select.dataset)) {
    return;
  }
  if (select.value !== "custom") {
    select.form.elements["from"].value = "";
    select.form.elements["to"].value = "";
  }
  select.form.submit();
});
