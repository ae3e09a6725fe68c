// The step form's conditional rules, checked in the browser before the form is sent (the server checks
// them again with the same messages). Rules come from data-rules on each field (engine/form_rules.py),
// messages from data-msg-* on the form: no inline script, so the page's CSP holds.
(function () {
  "use strict";
  var form = document.querySelector("form.step-form");
  if (!form) { return; }

  function input(id) { return form.querySelector("[name='" + id + "']"); }
  function valueOf(id) {
    var el = input(id);
    if (!el) { return ""; }
    if (el.type === "checkbox") { return el.checked; }
    return (el.value || "").trim();
  }
  function say(key, other, date) {
    return (form.dataset[key] || "").replace("{other}", other || "").replace("{date}", date || "");
  }
  function shownDate(iso) { var p = iso.split("-"); return p[2] + "/" + p[1] + "/" + p[0]; }
  function holds(when) {
    return Object.keys(when).some(function (driver) {
      var v = valueOf(driver);
      return when[driver].some(function (allowed) { return allowed === v; });
    });
  }
  function requiredNow(rules) { return !!rules.required_when && holds(rules.required_when); }
  function shownNow(rules) { return !rules.visible_when || holds(rules.visible_when); }
  function problem(box, rules) {
    var id = box.dataset.field, value = valueOf(id);
    if (value === "" || value === false) {
      return requiredNow(rules) ? say("msgRequired") : null;
    }
    if (rules.not_future && value > rules.not_future) { return say("msgNotFuture"); }
    var pairs = [["not_before", "msgNotBefore", -1], ["not_after", "msgNotAfter", 1]];
    for (var i = 0; i < pairs.length; i++) {
      var bounds = rules[pairs[i][0]] || [];
      for (var j = 0; j < bounds.length; j++) {
        var b = bounds[j], other = b.field ? valueOf(b.field) : b.date;
        if (!other) { continue; }
        if ((pairs[i][2] < 0 && value < other) || (pairs[i][2] > 0 && value > other)) {
          var label = b.field && b.label.charAt(1) !== b.label.charAt(1).toUpperCase() ? b.label.charAt(0).toLowerCase() + b.label.slice(1) : b.label;
          return say(pairs[i][1], label, b.shown || shownDate(other));
        }
      }
    }
    if (rules.pattern && !new RegExp("^(?:" + rules.pattern + ")$").test(value)) { return say("msgPattern"); }
    return null;
  }
  function mark(box, message) {
    var old = box.querySelector(".field-error.js");
    if (old) { old.remove(); }
    box.classList.toggle("has-error", !!message);
    if (message) {
      var span = document.createElement("span");
      span.className = "field-error js";
      span.setAttribute("role", "alert");
      span.textContent = message;
      box.appendChild(span);
    }
  }
  function visibility() {
    // A field that applies only under a condition (visible_if) is hidden, and not sent, while it does not hold.
    form.querySelectorAll("[data-rules]").forEach(function (box) {
      var rules = JSON.parse(box.dataset.rules);
      if (!rules.visible_when) { return; }
      var shown = shownNow(rules);
      box.hidden = !shown;
      box.querySelectorAll("input, select, textarea").forEach(function (el) { el.disabled = !shown; });
      if (!shown) { mark(box, null); }
    });
  }
  function stars() {
    // A conditionally required field shows the required star while its condition holds.
    form.querySelectorAll("[data-rules]").forEach(function (box) {
      var rules = JSON.parse(box.dataset.rules), label = box.querySelector("label");
      if (!rules.required_when || !label) { return; }
      var star = label.querySelector(".req.js");
      if (requiredNow(rules) && !star) {
        star = document.createElement("span");
        star.className = "req js";
        star.textContent = "*";
        label.appendChild(star);
      } else if (!requiredNow(rules) && star) {
        star.remove();
      }
    });
  }
  function refresh() { visibility(); stars(); }
  form.addEventListener("change", refresh);
  form.addEventListener("input", refresh);
  refresh();
  form.addEventListener("submit", function (event) {
    var first = null;
    form.querySelectorAll("[data-rules]").forEach(function (box) {
      if (box.hidden) { return; }
      var message = problem(box, JSON.parse(box.dataset.rules));
      mark(box, message);
      if (message && !first) { first = box; }
    });
    if (first) {
      event.preventDefault();
      var focus = first.querySelector("input, select, textarea");
      if (focus) { focus.focus(); }
    }
  });
}());
