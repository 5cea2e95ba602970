// Small behaviours the pages need, kept out of inline handlers so the CSP needs no 'unsafe-inline'.
// <form data-confirm="Câu hỏi?">: ask before submitting.
// <form data-once>: disable its buttons once submitted (no double submit on a slow line).
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  var question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
    return;
  }
  if (form.hasAttribute("data-once")) {
    form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
  }
});
