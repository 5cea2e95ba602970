// Small progressive enhancements, served locally (no inline scripts, no CDN).
document.addEventListener("submit", function (event) {
  var form = event.target;
  var button = event.submitter;
  var question = (button && button.dataset.confirm) || form.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
    return;
  }
  // Long work (reading files, building documents): show progress and block a double submit.
  var busy = (button && button.dataset.busy) || form.dataset.busy;
  if (busy) {
    var status = form.querySelector(".busy");
    if (status) { status.textContent = busy; }
    window.setTimeout(function () { if (button) { button.disabled = true; } }, 0);
  }
}, true);
