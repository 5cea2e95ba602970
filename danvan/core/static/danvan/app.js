// Small behaviours the pages need, kept out of inline handlers so the CSP needs no 'unsafe-inline'.
// data-confirm="Câu hỏi?" (on a form or its submit button): ask before submitting.
// data-once (on a form): disable its buttons once submitted (no double submit on a slow line).
// data-busy="Đang đọc tệp…" (on a form or button): show progress in the form's .busy element.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  var button = event.submitter;
  var question = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
    return;
  }
  var busy = (button && button.getAttribute("data-busy")) || form.getAttribute("data-busy");
  if (busy) {
    var status = form.querySelector(".busy");
    if (status) { status.textContent = busy; }
  }
  if (form.hasAttribute("data-once") || busy) {
    // After the submit has been dispatched, so the clicked button's name/value are still sent.
    window.setTimeout(function () {
      form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    }, 0);
  }
});

// data-enter="event" (on a text input inside a form): Enter runs that event (e.g. the htmx search it
// triggers) instead of submitting the whole form half-filled.
document.addEventListener("keydown", function (event) {
  var input = event.target;
  if (event.key !== "Enter" || !(input instanceof HTMLInputElement)) return;
  var name = input.getAttribute("data-enter");
  if (!name) return;
  event.preventDefault();
  input.dispatchEvent(new Event(name, { bubbles: true }));
});

// data-check="id" / data-uncheck="id" (on a radio or checkbox): choosing it ticks / unticks those boxes,
// e.g. picking a source model marks the model as a replication.
document.addEventListener("change", function (event) {
  var el = event.target;
  if (!(el instanceof HTMLInputElement) || !el.checked) return;
  ["data-check", "data-uncheck"].forEach(function (attr) {
    (el.getAttribute(attr) || "").split(" ").forEach(function (id) {
      var box = id && document.getElementById(id);
      if (box) { box.checked = attr === "data-check"; }
    });
  });
});
