// On a phone the navigation folds behind the "Danh mục" button (.js: the page knows this script runs, so without
// it the navigation simply stays open).
document.documentElement.classList.add("js");
document.addEventListener("click", function (event) {
  var button = event.target instanceof Element && event.target.closest(".menu-toggle");
  if (!button) return;
  var header = button.closest(".top");
  var open = header.classList.toggle("open");
  button.setAttribute("aria-expanded", open ? "true" : "false");
});

// A table wider than the screen says so: every .grid sits in a .scroll box (wrapped here when a template did not),
// and a box that overflows gets a bar at its edge and, above it, the line "kéo sang ngang".
function markWideTables(root) {
  (root || document).querySelectorAll("table.grid").forEach(function (table) {
    var box = table.parentElement;
    if (!box.classList.contains("scroll")) {
      box = document.createElement("div");
      box.className = "scroll";
      table.parentElement.insertBefore(box, table);
      box.appendChild(table);
    }
    var hint = box.previousElementSibling;
    if (!hint || !hint.classList.contains("scroll-hint")) {
      hint = document.createElement("p");
      hint.className = "scroll-hint";
      hint.textContent = "Bảng rộng hơn màn hình: kéo sang ngang để xem hết các cột →";
      box.parentElement.insertBefore(hint, box);
    }
    var overflows = box.scrollWidth > box.clientWidth + 1;
    box.classList.toggle("overflows", overflows);
    hint.hidden = !overflows;
  });
}
document.addEventListener("DOMContentLoaded", function () { markWideTables(); });
window.addEventListener("resize", function () { markWideTables(); });
document.addEventListener("htmx:afterSettle", function (event) { markWideTables(event.target); });

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

// data-filter="id" (on a search input): show only the labels of that list whose text holds what is typed
// (case and accents ignored), e.g. the units a restructuring may pick.
function danvanFold(s) {
  return s.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d");
}
document.addEventListener("input", function (event) {
  var input = event.target;
  if (!(input instanceof HTMLInputElement)) return;
  var id = input.getAttribute("data-filter");
  var list = id && document.getElementById(id);
  if (!list) return;
  var q = danvanFold(input.value.trim());
  list.querySelectorAll("label").forEach(function (label) {
    label.hidden = q !== "" && danvanFold(label.textContent).indexOf(q) === -1;
  });
});
